package dev.vmscope.virtio.queue;

/**
 * The driver broke the virtqueue rules (a descriptor loop, an address outside guest RAM, a bad index...).
 * Checked, so every device decides what it means; the virtio answer is DEVICE_NEEDS_RESET (spec 2.1.2).
 * The message is one line naming the queue's fault.
 */
public final class VirtqueueException extends Exception {
    public VirtqueueException(String message) { super(message, null, false, false); }
}
