package dev.vmscope.emu;

import dev.vmscope.hypervisor.VcpuExit;

import java.util.HashMap;
import java.util.Map;

/**
 * System registers: control and debug register moves with their checks (Intel SDM Vol. 3A 2.5, 2.8; Vol. 2B
 * MOV CR/DR), the architectural MSRs kept here (Vol. 4 table 2-2), descriptor-table loads, SYSCALL/SYSRET,
 * SYSENTER/SYSEXIT and SWAPGS (Vol. 2B), and the time-stamp counter. Other MSRs exit to the VMM (RdMsr/WrMsr).
 */
abstract class CpuSystem extends CpuEvents {
    static final int MSR_TSC = 0x10, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
            MSR_MISC_ENABLE = 0x1a0, MSR_PAT = 0x277, MSR_MTRRCAP = 0xfe, MSR_MTRR_DEF_TYPE = 0x2ff,
            MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083,
            MSR_SFMASK = 0xc0000084, MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101,
            MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103;
    static final long TSC_HZ = 1_000_000_000L;
    static final long CR4_SUPPORTED = CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT;

    long star, lstar, cstar, sfmask, kernelGsBase, tscAux, sysenterCs, sysenterEsp, sysenterEip;
    long pat = 0x0007040600070406L, miscEnable = 1;
    final Map<Integer, Long> mtrrs = new HashMap<>();
    long tscOffset;
    long instructions;
    boolean deterministic;
    /** Deterministic mode's machine-wide virtual clock (ns, one per instruction), or null. */
    java.util.function.LongSupplier clock;

    // An MSR access completed by the VMM, consumed when the RDMSR/WRMSR re-executes.
    boolean msrDone, msrError;
    long msrValue;

    CpuSystem(PhysMemory phys) { super(phys); }

    final long tsc() { return rawTsc() + tscOffset; }

    /** The machine's virtual clock when it gave one, else this vCPU's count (deterministic) or host time. */
    private long rawTsc() {
        if (clock != null) return clock.getAsLong();
        return deterministic ? instructions : System.nanoTime();
    }

    final void requireCpl0() {
        if (protectedMode && cpl != 0) throw Fault.gp(0);
    }

    // ---- control registers ----

    final long readCr(int n) {
        return switch (n) {
            case 0 -> cr0;
            case 2 -> cr2;
            case 3 -> cr3;
            case 4 -> cr4;
            case 8 -> cr8;
            default -> throw Fault.ud();
        };
    }

    final void writeCr(int n, long v) {
        switch (n) {
            case 0 -> writeCr0(v);
            case 2 -> cr2 = v;
            case 3 -> {
                if (longMode && (v >>> 52) != 0) throw Fault.gp(0);
                cr3 = v;
                flushTlb();
            }
            case 4 -> {
                if ((v & ~CR4_SUPPORTED) != 0 || longMode && (v & CR4_PAE) == 0) throw Fault.gp(0);
                cr4 = v;
                flushTlb();
            }
            case 8 -> {
                if ((v & ~0xfL) != 0) throw Fault.gp(0);
                cr8 = v;
            }
            default -> throw Fault.ud();
        }
    }

    final void writeCr0(long v) {
        if ((v >>> 32) != 0) throw Fault.gp(0);
        v |= CR0_ET;
        if ((v & CR0_PG) != 0 && (v & CR0_PE) == 0 || (v & CR0_NW) != 0 && (v & CR0_CD) == 0) throw Fault.gp(0);
        boolean pgOn = (v & CR0_PG) != 0 && (cr0 & CR0_PG) == 0, pgOff = (v & CR0_PG) == 0 && (cr0 & CR0_PG) != 0;
        if (pgOn && (efer & EFER_LME) != 0) {
            if ((cr4 & CR4_PAE) == 0 || (segAttr[CS] & A_L) != 0) throw Fault.gp(0);
            efer |= EFER_LMA;
        }
        if (pgOff && longMode) {
            if (code64) throw Fault.gp(0);
            efer &= ~EFER_LMA;
        }
        cr0 = v;
        flushTlb();
        updateMode();
    }

    final long readDr(int n) {
        if ((cr4 & CR4_DE) != 0 && (n == 4 || n == 5)) throw Fault.ud();
        return dr[n == 4 ? 6 : n == 5 ? 7 : n] | (n == 6 || n == 4 ? 0xffff0ff0L : 0);
    }

    final void writeDr(int n, long v) {
        if (n > 7 || (cr4 & CR4_DE) != 0 && (n == 4 || n == 5)) throw Fault.ud();
        if (n == 4) n = 6;
        if (n == 5) n = 7;
        if ((n == 6 || n == 7) && (v >>> 32) != 0) throw Fault.gp(0);
        dr[n] = n == 7 ? v | 0x400 : n == 6 ? v | 0xffff0ff0L : v;
        debugRegistersChanged();
    }

