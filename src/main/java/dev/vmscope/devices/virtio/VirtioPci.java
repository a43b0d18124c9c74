package dev.vmscope.devices.virtio;

import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.pci.PciConfigSpace;
import dev.vmscope.devices.pci.PciDevice;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.GuestMemoryException;
import dev.vmscope.virtio.queue.SplitQueue;
import dev.vmscope.virtio.queue.VirtqueueException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A modern (non-transitional) virtio PCI function (virtio 1.1, 4.1): vendor 0x1af4, device 0x1040 + the
 * virtio device ID, revision 1, one 32-bit memory BAR ({@link #BAR}, {@link #BAR_SIZE} bytes) holding the
 * structures the vendor capabilities (4.1.4) point at:
 * <pre>
 *   BAR + 0x0000  common configuration (4.1.4.3, {@link CommonConfig})       cap at 0x40, cfg_type 1
 *   BAR + 0x1000  ISR status, 1 byte, read clears (4.1.4.5)                  cap at 0x50, cfg_type 3
 *   BAR + 0x2000  device-specific configuration (4.1.4.6)                    cap at 0x60, cfg_type 4
 *   BAR + 0x3000  notifications: queue n at n * 4 (multiplier 4, 4.1.4.4)     cap at 0x70, cfg_type 2
 *   PCI configuration access window (4.1.4.7: bar, offset, length, data)     cap at 0x84, cfg_type 5
 * </pre>
 * Interrupts are legacy INTx on pin INTA: the line is asserted while the ISR is non-zero (bit 0 used
 * buffer, bit 1 configuration change) and INTx is not disabled in the command register; the ISR read
 * clears both (4.1.4.5.1). No MSI-X capability, so drivers fall back to INTx (Linux and SeaBIOS do).
 * A driver that breaks a queue gets DEVICE_NEEDS_RESET and a configuration-change interrupt (2.1.2), and
 * nothing more is served until it resets the device. Every access is serialised on this object.
 */
public final class VirtioPci implements PciDevice {
    public static final int VENDOR = 0x1af4, DEVICE_BASE = 0x1040, REVISION = 1;
    /** PCI class of QEMU's virtio-blk-pci: mass storage, SCSI (0x0100). */
    public static final int CLASS_STORAGE_SCSI = 0x010000, CLASS_OTHER = 0xff0000;
    public static final int BAR = 0;
    public static final long BAR_SIZE = 0x4000;
    static final int COMMON = 0x0000, ISR = 0x1000, DEVICE_CFG = 0x2000, NOTIFY = 0x3000, NOTIFY_MULTIPLIER = 4;
    // Capability layout (4.1.4): struct virtio_pci_cap { u8 cap_vndr, cap_next, cap_len, cfg_type, bar, id;
    // u8 padding[2]; le32 offset; le32 length; }, notify adds le32 notify_off_multiplier, pci_cfg u8 data[4].
    static final int CAP_VENDOR = 0x09, CAP_COMMON = 0x40, CAP_ISR = 0x50, CAP_DEVICE = 0x60, CAP_NOTIFY = 0x70,
            CAP_PCI_CFG = 0x84, CAP_END = 0x98;
    static final int CFG_COMMON = 1, CFG_NOTIFY = 2, CFG_ISR = 3, CFG_DEVICE = 4, CFG_PCI = 5;
    static final int CAP_POINTER = 0x34, STATUS_CAP_LIST = 0x10, STATUS_INTERRUPT = 0x08, PIN_INTA = 1;
    static final int ISR_QUEUE = 1, ISR_CONFIG = 2;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final IrqLine irq;
    private final PciConfigSpace config;
    private final SplitQueue[] queues;
    private final CommonConfig common;
    private final BusDevice bar = new Bar();
    private volatile Consumer<String> faults = m -> { };
    private int isr;
    private String lastFault;

    public VirtioPci(VirtioDevice device, GuestMemory memory, IrqLine irq, int classCode) {
        this.device = Objects.requireNonNull(device, "device");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.irq = Objects.requireNonNull(irq, "irq");
        queues = new SplitQueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) queues[i] = new SplitQueue(device.queueMaxSize(i));
        long offered = device.deviceFeatures() | Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(Virtio.F_RING_INDIRECT_DESC)
                | Virtio.bit(Virtio.F_RING_EVENT_IDX);
        common = new CommonConfig(this, offered, queues);
        config = new PciConfigSpace(VENDOR, DEVICE_BASE + device.deviceId(), REVISION, classCode, 0x00);
        config.defineBar(BAR, BAR_SIZE, false);
        config.setByte(PciConfigSpace.INTERRUPT_PIN, PIN_INTA);
        config.setWord(PciConfigSpace.STATUS, STATUS_CAP_LIST);
        config.setByte(CAP_POINTER, CAP_COMMON);
        capability(CAP_COMMON, CAP_ISR, 16, CFG_COMMON, COMMON, CommonConfig.LENGTH);
        capability(CAP_ISR, CAP_DEVICE, 16, CFG_ISR, ISR, 1);
        capability(CAP_DEVICE, CAP_NOTIFY, 16, CFG_DEVICE, DEVICE_CFG, device.configSize());
        capability(CAP_NOTIFY, CAP_PCI_CFG, 20, CFG_NOTIFY, NOTIFY, NOTIFY_MULTIPLIER * queues.length);
        config.setDword(CAP_NOTIFY + 16, NOTIFY_MULTIPLIER);
        capability(CAP_PCI_CFG, 0, 20, CFG_PCI, 0, 0);
        for (int off = CAP_COMMON; off < CAP_END; off++) config.setWritable(off, 1, 0);
        // The access window's bar, offset, length and data are the driver's to write (4.1.4.7).
        config.setWritable(CAP_PCI_CFG + 4, 1, 0xff);
        config.setWritable(CAP_PCI_CFG + 8, 4, -1);
        config.setWritable(CAP_PCI_CFG + 12, 4, -1);
        config.setWritable(CAP_PCI_CFG + 16, 4, -1);
    }

    private void capability(int at, int next, int len, int type, int offset, int length) {
        config.setByte(at, CAP_VENDOR);
        config.setByte(at + 1, next);
        config.setByte(at + 2, len);
        config.setByte(at + 3, type);
        config.setByte(at + 4, type == CFG_PCI ? 0 : BAR);
        config.setDword(at + 8, offset);
        config.setDword(at + 12, length);
    }

    @Override public PciConfigSpace config() { return config; }

    /** The BAR's contents: register {@link #BAR_SIZE} bytes on the MMIO bus wherever the guest puts BAR {@link #BAR}. */
    public BusDevice bar() { return bar; }

    public VirtioDevice device() { return device; }

    /** Told (once per fault) why the device needs a reset, e.g. to print a warning. */
    public void setFaultListener(Consumer<String> l) { faults = Objects.requireNonNull(l, "listener"); }

    /** The device status byte (2.1). */
    public synchronized int status() { return common.status(); }

    /** Why the device last needed a reset, or null. */
    public synchronized String lastFault() { return lastFault; }

    @Override public synchronized int configRead(int offset, int size) {
        if (offset == CAP_PCI_CFG + 16) {
            long v = windowAccess(false, 0);
            if (v >= 0) return (int) v & (int) Bus.ones(size);
        }
        return config.read(offset, size);
    }

    @Override public synchronized void configWrite(int offset, int size, int value) {
        config.write(offset, size, value);
        if (offset == CAP_PCI_CFG + 16) windowAccess(true, value);
        if (offset <= PciConfigSpace.COMMAND + 1 && offset + size > PciConfigSpace.COMMAND) updateLine();
    }

    /**
     * The PCI configuration access window (4.1.4.7.2): an access to pci_cfg_data reaches {@code length}
     * (1, 2 or 4) bytes at {@code offset} of the BAR named by {@code bar}; anything else is not forwarded.
     * @return the value read, or -1 when nothing was read
     */
    private long windowAccess(boolean write, int value) {
        int barIndex = config.readByte(CAP_PCI_CFG + 4);
        long offset = Integer.toUnsignedLong(config.read(CAP_PCI_CFG + 8, 4));
        int length = config.read(CAP_PCI_CFG + 12, 4);
        if (barIndex != BAR || (length != 1 && length != 2 && length != 4) || offset + length > BAR_SIZE
                || offset % length != 0) return -1;
        if (write) {
            barWrite(offset, length, Integer.toUnsignedLong(value));
            return -1;
        }
        long v = barRead(offset, length);
        config.setDword(CAP_PCI_CFG + 16, (int) v);
        return v;
    }

    private long barRead(long offset, int size) {
        if (offset < ISR) return common.read((int) offset, size) & Bus.ones(size);
        if (offset == ISR) {
            int v = isr;
            isr = 0;
            updateLine();
            return v;
        }
        if (offset >= DEVICE_CFG && offset < NOTIFY) {
            long v = 0;
            for (int i = 0; i < size; i++) v |= (long) device.readConfig((int) (offset - DEVICE_CFG) + i) << (8 * i);
            return v;
        }
        return 0;
    }

    private void barWrite(long offset, int size, long value) {
        if (offset < ISR) {
            common.write((int) offset, size, value & Bus.ones(size));
        } else if (offset >= DEVICE_CFG && offset < NOTIFY) {
            for (int i = 0; i < size; i++) device.writeConfig((int) (offset - DEVICE_CFG) + i, (int) (value >>> (8 * i)) & 0xff);
        } else if (offset >= NOTIFY && offset < NOTIFY + (long) NOTIFY_MULTIPLIER * queues.length) {
            notifyQueue((int) ((offset - NOTIFY) / NOTIFY_MULTIPLIER));
        }
    }

    /** Serves queue {@code index} if the driver is running and the device is healthy. */
    private void notifyQueue(int index) {
        int s = common.status();
        if ((s & Virtio.S_DRIVER_OK) == 0 || (s & (Virtio.S_DEVICE_NEEDS_RESET | Virtio.S_FAILED)) != 0) return;
        SplitQueue q = queues[index];
        if (!q.ready()) return;
        try {
            if (device.process(index, q, memory) && q.needsInterrupt()) raise(ISR_QUEUE);
        } catch (VirtqueueException | GuestMemoryException e) {
            needsReset("queue " + index + ": " + e.getMessage());
        }
    }

    /** Called by {@link CommonConfig} when the driver writes 1 to queue_enable. */
    void enableQueue(int index) {
        long f = common.driverFeatures();
        try {
            queues[index].enable(memory, Virtio.has(f, Virtio.F_RING_EVENT_IDX), Virtio.has(f, Virtio.F_RING_INDIRECT_DESC));
        } catch (VirtqueueException e) {
            needsReset("queue " + index + ": " + e.getMessage());
        }
    }

    /** DRIVER_OK: the device starts, and serves whatever was made available before. */
    void driverOk() {
        device.activate(common.driverFeatures());
        for (int i = 0; i < queues.length; i++) notifyQueue(i);
    }

    /** Status 0 (2.4): back to the initial state, the interrupt withdrawn. */
    void resetDevice() {
        device.reset();
        common.reset();
        isr = 0;
        lastFault = null;
        updateLine();
    }

    private void needsReset(String why) {
        boolean first = (common.status() & Virtio.S_DEVICE_NEEDS_RESET) == 0;
        common.setNeedsReset();
        lastFault = why;
        if ((common.status() & Virtio.S_DRIVER_OK) != 0) raise(ISR_CONFIG);
        if (first) faults.accept(why);
    }

    private void raise(int bits) {
        isr |= bits;
        updateLine();
    }

    private void updateLine() {
        boolean pending = isr != 0;
        int st = config.read(PciConfigSpace.STATUS, 2);
        config.setWord(PciConfigSpace.STATUS, pending ? st | STATUS_INTERRUPT : st & ~STATUS_INTERRUPT);
        irq.set(pending && (config.read(PciConfigSpace.COMMAND, 2) & PciConfigSpace.CMD_INTX_DISABLE) == 0);
    }

    /** The BAR as a bus device; accesses past the structures read 0 and are ignored. */
    private final class Bar implements BusDevice {
        @Override public long read(long offset, int size) {
            if (offset < 0 || offset >= BAR_SIZE || size < 1 || size > 8) return 0;
            synchronized (VirtioPci.this) { return barRead(offset, size); }
        }

        @Override public void write(long offset, int size, long value) {
            if (offset < 0 || offset >= BAR_SIZE || size < 1 || size > 8) return;
            synchronized (VirtioPci.this) { barWrite(offset, size, value); }
        }
    }
}
