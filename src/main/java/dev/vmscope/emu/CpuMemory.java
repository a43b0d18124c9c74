package dev.vmscope.emu;

import dev.vmscope.hypervisor.VcpuExit;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * Linear and physical memory access: a direct-mapped software TLB (one tag compare on the fast path, as in
 * Bochs' tlb.h), the page walker for 32-bit, PAE and 4-level paging with A/D bits (Intel SDM Vol. 3A 4.3-4.5,
 * 4.8), MMIO exits with KVM's per-instruction read cache, and MMIO writes queued until the instruction commits.
 */
abstract class CpuMemory extends CpuRegs {
    static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final int TLB = 512;
    static final int ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2;

    final PhysMemory phys;
    int seenEpoch = -1;
    private final long[] tlbR = new long[TLB], tlbW = new long[TLB];
    private final MemorySegment[] tlbSeg = new MemorySegment[TLB];
    private final long[] tlbOff = new long[TLB];
    /** 1 when accesses are checked as user-mode (CPL 3), 0 for supervisor and implicit system accesses. */
    int userBit;

    // KVM's read cache: MMIO values completed by the VMM, consumed in order when the instruction re-runs.
    final long[] mmioVals = new long[32];
    int mmioCount, mmioIdx;
    VcpuExit pendingExit;
    /** Exits produced by instructions (MMIO writes, OUT, HLT), returned in order before the next instruction. */
    final ArrayDeque<VcpuExit> queuedExits = new ArrayDeque<>();
    /** How many of {@link #queuedExits} belong to committed work; the rest is dropped when an attempt unwinds. */
    int committedExits;
    /**
     * The RAM page holding the code being executed ({@link #codeSeg} at offset {@link #codeLo} + 8) and a flag set
     * when this CPU writes it or queues an exit: the interpreter ends a decoded block after such an instruction.
     */
    MemorySegment codeSeg;
    long codeLo = Long.MIN_VALUE;
    boolean blockStop;

    CpuMemory(PhysMemory phys) {
        this.phys = phys;
        flushTlb();
    }

    final void flushTlb() {
        java.util.Arrays.fill(tlbR, -1L);
        java.util.Arrays.fill(tlbW, -1L);
        seenEpoch = phys.epoch;
        codeFlushed();
    }

    /** Hook: decoded-code lookups cached by linear page must be dropped with the TLB. */
    abstract void codeFlushed();

    final void invlpg(long lin) {
        int i = (int) (lin >>> 12) & (TLB - 1);
        tlbR[i] = tlbW[i] = -1L;
        codeFlushed();
    }

    /** A commit point inside an instruction (one REP iteration): consumed MMIO values and queued exits stay. */
    final void commitPoint() {
        if (mmioIdx > 0) {
            System.arraycopy(mmioVals, mmioIdx, mmioVals, 0, mmioCount - mmioIdx);
            mmioCount -= mmioIdx;
            mmioIdx = 0;
        }
        committedExits = queuedExits.size();
    }

    /** The current attempt unwound (fault or exit request): drop what it queued, re-read the cache from the start. */
    final void abortAttempt() {
        while (queuedExits.size() > committedExits) queuedExits.pollLast();
        mmioIdx = 0;
    }

    final boolean paging() { return (cr0 & CR0_PG) != 0; }

    // ---- linear access: fast path through the TLB ----
    //
    // TSO note: guest RAM is shared by vCPU threads, and x86 promises that loads are not reordered with older
    // loads nor stores with older accesses (SDM vol. 3A 9.2.2). Plain Java accesses promise nothing: C2 may
    // keep a loaded value in a register across a guest spin loop (SeaBIOS's wait for CountCPUs then never
    // ends) or reorder a critical section's stores after the store that releases its lock. An acquire fence
    // after every load and a release fence before every store restore x86 order; on an x86 host both are
    // compiler barriers only (no instruction is emitted).
    //
    // LOCK: a locked read-modify-write must be atomic against every other store, plain ones included
    // (SDM vol. 3A 9.1.2.2). One VM-wide monitor around the instruction serialises locked instructions with
    // each other only: a plain "movl $0, lock" landing between a locked BTS's read and its write would be lost
    // (SeaBIOS's SMPLock then stays taken for ever). So while {@link #lockedRmw} is set, the first RAM read
    // is remembered and the matching write is a compare-and-set of the aligned 8-byte word holding it; when
    // another vCPU changed those bytes in between, {@link LockRetry} makes the interpreter run the
    // instruction again from its saved registers.

