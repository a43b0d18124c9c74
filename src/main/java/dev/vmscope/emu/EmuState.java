package dev.vmscope.emu;

import dev.vmscope.emu.softfloat.FpuState;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.CpuState.Segment;

/**
 * Converts between the neutral {@link CpuState} and the emulator's registers. Segment attributes are the same
 * VMX access-rights layout on both sides, so hidden parts copy across unchanged.
 */
final class EmuState {
    private static final int[] ORDER = {CpuRegs.ES, CpuRegs.CS, CpuRegs.SS, CpuRegs.DS, CpuRegs.FS, CpuRegs.GS, CpuRegs.LDTR, CpuRegs.TR};

    /** CpuState/KVM register order (rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8..) to the x86 encoding order. */
    private static final int[] GPR = {0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15};

    private EmuState() {}

    static void apply(EmuCpu c, CpuState s) {
        long[] g = s.gprs();
        for (int k = 0; k < 16; k++) c.r[GPR[k]] = g[k];
        c.rip = s.rip();
        c.lop = CpuRegs.L_NONE;
        c.flags = s.rflags() | 2;
        Segment[] segs = {s.es(), s.cs(), s.ss(), s.ds(), s.fs(), s.gs(), s.ldt(), s.tr()};
        for (int k = 0; k < 8; k++) {
            int i = ORDER[k];
            c.segSel[i] = segs[k].selector() & 0xffff;
            c.segBase[i] = segs[k].base();
            c.segLimit[i] = segs[k].limit() & 0xffffffffL;
            c.segAttr[i] = segs[k].attributes();
        }
        c.gdtBase = s.gdt().base();
        c.gdtLimit = s.gdt().limit() & 0xffff;
        c.idtBase = s.idt().base();
        c.idtLimit = s.idt().limit() & 0xffff;
        c.cr0 = s.cr0() | CpuRegs.CR0_ET;
        c.cr2 = s.cr2();
        c.cr3 = s.cr3();
        c.cr4 = s.cr4();
        c.cr8 = s.cr8();
        c.efer = s.efer();
        c.kernelGsBase = s.kernelGsBase();
        c.dr[0] = s.dr0();
        c.dr[1] = s.dr1();
        c.dr[2] = s.dr2();
        c.dr[3] = s.dr3();
        c.dr[6] = s.dr6();
        c.dr[7] = s.dr7();
        applyFpu(c.fpu, s.fpu());
        c.updateMode();
        c.flushTlb();
    }

    static CpuState capture(EmuCpu c, int pendingIrq, boolean nmiPending, boolean nmiMasked) {
        long[] g = new long[16];
        for (int k = 0; k < 16; k++) g[k] = c.r[GPR[k]];
        Segment[] segs = new Segment[8];
        for (int k = 0; k < 8; k++) {
            int i = ORDER[k];
            segs[k] = new Segment(c.segSel[i], c.segBase[i], c.segLimit[i], c.segAttr[i]);
        }
        CpuState.PendingEvents ev = new CpuState.PendingEvents(false, false, 0, false, 0, pendingIrq >= 0,
                Math.max(pendingIrq, 0), c.shadowActive, nmiPending, false, nmiMasked, false);
        CpuState.Fpu fpu = captureFpu(c.fpu);
        return new CpuState(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13],
                g[14], g[15], c.rip, c.getFlags(), segs[1], segs[3], segs[0], segs[4], segs[5], segs[2], segs[7], segs[6],
                new CpuState.Table(c.gdtBase, c.gdtLimit), new CpuState.Table(c.idtBase, c.idtLimit),
                c.cr0, c.cr2, c.cr3, c.cr4, c.cr8, c.efer, c.kernelGsBase,
                c.dr[0], c.dr[1], c.dr[2], c.dr[3], c.dr[6], c.dr[7], ev, CpuState.MpState.RUNNABLE, fpu, java.util.Set.of());
    }

    /**
     * CpuState.Fpu (struct kvm_fpu's content: ST0-ST7 in stack order, the full tag word by physical register,
     * FIP/FDP offsets with their selectors) into the unit; TOP comes from FSW bits 13:11.
     */
    static void applyFpu(FpuState f, CpuState.Fpu s) {
        f.fcw = s.fcw() & 0x1F3F | 0x40;
        f.setStatusWord(s.fsw());
        f.tags = s.ftw() & 0xFFFF;
        f.fop = s.fop() & 0x7FF;
        f.fip = s.fioff() & 0xFFFFFFFFL;
        f.fcs = s.fiseg() & 0xFFFF;
        f.fdp = s.fooff() & 0xFFFFFFFFL;
        f.fds = s.foseg() & 0xFFFF;
        byte[] st = s.st();
        for (int i = 0; i < 8; i++) {
            int p = f.physical(i);
            f.sig[p] = X87Env.get(st, 10 * i, 8);
            f.se[p] = (int) X87Env.get(st, 10 * i + 8, 2);
        }
        byte[] x = s.xmm();
        for (int k = 0; k < 32; k++) f.xmm[k] = X87Env.get(x, 8 * k, 8);
        f.mxcsr = s.mxcsr();
    }

    static CpuState.Fpu captureFpu(FpuState f) {
        byte[] st = new byte[CpuState.Fpu.ST_BYTES];
        X87Env.storeRegisters(f, st, 0);
        byte[] x = new byte[CpuState.Fpu.XMM_BYTES];
        for (int k = 0; k < 32; k++) X87Env.put(x, 8 * k, f.xmm[k], 8);
        return new CpuState.Fpu(f.fcw, f.statusWord(), f.fullTags(), f.fop, f.fcs, (int) f.fip, f.fds, (int) f.fdp,
                st, x, f.mxcsr);
    }
}
