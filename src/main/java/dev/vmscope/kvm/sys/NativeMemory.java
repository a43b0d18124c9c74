package dev.vmscope.kvm.sys;

import java.lang.foreign.MemorySegment;

/** Anonymous host mappings for guest RAM, and views of fixed-address native structures. */
public final class NativeMemory {
    private NativeMemory() {}

    /** Private anonymous RAM, not reserved against swap up front (MAP_NORESERVE) so large guests start fast. */
    public static MemorySegment mapAnonymous(long size) {
        return Libc.mmap(size, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, "guest RAM (" + size + " bytes)");
    }

    /** The shared kvm_run page of a vCPU fd. */
    public static MemorySegment mapShared(int fd, long size, String what) {
        return Libc.mmap(size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, what);
    }

    public static void unmap(MemorySegment seg) { Libc.munmap(seg); }
}