    private static final VarHandle WORD = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    /** Set by the interpreter around a LOCK-prefixed instruction or XCHG with memory. */
    boolean lockedRmw;
    private MemorySegment lockSeg;
    private long lockOff, lockOld;
    private int lockSize;

    /** The locked instruction must run again: its write found the bytes changed since its read. */
    static final class LockRetry extends RuntimeException {
        static final LockRetry INSTANCE = new LockRetry();

        private LockRetry() { super(null, null, false, false); }
    }

    final void beginLocked() { lockedRmw = true; lockSeg = null; }

    final void endLocked() { lockedRmw = false; lockSeg = null; }

    private long ramRead(MemorySegment h, long o, int size) {
        long v = switch (size) {
            case 1 -> h.get(ValueLayout.JAVA_BYTE, o) & 0xffL;
            case 2 -> h.get(S, o) & 0xffffL;
            case 4 -> h.get(I, o) & 0xffffffffL;
            default -> h.get(L, o);
        };
        VarHandle.acquireFence();
        if (lockedRmw && lockSeg == null) { lockSeg = h; lockOff = o; lockSize = size; lockOld = v; }
        return v;
    }

    private void ramWrite(MemorySegment h, long o, int size, long v) {
        if (h == codeSeg && Long.compareUnsigned(o - codeLo, 4096 + 8) < 0) blockStop = true;
        if (lockedRmw && lockSeg == h && lockOff == o && lockSize == size && ((o & 7) + size) <= 8
                && ((h.address() + o) & 7) == (o & 7)) {
            casWrite(h, o, size, v);
            return;
        }
        VarHandle.releaseFence();
        switch (size) {
            case 1 -> h.set(ValueLayout.JAVA_BYTE, o, (byte) v);
            case 2 -> h.set(S, o, (short) v);
            case 4 -> h.set(I, o, (int) v);
            default -> h.set(L, o, v);
        }
    }

    /** Writes {@code size} bytes at {@code o} only if they still hold what the locked read saw. */
    private void casWrite(MemorySegment h, long o, int size, long v) {
        long word = o & ~7L;
        int shift = (int) (o - word) * 8;
        long m = size == 8 ? -1L : ((1L << (size * 8)) - 1) << shift;
        for (;;) {
            long cur = (long) WORD.getVolatile(h, word);
            if ((cur & m) >>> shift != (size == 8 ? lockOld : lockOld & ((1L << (size * 8)) - 1))) throw LockRetry.INSTANCE;
            long next = (cur & ~m) | (v << shift & m);
            if (WORD.compareAndSet(h, word, cur, next)) { lockSeg = null; return; }
        }
    }

    final long rd(long lin, int size) {
        int off = (int) lin & 0xfff;
        if (off + size <= 4096) {
            long key = (lin >>> 12) << 1 | userBit;
            int i = (int) (lin >>> 12) & (TLB - 1);
            if (tlbR[i] == key) {
                return ramRead(tlbSeg[i], tlbOff[i] + off, size);
            }
        }
        return rdSlow(lin, size);
    }

    /**
     * The read of a read-modify-write: the destination is checked for writing first, so a not-present or
     * read-only page faults before the read with W=1 in the #PF error code, as hardware reports it.
     */
    final long rdForWrite(long lin, int size) {
        int off = (int) lin & 0xfff;
        if (off + size <= 4096) {
            int i = (int) (lin >>> 12) & (TLB - 1);
            if (tlbW[i] == ((lin >>> 12) << 1 | userBit)) return ramRead(tlbSeg[i], tlbOff[i] + off, size);
            fillTlb(lin, translate(lin, ACC_WRITE), true);
        } else {
            translate(lin, ACC_WRITE);
            translate(lin + 4096 - off, ACC_WRITE);
        }
        return rd(lin, size);
    }

