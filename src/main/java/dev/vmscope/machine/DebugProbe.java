package dev.vmscope.machine;

import dev.vmscope.debug.DebugCapabilities;
import dev.vmscope.kvm.Kvm;
import dev.vmscope.kvm.Regs;
import dev.vmscope.kvm.Segment;
import dev.vmscope.kvm.VcpuExit;
import dev.vmscope.kvm.VcpuFd;
import dev.vmscope.kvm.VmFd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Finds out at run time whether this host's KVM delivers int3 intercepts (KVM_GUESTDBG_USE_SW_BP): a
 * throw-away VM executes one int3 in real mode. On hosts where it does not (some nested setups end in a KVM
 * internal error instead), the debugger falls back to hardware breakpoints and says so.
 */
final class DebugProbe {
    private DebugProbe() {}

    static DebugCapabilities probe(Kvm kvm) {
        return new DebugCapabilities(true, 4, softwareBreakpointsWork(kvm), true);
    }

    static boolean softwareBreakpointsWork(Kvm kvm) {
        try (VmFd vm = kvm.createVm()) {
            MemorySegment ram = vm.mapRam(0x10000);
            vm.setUserMemoryRegion(0, 0, 0, ram);
            ram.set(ValueLayout.JAVA_BYTE, 0x1000, (byte) 0xcc); // int3
            ram.set(ValueLayout.JAVA_BYTE, 0x1001, (byte) 0xf4); // hlt
            VcpuFd cpu = vm.createVcpu(0);
            Segment c = Segment.real(0, true), d = Segment.real(0, false);
            cpu.setSregs(cpu.getSregs().withSegments(c, d, d, d, d, d));
            cpu.setRegs(Regs.zero().withRip(0x1000));
            cpu.setGuestDebug(KvmDebugTarget.ENABLE | KvmDebugTarget.USE_SW_BP, new long[8]);
            return cpu.run() instanceof VcpuExit.Debug dbg && dbg.exception() == 3;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
