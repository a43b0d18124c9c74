package dev.vmscope.emu;

import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.hypervisor.VcpuExit;

/**
 * Breakpoints, watchpoints and single-step: the debugger's (GuestDebug, reported as KVM_EXIT_DEBUG like
 * KVM_GUESTDBG_USE_HW_BP / SINGLESTEP) and the guest's own DR0-DR7 and RFLAGS.TF (delivered as #DB with DR6
 * B0-B3/BS, Intel SDM Vol. 3B 18.2-18.3). Instruction breakpoints are faults checked before the instruction;
 * data breakpoints and single-step are traps reported after it. The debugger's watched ranges
 * ({@link GuestDebug#watches()}: any number, any length, read-only too) are checked on the same accesses as
 * the slots and reported like them, with the range's index in {@link VcpuExit.Debug#watch()}.
 */
final class DebugUnit {
    private static final long DR6_BS = 0x4000, DR6_FIXED = 0xffff0ff0L;

    private final EmuCpu cpu;
    private GuestDebug host = GuestDebug.OFF;
    // Armed slots: 0-3 the debugger's, 4-7 the guest's DR0-DR3.
    private final long[] addr = new long[8];
    private final int[] len = new int[8], rw = new int[8];
    private final boolean[] armed = new boolean[8];
    private boolean anyExec, anyData;
    private int hits;
    /** The debugger's watched ranges, and the first one an access of the current instruction hit (-1: none). */
    private GuestDebug.Watch[] ranges = new GuestDebug.Watch[0];
    private int rangeHit = -1;
    private long skipLin = -1;

    DebugUnit(EmuCpu cpu) { this.cpu = cpu; }

    void setGuestDebug(GuestDebug d) {
        host = d == null ? GuestDebug.OFF : d;
        refresh();
    }

    boolean softwareBreakpoints() { return host.softwareBreakpoints(); }

    boolean active() { return host.singleStep() || anyExec || anyData; }

    void refresh() {
        anyExec = anyData = false;
        ranges = host.watches().toArray(GuestDebug.Watch[]::new);
        anyData = ranges.length > 0;
        for (int i = 0; i < 4; i++) {
            GuestDebug.Slot s = host.slot(i);
            set(i, s != null, s == null ? 0 : s.address(), s == null ? 1 : s.length(), s == null ? 0 : s.kind().rw);
        }
        long dr7 = cpu.dr[7];
        for (int i = 0; i < 4; i++) {
            boolean on = (dr7 >>> (2 * i) & 3) != 0;
            int rwBits = (int) (dr7 >>> (16 + 4 * i)) & 3, lenBits = (int) (dr7 >>> (18 + 4 * i)) & 3;
            int l = switch (lenBits) { case 0 -> 1; case 1 -> 2; case 2 -> 8; default -> 4; };
            set(4 + i, on && rwBits != 2, cpu.dr[i], rwBits == 0 ? 1 : l, rwBits);
        }
        if (cpu.watchActive != anyData) {
            cpu.watchActive = anyData;
            cpu.flushTlb();
        }
    }

    private void set(int i, boolean on, long a, int l, int kind) {
        armed[i] = on;
        addr[i] = a;
        len[i] = l;
        rw[i] = kind;
        if (on && kind == 0) anyExec = true;
        if (on && kind != 0) anyData = true;
    }

    /** Instruction breakpoints (faults): a debugger hit exits, a guest hit raises #DB. */
    VcpuExit beforeInstruction() {
        hits = 0;
        rangeHit = -1;
        if (!anyExec) return null;
        long lin;
        try {
            lin = cpu.linearRip();
        } catch (Fault f) {
            return null;
        }
        if (lin == skipLin) {
            skipLin = -1;
            return null;
        }
        skipLin = -1;
        for (int i = 0; i < 8; i++) {
            if (!armed[i] || rw[i] != 0 || addr[i] != lin) continue;
            if (i < 4) {
                skipLin = lin;
                return new VcpuExit.Debug(Fault.DB, lin, DR6_FIXED | 1L << i, host.dr7());
            }
            if ((cpu.flags & CpuRegs.RF) != 0) continue;
            cpu.dr[6] = DR6_FIXED | 1L << (i - 4);
            if (!cpu.raise(Fault.of(Fault.DB), false)) return new VcpuExit.Shutdown();
            return null;
        }
        return null;
    }

    void watch(long lin, int size, boolean write) {
        for (int i = 0; i < 8; i++) {
            if (!armed[i] || rw[i] == 0 || rw[i] == 1 && !write) continue;
            if (Long.compareUnsigned(lin + size - 1, addr[i]) >= 0 && Long.compareUnsigned(lin, addr[i] + len[i] - 1) <= 0)
                hits |= 1 << i;
        }
        if (rangeHit < 0) {
            for (int i = 0; i < ranges.length; i++) {
                if (ranges[i].hit(lin, size, write)) { rangeHit = i; break; }
            }
        }
    }

    /** An access of the current instruction hit a data breakpoint or watched range. */
    boolean anyHit() { return hits != 0 || rangeHit >= 0; }

    /** Traps after a committed instruction: data breakpoints, the guest's TF, the debugger's single-step. */
    VcpuExit afterInstruction(boolean guestTf) {
        cpu.flags &= ~CpuRegs.RF;
        long lin;
        try {
            lin = cpu.linearRip();
        } catch (Fault f) {
            lin = cpu.rip;
        }
        if ((hits & 0xf) != 0 || rangeHit >= 0) {
            int h = hits & 0xf, range = (hits & 0xf) != 0 ? -1 : rangeHit;
            hits = 0;
            rangeHit = -1;
            return new VcpuExit.Debug(Fault.DB, lin, DR6_FIXED | h, host.dr7(), range);
        }
        if (hits != 0 || guestTf) {
            cpu.dr[6] = DR6_FIXED | (hits >>> 4) | (guestTf ? DR6_BS : 0);
            hits = 0;
            if (!cpu.raise(Fault.of(Fault.DB), false)) return new VcpuExit.Shutdown();
        }
        if (host.singleStep()) {
            try {
                lin = cpu.linearRip();
            } catch (Fault f) {
                lin = cpu.rip;
            }
            return new VcpuExit.Debug(Fault.DB, lin, DR6_FIXED | DR6_BS, host.dr7());
        }
        return null;
    }
}