    final void wr(long lin, int size, long v) {
        int off = (int) lin & 0xfff;
        if (off + size <= 4096) {
            long key = (lin >>> 12) << 1 | userBit;
            int i = (int) (lin >>> 12) & (TLB - 1);
            if (tlbW[i] == key) {
                ramWrite(tlbSeg[i], tlbOff[i] + off, size, v);
                return;
            }
        }
        wrSlow(lin, size, v);
    }

    /** Data breakpoints are armed: the TLB stays empty so every access reaches {@link #watch}. */
    boolean watchActive;

    /** Checks an access against the armed data breakpoints (recorded, reported after the instruction). */
    abstract void watch(long lin, int size, boolean write);

    /**
     * An access of the current instruction hit a watched address. A REP string instruction then stops after
     * that iteration, where the trap is taken (Intel SDM Vol. 3B 18.3.1.2, repeated string instructions).
     */
    abstract boolean watchHit();

    private long rdSlow(long lin, int size) {
        if (watchActive) watch(lin, size, false);
        int off = (int) lin & 0xfff;
        if (off + size > 4096) {   // page-crossing: both translations first (a #PF on either comes before any read)
            int first = 4096 - off;
            long pa1 = translate(lin, ACC_READ), pa2 = translate(lin + first, ACC_READ);
            long lo = rdPhys(pa1, first), hi = rdPhys(pa2, size - first);
            return lo | hi << (first * 8);
        }
        long pa = translate(lin, ACC_READ);
        fillTlb(lin, pa, false);
        return rdPhys(pa, size);
    }

    private void wrSlow(long lin, int size, long v) {
        if (watchActive) watch(lin, size, true);
        int off = (int) lin & 0xfff;
        if (off + size > 4096) {
            int first = 4096 - off;
            long pa1 = translate(lin, ACC_WRITE), pa2 = translate(lin + first, ACC_WRITE);
            wrPhys(pa1, first, v);
            wrPhys(pa2, size - first, v >>> (first * 8));
            return;
        }
        long pa = translate(lin, ACC_WRITE);
        fillTlb(lin, pa, true);
        wrPhys(pa, size, v);
    }

    private void fillTlb(long lin, long pa, boolean write) {
        PhysMemory.Slot s = phys.find(pa);
        if (s == null || write && s.readOnly() || watchActive) return;
        int i = (int) (lin >>> 12) & (TLB - 1);
        long key = (lin >>> 12) << 1 | userBit;
        long off = (pa & ~0xfffL) - s.gpa();
        if (tlbR[i] != key || tlbSeg[i] != s.host() || tlbOff[i] != off) tlbW[i] = -1L;
        tlbSeg[i] = s.host();
        tlbOff[i] = off;
        tlbR[i] = key;
        if (write) tlbW[i] = key;
    }

    // ---- physical access ----

    /** Reads {@code size} (1..8) bytes at {@code pa}, RAM or MMIO (split into 1/2/4/8-byte exits in order). */
    final long rdPhys(long pa, int size) {
        PhysMemory.Slot s = phys.find(pa);
        if (s != null && s.contains(pa + size - 1)) {
            long o = pa - s.gpa();
            MemorySegment h = s.host();
            if (size == 1 || size == 2 || size == 4 || size == 8) return ramRead(h, o, size);
            long v = rdBytes(h, o, size);
            VarHandle.acquireFence();
            return v;
        }
        if (s != null || phys.find(pa + size - 1) != null) return rdSplit(pa, size);
        if (size == 1 || size == 2 || size == 4 || size == 8) return mmioRead(pa, size);
        return rdSplit(pa, size);
    }

