package dev.vmscope.kvm;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.sys.SyscallException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts between KVM's register structures and the debugger's neutral {@link CpuState}. Parts a host
 * cannot give (debug registers, MP state on some hosts) are listed in {@link CpuState#unknown()}.
 */
final class KvmCpuState {
    private KvmCpuState() {}

    /** MSR_KERNEL_GS_BASE (Intel SDM vol. 4, table 2-2). */
    static final int MSR_KERNEL_GS_BASE = 0xc0000102;

    static CpuState capture(VcpuFd fd) {
        Regs r = fd.getRegs();
        Sregs s = fd.getSregs();
        java.util.Set<String> unknown = new java.util.TreeSet<>();
        long[] dr = {0, 0, 0, 0, 0xffff0ff0L, 0x400};
        try { dr = fd.getDebugRegs(); } catch (SyscallException e) { unknown.add("debug_registers"); }
        long kgs = 0;
        try { kgs = fd.getMsrs(MSR_KERNEL_GS_BASE)[0]; } catch (SyscallException e) { unknown.add("kernel_gs_base"); }
        CpuState.PendingEvents ev = CpuState.PendingEvents.NONE;
        try { ev = events(fd.getVcpuEvents()); } catch (SyscallException e) { unknown.add("events"); }
        CpuState.MpState mp = CpuState.MpState.RUNNABLE;
        try { mp = CpuState.MpState.ofKvm(fd.getMpState().ordinal()); } catch (RuntimeException e) { unknown.add("mp_state"); }
        CpuState.Fpu fpu = CpuState.Fpu.EMPTY;
        try { fpu = fpu(fd.getFpu()); } catch (SyscallException e) { unknown.add("fpu"); }
        return new CpuState(r.rax(), r.rbx(), r.rcx(), r.rdx(), r.rsi(), r.rdi(), r.rbp(), r.rsp(),
                r.r8(), r.r9(), r.r10(), r.r11(), r.r12(), r.r13(), r.r14(), r.r15(), r.rip(), r.rflags(),
                s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(),
                new CpuState.Table(s.gdt().base(), s.gdt().limit()), new CpuState.Table(s.idt().base(), s.idt().limit()),
                s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), kgs,
                dr[0], dr[1], dr[2], dr[3], dr[4], dr[5], ev, mp, fpu, unknown);
    }

    private static CpuState.PendingEvents events(VcpuEvents e) {
        return new CpuState.PendingEvents(e.exceptionPending(), e.exceptionInjected(), e.exceptionNr(),
                e.exceptionHasErrorCode(), e.exceptionErrorCode(), e.interruptInjected(), e.interruptNr(),
                e.interruptShadow() != 0, e.nmiPending(), e.nmiInjected(), e.nmiMasked(), e.smiPending());
    }

    /** struct kvm_fpu -> CpuState.Fpu; the abridged tag byte becomes a full tag word (valid or empty). */
    private static CpuState.Fpu fpu(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        byte[] st = new byte[CpuState.Fpu.ST_BYTES];
        for (int i = 0; i < 8; i++) System.arraycopy(raw, i * 16, st, i * 10, 10);
        int ftwx = raw[132] & 0xff, ftw = 0;
        for (int i = 0; i < 8; i++) if ((ftwx & (1 << i)) == 0) ftw |= 3 << (2 * i);
        byte[] xmm = new byte[CpuState.Fpu.XMM_BYTES];
        System.arraycopy(raw, 152, xmm, 0, 256);
        long lastIp = b.getLong(136), lastDp = b.getLong(144);
        return new CpuState.Fpu(b.getShort(128) & 0xffff, b.getShort(130) & 0xffff, ftw, b.getShort(134) & 0xffff,
                0, (int) lastIp, 0, (int) lastDp, st, xmm, b.getInt(408));
    }

    /** Writes GPRs, RIP, RFLAGS, segments, tables and control registers back. */
    static void apply(VcpuFd fd, CpuState c) { apply(fd, c, false); }

    /** @param clearPendingInterrupts empty the interrupt bitmap (INIT: nothing queued before it survives) */
    static void apply(VcpuFd fd, CpuState c, boolean clearPendingInterrupts) {
        fd.setRegs(new Regs(c.rax(), c.rbx(), c.rcx(), c.rdx(), c.rsi(), c.rdi(), c.rsp(), c.rbp(), c.r8(), c.r9(),
                c.r10(), c.r11(), c.r12(), c.r13(), c.r14(), c.r15(), c.rip(), c.rflags()));
        Sregs s = fd.getSregs();
        fd.setSregs(new Sregs(c.cs(), c.ds(), c.es(), c.fs(), c.gs(), c.ss(),
                c.tr(), c.ldt(), new DTable(c.gdt().base(), c.gdt().limit()),
                new DTable(c.idt().base(), c.idt().limit()), c.cr0(), c.cr2(), c.cr3(), c.cr4(), c.cr8(), c.efer(),
                s.apicBase(), clearPendingInterrupts ? new long[s.interruptBitmap().length] : s.interruptBitmap()));
    }
}