    abstract void debugRegistersChanged();

    // ---- MSRs ----

    /** RDMSR: internal MSRs answer directly; others exit (the value arrives through completeMsr). */
    final long readMsr(int index) {
        Long v = internalMsr(index);
        if (v != null) return v;
        if (msrDone) {
            msrDone = false;
            if (msrError) throw Fault.gp(0);
            return msrValue;
        }
        pendingExit = new VcpuExit.RdMsr(index);
        throw ExitRequest.INSTANCE;
    }

    private Long internalMsr(int index) {
        return switch (index) {
            case MSR_TSC -> tsc();
            case MSR_SYSENTER_CS -> sysenterCs;
            case MSR_SYSENTER_ESP -> sysenterEsp;
            case MSR_SYSENTER_EIP -> sysenterEip;
            case MSR_MISC_ENABLE -> miscEnable;
            case MSR_PAT -> pat;
            case MSR_MTRRCAP -> 0x508L;   // 8 variable ranges, fixed ranges, write-combining (Vol. 3A 12.11.1)
            case 0x8b -> 0L;              // IA32_BIOS_SIGN_ID: no microcode
            case MSR_EFER -> efer;
            case MSR_STAR -> star;
            case MSR_LSTAR -> lstar;
            case MSR_CSTAR -> cstar;
            case MSR_SFMASK -> sfmask;
            case MSR_FS_BASE -> segBase[FS];
            case MSR_GS_BASE -> segBase[GS];
            case MSR_KERNEL_GS_BASE -> kernelGsBase;
            case MSR_TSC_AUX -> tscAux;
            default -> isMtrr(index) ? mtrrs.getOrDefault(index, 0L) : null;
        };
    }

    private static boolean isMtrr(int i) {
        return i >= 0x200 && i <= 0x20f || i == 0x250 || i == 0x258 || i == 0x259 || i >= 0x268 && i <= 0x26f || i == MSR_MTRR_DEF_TYPE;
    }

    final void writeMsr(int index, long v) {
        if (writeInternalMsr(index, v)) return;
        if (msrDone) {
            msrDone = false;
            if (msrError) throw Fault.gp(0);
            return;
        }
        pendingExit = new VcpuExit.WrMsr(index, v);
        throw ExitRequest.INSTANCE;
    }

    private boolean writeInternalMsr(int index, long v) {
        switch (index) {
            case MSR_TSC -> tscOffset = v - rawTsc();
            case MSR_SYSENTER_CS -> sysenterCs = v & 0xffff;
            case MSR_SYSENTER_ESP -> sysenterEsp = canonicalMsr(v);
            case MSR_SYSENTER_EIP -> sysenterEip = canonicalMsr(v);
            case MSR_MISC_ENABLE -> miscEnable = v;
            case MSR_PAT -> {
                for (int b = 0; b < 8; b++) {
                    int t = (int) (v >>> (8 * b)) & 0xff;
                    if (t == 2 || t == 3 || t > 7) throw Fault.gp(0);
                }
                pat = v;
            }
            case MSR_EFER -> writeEfer(v);
            case MSR_STAR -> star = v;
            case MSR_LSTAR -> lstar = canonicalMsr(v);
            case MSR_CSTAR -> cstar = canonicalMsr(v);
            case MSR_SFMASK -> sfmask = v & 0xffffffffL;
            case MSR_FS_BASE -> segBase[FS] = canonicalMsr(v);
            case MSR_GS_BASE -> segBase[GS] = canonicalMsr(v);
            case MSR_KERNEL_GS_BASE -> kernelGsBase = canonicalMsr(v);
            case MSR_TSC_AUX -> tscAux = v & 0xffffffffL;
            case 0x8b -> { }
            default -> {
                if (!isMtrr(index)) return false;
                mtrrs.put(index, v);
            }
        }
        return true;
    }

    private static long canonicalMsr(long v) {
        if (!canonical(v)) throw Fault.gp(0);
        return v;
    }

    private void writeEfer(long v) {
        long allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
        if ((v & ~allowed) != 0) throw Fault.gp(0);
        if (paging() && ((v ^ efer) & EFER_LME) != 0) throw Fault.gp(0);
        efer = v & ~EFER_LMA | efer & EFER_LMA;
        flushTlb();
        updateMode();
    }

    // ---- fast system calls ----

