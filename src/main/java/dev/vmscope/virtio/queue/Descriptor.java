package dev.vmscope.virtio.queue;

/**
 * One entry of a descriptor table, as the driver wrote it (spec 2.6.5 "The Virtqueue Descriptor Table"):
 * <pre>struct virtq_desc { le64 addr; le32 len; le16 flags; le16 next; }   // 16 bytes</pre>
 */
public record Descriptor(long addr, long len, int flags, int next) {
    public static final int SIZE = 16;
    /** This buffer continues via the next field. */
    public static final int F_NEXT = 1;
    /** This buffer is device write-only (otherwise device read-only). */
    public static final int F_WRITE = 2;
    /** The buffer holds a table of indirect descriptors (spec 2.6.5.3). */
    public static final int F_INDIRECT = 4;

    public boolean hasNext() { return (flags & F_NEXT) != 0; }

    public boolean isWrite() { return (flags & F_WRITE) != 0; }

    public boolean isIndirect() { return (flags & F_INDIRECT) != 0; }
}
