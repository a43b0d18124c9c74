package dev.vmscope.kvm;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.sys.SyscallException;

import java.util.Map;

/** {@link VirtualCpu} on a KVM vCPU fd: each method is the ioctl or kvm_run field named in its comment. */
final class KvmVcpu implements VirtualCpu {
    /** KVM_GUESTDBG_* (arch/x86/include/uapi/asm/kvm.h and include/uapi/linux/kvm.h). */
    static final int GUESTDBG_ENABLE = 1, GUESTDBG_SINGLESTEP = 2, GUESTDBG_USE_SW_BP = 0x10000,
            GUESTDBG_USE_HW_BP = 0x20000, GUESTDBG_BLOCKIRQ = 0x100000;

    private final VcpuFd fd;
    private final boolean softwareBreakpoints;
    private final boolean blockIrq;
    private KvmStats stats;

    KvmVcpu(VcpuFd fd, boolean softwareBreakpoints, boolean blockIrq) {
        this.fd = fd;
        this.softwareBreakpoints = softwareBreakpoints;
        this.blockIrq = blockIrq;
    }

    VcpuFd fd() { return fd; }

    void openStats() {
        try { stats = fd.openStats(); } catch (SyscallException e) { stats = null; }
    }

    @Override public int id() { return fd.id(); }
    @Override public void attachThread() { fd.bindToCurrentThread(); }
    @Override public void detachThread() { fd.unbindCurrentThread(); }
    @Override public VcpuExit run() { return fd.run(); }
    @Override public void kick() { fd.kick(); }
    @Override public void completeIn(byte[] data) { fd.completeIn(data); }
    @Override public void completeMmioRead(long value) { fd.completeMmioRead(value); }
    @Override public void completeMsr(boolean error, long value) { fd.completeMsr(error, value); }
    @Override public CpuState state() { return KvmCpuState.capture(fd); }
    @Override public void setState(CpuState s) { KvmCpuState.apply(fd, s); }

    /**
     * INIT/reset: KVM first finishes the instruction behind the last MMIO/PIO exit (KVM_RUN with
     * immediate_exit), else it would write the old instruction's result over the new state; the interrupt
     * bitmap is emptied (KVM_SET_SREGS re-queues any bit set) and events cleared, as kvm_vcpu_reset does.
     */
    @Override public void restart(CpuState s) {
        fd.completePendingExit();
        KvmCpuState.apply(fd, s, true);
        fd.clearEvents();
    }

    @Override public boolean interruptsEnabled() { return fd.ifFlag(); }
    @Override public boolean readyForInterrupt() { return fd.readyForInterruptInjection(); }
    @Override public void injectInterrupt(int vector) { fd.interrupt(vector); }
    @Override public void injectNmi() { fd.nmi(); }
    @Override public void requestInterruptWindow(boolean on) { fd.requestInterruptWindow(on); }

    /** KVM_SET_GUEST_DEBUG: debug-register slots, single-step, and the int3 intercept where the host has one. */
    @Override public void setGuestDebug(GuestDebug d, boolean blockInterrupts) {
        int control = 0;
        if (d.singleStep() || d.anyHardware() || d.softwareBreakpoints()) {
            control = GUESTDBG_ENABLE | (d.singleStep() ? GUESTDBG_SINGLESTEP : 0)
                    | (d.anyHardware() ? GUESTDBG_USE_HW_BP : 0)
                    | (d.softwareBreakpoints() && softwareBreakpoints ? GUESTDBG_USE_SW_BP : 0)
                    | (d.singleStep() && blockInterrupts && blockIrq ? GUESTDBG_BLOCKIRQ : 0);
        }
        long[] dr = new long[8];
        System.arraycopy(d.slotAddresses(), 0, dr, 0, 4);
        dr[7] = d.anyHardware() ? d.dr7() : 0;
        fd.setGuestDebug(control, dr);
    }

    @Override public long exitRip() { return fd.exitRip(); }

    @Override public long guestTsc() { return fd.guestTsc(); }

    @Override public long tscHz() {
        try { return Math.max(0, fd.tscKhz()) * 1000; } catch (SyscallException e) { return 0; }
    }

    @Override public Map<String, Long> counters() {
        if (stats == null) return Map.of();
        try { return stats.read(); } catch (SyscallException e) { return Map.of(); }
    }

    @Override public void close() {
        if (stats != null) stats.close();
        fd.close();
    }
}
