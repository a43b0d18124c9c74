package dev.vmscope.devices.virtio;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.virtio.queue.MockDriver;

/**
 * A guest driver's side of the modern virtio-pci transport for tests, written the way Linux's
 * virtio_pci_modern and SeaBIOS's virtio-pci.c program it: status handshake, feature words, queue set-up
 * through the common configuration, notify writes. Rings come from a {@link MockDriver}.
 */
final class PciDriver {
    final VirtioPci dev;
    final BusDevice bar;
    final MockDriver ring;

    PciDriver(VirtioPci dev, GuestMemory mem, long ringBase, int queueSize) {
        this.dev = dev;
        this.bar = dev.bar();
        this.ring = new MockDriver(mem, ringBase, queueSize);
    }

    long common(int offset, int size) { return bar.read(VirtioPci.COMMON + offset, size); }

    void common(int offset, int size, long value) { bar.write(VirtioPci.COMMON + offset, size, value); }

    int status() { return (int) common(CommonConfig.DEVICE_STATUS, 1); }

    void setStatus(int s) { common(CommonConfig.DEVICE_STATUS, 1, s); }

    long deviceFeatures() {
        common(CommonConfig.DEVICE_FEATURE_SELECT, 4, 0);
        long lo = common(CommonConfig.DEVICE_FEATURE, 4);
        common(CommonConfig.DEVICE_FEATURE_SELECT, 4, 1);
        return lo | common(CommonConfig.DEVICE_FEATURE, 4) << 32;
    }

    void driverFeatures(long f) {
        common(CommonConfig.DRIVER_FEATURE_SELECT, 4, 0);
        common(CommonConfig.DRIVER_FEATURE, 4, f & 0xffff_ffffL);
        common(CommonConfig.DRIVER_FEATURE_SELECT, 4, 1);
        common(CommonConfig.DRIVER_FEATURE, 4, f >>> 32);
    }

    /** Reset, ACKNOWLEDGE, DRIVER, features & {@code accept}, FEATURES_OK; returns whether FEATURES_OK stuck. */
    boolean negotiate(long accept) {
        setStatus(0);
        setStatus(Virtio.S_ACKNOWLEDGE);
        setStatus(Virtio.S_ACKNOWLEDGE | Virtio.S_DRIVER);
        driverFeatures(deviceFeatures() & accept);
        setStatus(Virtio.S_ACKNOWLEDGE | Virtio.S_DRIVER | Virtio.S_FEATURES_OK);
        return (status() & Virtio.S_FEATURES_OK) != 0;
    }

    /** Programs queue 0 at the mock driver's rings (32-bit halves, as SeaBIOS does) and enables it. */
    void setUpQueue() {
        common(CommonConfig.QUEUE_SELECT, 2, 0);
        common(CommonConfig.QUEUE_SIZE, 2, ring.size);
        common(CommonConfig.QUEUE_DESC, 4, ring.desc);
        common(CommonConfig.QUEUE_DESC + 4, 4, 0);
        common(CommonConfig.QUEUE_DRIVER, 4, ring.avail);
        common(CommonConfig.QUEUE_DRIVER + 4, 4, 0);
        common(CommonConfig.QUEUE_DEVICE, 8, ring.used);
        common(CommonConfig.QUEUE_ENABLE, 2, 1);
    }

    void driverOk() { setStatus(status() | Virtio.S_DRIVER_OK); }

    /** The full bring-up Linux does; returns the negotiated features. */
    long start(long accept) {
        if (!negotiate(accept)) throw new AssertionError("FEATURES_OK refused");
        setUpQueue();
        driverOk();
        return deviceFeatures() & accept;
    }

    void notifyQueue(int q) { bar.write(VirtioPci.NOTIFY + (long) VirtioPci.NOTIFY_MULTIPLIER * q, 2, q); }

    int isr() { return (int) bar.read(VirtioPci.ISR, 1); }
}