    final void syscall(long nextRip) {
        if ((efer & EFER_SCE) == 0 || !code64) throw Fault.ud();
        getFlags();
        r[1] = nextRip;
        r[11] = flags & ~RF;
        int cs = (int) (star >>> 32) & 0xfffc;
        setSeg(CS, cs, 0, 0xffffffffL, 0xa09b);
        setSeg(SS, cs + 8, 0, 0xffffffffL, 0xc093);
        rip = lstar;
        flags = flags & ~sfmask & ~RF | 2;
    }

    final void sysret(boolean toLong) {
        if ((efer & EFER_SCE) == 0 || !code64) throw Fault.ud();
        requireCpl0();
        if (toLong && !canonical(r[1])) throw Fault.gp(0);
        int base = (int) (star >>> 48) & 0xffff;
        if (toLong) setSeg(CS, base + 16 | 3, 0, 0xffffffffL, 0xa0fb);
        else setSeg(CS, base | 3, 0, 0xffffffffL, 0xc0fb);
        rip = toLong ? r[1] : r[1] & 0xffffffffL;
        lop = L_NONE;
        flags = r[11] & 0x3c7fd7L | 2;
        setSeg(SS, base + 8 | 3, segBase[SS], 0xffffffffL, 0xc0f3);
    }

    final void sysenter() {
        if (!protectedMode || (sysenterCs & 0xfffc) == 0) throw Fault.gp(0);
        getFlags();
        flags &= ~(VM | IF | RF);
        int cs = (int) sysenterCs & 0xfffc;
        setSeg(CS, cs, 0, 0xffffffffL, longMode ? 0xa09b : 0xc09b);
        setSeg(SS, cs + 8, 0, 0xffffffffL, 0xc093);
        r[4] = longMode ? sysenterEsp : sysenterEsp & 0xffffffffL;
        rip = longMode ? sysenterEip : sysenterEip & 0xffffffffL;
    }

    final void sysexit(boolean toLong) {
        if (!protectedMode || (sysenterCs & 0xfffc) == 0) throw Fault.gp(0);
        requireCpl0();
        int cs = (int) sysenterCs + (toLong ? 32 : 16);
        if (toLong && (!canonical(r[2]) || !canonical(r[1]))) throw Fault.gp(0);
        setSeg(CS, cs | 3, 0, 0xffffffffL, toLong ? 0xa0fb : 0xc0fb);
        setSeg(SS, cs + 8 | 3, 0, 0xffffffffL, 0xc0f3);
        rip = toLong ? r[2] : r[2] & 0xffffffffL;
        r[4] = toLong ? r[1] : r[1] & 0xffffffffL;
    }

    final void swapgs() {
        if (!code64) throw Fault.ud();
        requireCpl0();
        long t = segBase[GS];
        segBase[GS] = kernelGsBase;
        kernelGsBase = t;
    }

    // ---- LTR / LLDT ----

    final void ltr(int sel) {
        if (!protectedMode) throw Fault.ud();
        requireCpl0();
        if ((sel & 0xfffc) == 0 || (sel & 4) != 0) throw Fault.gp(sel & 0xfffc);
        long d = descriptor(sel, Fault.GP);
        int attr = descAttr(d);
        int type = attr & 0x1f;
        if (type != 1 && type != 9 || longMode && type != 9) throw Fault.gp(sel & 0xfffc);
        if ((attr & A_P) == 0) throw Fault.withCode(Fault.NP, sel & 0xfffc);
        long base = descBase(d);
        if (longMode) base |= rdSys(descriptorAddress(sel) + 8, 4) << 32;
        wrSys(descriptorAddress(sel) + 5, 1, (d >>> 40 | 2) & 0xff);
        segSel[TR] = sel;
        segBase[TR] = base;
        segLimit[TR] = descLimit(d);
        segAttr[TR] = attr | 2;
    }

    final void lldt(int sel) {
        if (!protectedMode) throw Fault.ud();
        requireCpl0();
        if ((sel & 0xfffc) == 0) {
            segSel[LDTR] = sel;
            segAttr[LDTR] = A_UNUSABLE;
            return;
        }
        if ((sel & 4) != 0) throw Fault.gp(sel & 0xfffc);
        long d = descriptor(sel, Fault.GP);
        int attr = descAttr(d);
        if ((attr & 0x1f) != 2) throw Fault.gp(sel & 0xfffc);
        if ((attr & A_P) == 0) throw Fault.withCode(Fault.NP, sel & 0xfffc);
        long base = descBase(d);
        if (longMode) base |= rdSys(descriptorAddress(sel) + 8, 4) << 32;
        segSel[LDTR] = sel;
        segBase[LDTR] = base;
        segLimit[LDTR] = descLimit(d);
        segAttr[LDTR] = attr;
    }
}
