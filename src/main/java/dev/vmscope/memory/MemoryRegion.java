package dev.vmscope.memory;

import java.lang.foreign.MemorySegment;

/** One contiguous block of guest RAM at guest-physical {@code gpa}, backed by {@code segment}. */
public record MemoryRegion(long gpa, MemorySegment segment) {
    public long size() { return segment.byteSize(); }

    public long end() { return gpa + segment.byteSize(); }

    public boolean contains(long addr, long len) {
        return len >= 0 && Long.compareUnsigned(addr, gpa) >= 0
                && Long.compareUnsigned(addr - gpa, size()) < 0 && len <= size() - (addr - gpa);
    }
}
