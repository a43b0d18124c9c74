/**
 * The split virtqueue (Virtual I/O Device specification 1.1, 2.6 "Split Virtqueues"), independent of any
 * device and of the transport, as rust-vmm's virtio-queue crate is. A {@link dev.vmscope.virtio.queue.SplitQueue}
 * pops {@link dev.vmscope.virtio.queue.DescriptorChain}s that the driver made available and returns them as used.
 * Everything the driver wrote is hostile: addresses are reached only through
 * {@link dev.vmscope.memory.GuestMemory}, and a malformed ring or chain is a
 * {@link dev.vmscope.virtio.queue.VirtqueueException}, on which the device sets DEVICE_NEEDS_RESET (spec 2.1.2).
 */
package dev.vmscope.virtio.queue;