    private long rdSplit(long pa, int size) {
        long v = 0;
        int done = 0;
        while (done < size) {
            int n = Integer.highestOneBit(size - done);
            if (phys.find(pa + done) != null && phys.find(pa + done + n - 1) == null) n = 1;
            v |= rdPhys(pa + done, n) << (done * 8);
            done += n;
        }
        return v;
    }

    private static long rdBytes(MemorySegment h, long o, int size) {
        long v = 0;
        for (int b = size - 1; b >= 0; b--) v = v << 8 | h.get(ValueLayout.JAVA_BYTE, o + b) & 0xff;
        return v;
    }

    private long mmioRead(long pa, int size) {
        if (mmioIdx < mmioCount) return mmioVals[mmioIdx++] & mask(size);
        if (mmioCount == mmioVals.length) throw new EmuFailure("more than " + mmioVals.length + " MMIO reads in one instruction");
        pendingExit = new VcpuExit.MmioRead(pa, size);
        throw ExitRequest.INSTANCE;
    }

    final void wrPhys(long pa, int size, long v) {
        PhysMemory.Slot s = phys.find(pa);
        if (s != null && !s.readOnly() && s.contains(pa + size - 1)) {
            long o = pa - s.gpa();
            MemorySegment h = s.host();
            if (size == 1 || size == 2 || size == 4 || size == 8) { ramWrite(h, o, size, v); return; }
            if (h == codeSeg && Long.compareUnsigned(o - codeLo, 4096 + 8) < 0) blockStop = true;
            VarHandle.releaseFence();
            for (int b = 0; b < size; b++) h.set(ValueLayout.JAVA_BYTE, o + b, (byte) (v >>> (8 * b)));
            return;
        }
        PhysMemory.Slot last = phys.find(pa + size - 1);
        boolean whole = s == last && (s == null || s.readOnly());   // all MMIO, or all in one ROM slot
        if (whole && (size == 1 || size == 2 || size == 4 || size == 8)) {
            queuedExits.add(new VcpuExit.MmioWrite(pa, size, v & mask(size)));
            blockStop = true;
            return;
        }
        int done = 0;
        while (done < size) {
            int n = whole ? Integer.highestOneBit(size - done) : 1;
            wrPhys(pa + done, n, v >>> (8 * done));
            done += n;
        }
    }

    // ---- translation (Intel SDM Vol. 3A chapter 4) ----

    /** Linear to physical for an access by the current privilege ({@link #userBit}); #PF on failure. */
    final long translate(long lin, int acc) {
        if (!paging()) return longMode ? lin : lin & 0xffffffffL;
        return walk(lin, acc, userBit == 1);
    }

    private long walk(long lin, int acc, boolean user) {
        boolean write = acc == ACC_WRITE;
        if ((cr4 & CR4_PAE) == 0) return walk32(lin & 0xffffffffL, acc, user);
        long table;
        int levels;
        if (longMode) {
            table = cr3 & 0x000ffffffffff000L;
            levels = 4;
        } else {
            long pdpte = rdPhys((cr3 & 0xffffffe0L) + ((lin >>> 30) & 3) * 8, 8);
            if ((pdpte & 1) == 0) throw pageFault(lin, acc, user, false);
            if ((pdpte & 0x1e6) != 0) throw pageFault(lin, acc, user, true);
            table = pdpte & 0x000ffffffffff000L;
            levels = 2;
        }
        boolean nxe = (efer & EFER_NXE) != 0;
        boolean allowUser = true, allowWrite = true, nx = false;
        for (int level = levels; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            long ea = table + ((lin >>> shift) & 0x1ff) * 8;
            long e = rdPhys(ea, 8);
            if ((e & 1) == 0) throw pageFault(lin, acc, user, false);
            if (!nxe && e < 0) throw pageFault(lin, acc, user, true);
            allowUser &= (e & 4) != 0;
            allowWrite &= (e & 2) != 0;
            nx |= nxe && e < 0;
            boolean large = level <= 3 && level >= 2 && (e & 0x80) != 0;
            if (level == 4 && (e & 0x80) != 0) throw pageFault(lin, acc, user, true);
            if (large || level == 1) {
                long pageMask = (1L << shift) - 1;
                if (large && (e & (pageMask & ~0x1fffL)) != 0) throw pageFault(lin, acc, user, true);
                check(lin, acc, user, allowUser, allowWrite, nx);
                long d = write ? 0x60 : 0x20;
                if ((e & d) != d) wrPhys(ea, 8, e | d);
                return (e & 0x000ffffffffff000L & ~pageMask) | (lin & pageMask);
            }
            if ((e & 0x20) == 0) wrPhys(ea, 8, e | 0x20);
            table = e & 0x000ffffffffff000L;
        }
        throw new IllegalStateException("unreachable");
    }

