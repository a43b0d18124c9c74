package dev.vmscope.kvm.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Host mappings (guest RAM, kvm_run), each owned by an arena whose closing unmaps it. */
public final class NativeMemory {
    private NativeMemory() {}

    /** Private anonymous RAM, not reserved against swap up front (MAP_NORESERVE) so large guests start fast. */
    public static MemorySegment mapAnonymous(long size, Arena owner) {
        return Libc.mmap(size, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, "guest RAM (" + size + " bytes)", owner);
    }

    /** The shared kvm_run page of a vCPU fd. */
    public static MemorySegment mapShared(int fd, long size, String what, Arena owner) {
        return Libc.mmap(size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, what, owner);
    }
}
