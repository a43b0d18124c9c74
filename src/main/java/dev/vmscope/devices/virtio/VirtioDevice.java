package dev.vmscope.devices.virtio;

import dev.vmscope.memory.GuestMemory;
import dev.vmscope.virtio.queue.SplitQueue;
import dev.vmscope.virtio.queue.VirtqueueException;

/**
 * A virtio device as its transport sees it: identity, features, configuration space and queue service.
 * The transport owns the status machine, the queues and interrupts; the device never sees a BAR or a line.
 */
public interface VirtioDevice {
    /** Virtio device ID (spec 5), e.g. {@link Virtio#ID_BLOCK}. */
    int deviceId();

    /** Device-specific feature bits offered; the transport adds the ring and VERSION_1 bits. */
    long deviceFeatures();

    int queueCount();

    /** Largest size of queue {@code index} (a power of two). */
    int queueMaxSize(int index);

    /** Bytes of device-specific configuration space. */
    int configSize();

    /** The configuration byte at {@code offset} (0 .. configSize-1). */
    int readConfig(int offset);

    /** A driver write to the configuration byte at {@code offset}; read-only fields ignore it. */
    default void writeConfig(int offset, int value) { }

    /** The driver set DRIVER_OK with these negotiated features. */
    default void activate(long features) { }

    /** The driver reset the device (status 0). */
    default void reset() { }

    /**
     * Serves every chain the driver made available on queue {@code index}.
     * @return whether any chain was returned to the used ring
     * @throws VirtqueueException the driver broke the queue or request format: the device needs a reset
     */
    boolean process(int index, SplitQueue queue, GuestMemory memory) throws VirtqueueException;
}