    private long walk32(long lin, int acc, boolean user) {
        long pdeA = (cr3 & 0xfffff000L) + ((lin >>> 22) & 0x3ff) * 4;
        long pde = rdPhys(pdeA, 4);
        if ((pde & 1) == 0) throw pageFault(lin, acc, user, false);
        boolean write = acc == ACC_WRITE;
        if ((pde & 0x80) != 0 && (cr4 & CR4_PSE) != 0) {
            check(lin, acc, user, (pde & 4) != 0, (pde & 2) != 0, false);
            long d = write ? 0x60 : 0x20;
            if ((pde & d) != d) wrPhys(pdeA, 4, pde | d);
            return (pde & 0xffc00000L) | ((pde >>> 13) & 0xff) << 32 | (lin & 0x3fffff);
        }
        if ((pde & 0x20) == 0) wrPhys(pdeA, 4, pde | 0x20);
        long pteA = (pde & 0xfffff000L) + ((lin >>> 12) & 0x3ff) * 4;
        long pte = rdPhys(pteA, 4);
        if ((pte & 1) == 0) throw pageFault(lin, acc, user, false);
        check(lin, acc, user, (pde & pte & 4) != 0, (pde & pte & 2) != 0, false);
        long d = write ? 0x60 : 0x20;
        if ((pte & d) != d) wrPhys(pteA, 4, pte | d);
        return (pte & 0xfffff000L) | (lin & 0xfff);
    }

    private void check(long lin, int acc, boolean user, boolean allowUser, boolean allowWrite, boolean nx) {
        if (user && !allowUser) throw pageFaultP(lin, acc, user);
        if (acc == ACC_WRITE && !allowWrite && (user || (cr0 & CR0_WP) != 0)) throw pageFaultP(lin, acc, user);
        if (acc == ACC_EXEC && nx) throw pageFaultP(lin, acc, user);
    }

    private Fault pageFaultP(long lin, int acc, boolean user) {
        cr2Pending = lin;
        return Fault.withCode(Fault.PF, 1 | pfBits(acc, user));
    }

    private Fault pageFault(long lin, int acc, boolean user, boolean reserved) {
        cr2Pending = lin;
        return Fault.withCode(Fault.PF, (reserved ? 9 : 0) | pfBits(acc, user));
    }

    private int pfBits(int acc, boolean user) {
        boolean nxOn = (efer & EFER_NXE) != 0 && (cr4 & CR4_PAE) != 0;
        return (acc == ACC_WRITE ? 2 : 0) | (user ? 4 : 0) | (acc == ACC_EXEC && nxOn ? 16 : 0);
    }

    /** CR2 for a #PF being raised; written to CR2 when the fault is delivered (not on re-executions). */
    long cr2Pending;

    /** Reads guest memory for system structures (GDT, IDT, TSS): supervisor access whatever the CPL. */
    final long rdSys(long lin, int size) {
        int u = userBit;
        userBit = 0;
        try { return rd(lin, size); } finally { userBit = u; }
    }

    final void wrSys(long lin, int size, long v) {
        int u = userBit;
        userBit = 0;
        try { wr(lin, size, v); } finally { userBit = u; }
    }
}
