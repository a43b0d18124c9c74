package dev.vmscope.emu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Guest-physical memory of one VM: the slots handed in by mapMemory. Lookups read a copy-on-write array, so
 * vCPU threads never block while the machine remaps the PAM window; {@link #epoch} changes with every
 * remap and vCPUs drop their TLBs when they see it change. Anything outside every slot is MMIO.
 */
final class PhysMemory {
    record Slot(int id, long gpa, long size, MemorySegment host, boolean readOnly) {
        boolean contains(long pa) { return pa - gpa >= 0 && Long.compareUnsigned(pa - gpa, size) < 0; }
    }

    private volatile Slot[] slots = new Slot[0];
    volatile int epoch;
    /** Held by LOCK-prefixed read-modify-write instructions and XCHG with memory, across all vCPUs. */
    final Object atomic = new Object();

    synchronized void map(int id, long gpa, MemorySegment host, boolean readOnly) {
        if ((gpa & 0xfff) != 0 || (host.byteSize() & 0xfff) != 0)
            throw new IllegalArgumentException("memory slots must be page aligned: gpa 0x" + Long.toHexString(gpa));
        Slot[] next = Arrays.stream(slots).filter(s -> s.id != id).toArray(Slot[]::new);
        next = Arrays.copyOf(next, next.length + 1);
        next[next.length - 1] = new Slot(id, gpa, host.byteSize(), host, readOnly);
        slots = next;
        epoch++;
    }

    synchronized void unmap(int id) {
        slots = Arrays.stream(slots).filter(s -> s.id != id).toArray(Slot[]::new);
        epoch++;
    }

    /** The slot holding {@code pa}, or null for MMIO. */
    Slot find(long pa) {
        for (Slot s : slots) if (s.contains(pa)) return s;
        return null;
    }
}
