package dev.vmscope.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Host mappings (guest RAM, kvm_run), each owned by an arena whose closing unmaps it. */
public final class NativeMemory {
    private NativeMemory() {}

    static final long HUGE_PAGE = 2 << 20;

    /**
     * Private anonymous RAM, not reserved against swap up front (MAP_NORESERVE) so large guests start fast.
     * From 2 MiB up it is 2 MiB-aligned and advised MADV_HUGEPAGE, as QEMU does for guest RAM
     * (util/oslib-posix.c qemu_ram_mmap alignment, QEMU_MADV_HUGEPAGE in ram_block_add): with transparent
     * huge pages in "madvise" or "always" mode the guest's memory then needs fewer host TLB entries and
     * shallower second-level tables. Where THP is off the advice fails and is ignored.
     */
    public static MemorySegment mapAnonymous(long size, Arena owner) {
        int prot = Libc.PROT_READ | Libc.PROT_WRITE, flags = Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE;
        String what = "guest RAM (" + size + " bytes)";
        if (size < HUGE_PAGE) return Libc.mmap(size, prot, flags, -1, what, owner);
        MemorySegment m = Libc.mmapAligned(size, HUGE_PAGE, prot, flags, what, owner);
        Libc.madvise(m, Libc.MADV_HUGEPAGE);
        return m;
    }

    /** The shared kvm_run page of a vCPU fd. */
    public static MemorySegment mapShared(int fd, long size, String what, Arena owner) {
        return Libc.mmap(size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, what, owner);
    }
}
