package dev.vmscope.virtio.queue;

/**
 * One request popped from the available ring: the head index (what goes back in the used ring), the
 * device-readable bytes and, after them, the device-writable bytes (spec 2.6.4.2: a driver places every
 * device-writable descriptor after every device-readable one), indirect tables already expanded.
 *
 * @param descriptors how many descriptors the chain had, indirect ones included
 */
public record DescriptorChain(int head, Buffers readable, Buffers writable, int descriptors) { }
