package dev.vmscope.memory;

import java.lang.foreign.MemorySegment;

/**
 * One contiguous block of guest memory at guest-physical {@code gpa}, backed by {@code segment}; {@code kind}
 * is RAM or, in the debugger's view of a firmware machine, ROM (the image or its alias).
 */
public record MemoryRegion(long gpa, MemorySegment segment, Kind kind) {
    public enum Kind {
        RAM, ROM;

        /** "ram" / "rom", as crash reports write it. */
        public String id() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public MemoryRegion(long gpa, MemorySegment segment) { this(gpa, segment, Kind.RAM); }

    public long size() { return segment.byteSize(); }

    public long end() { return gpa + segment.byteSize(); }

    public boolean contains(long addr, long len) {
        return len >= 0 && Long.compareUnsigned(addr, gpa) >= 0
                && Long.compareUnsigned(addr - gpa, size()) < 0 && len <= size() - (addr - gpa);
    }
}
