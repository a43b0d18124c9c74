package dev.vmscope.machine;

import dev.vmscope.debug.DebugCapabilities;
import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.kvm.CpuidEntry;
import dev.vmscope.kvm.VmFd;
import dev.vmscope.kvm.sys.KvmException;
import dev.vmscope.vcpu.Vcpu;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.function.IntFunction;

/** The one place that wires a VM: KVM set-up, interrupt controllers, devices, boot, vCPUs. */
public final class MachineBuilder {
    private MachineBuilder() {}

    /** KVM_CAP_SET_TSS_ADDR, KVM_CAP_X86_USER_SPACE_MSR (include/uapi/linux/kvm.h). */
    private static final int CAP_SET_TSS_ADDR = 4, CAP_SET_IDENTITY_MAP_ADDR = 37, CAP_SYNC_REGS = 74,
            CAP_X86_USER_SPACE_MSR = 188, CAP_BINARY_STATS_FD = 203;
    /** KVM_MSR_EXIT_REASON_UNKNOWN: MSRs KVM does not know exit to userspace (x2APIC with --irqchip user). */
    private static final long MSR_EXIT_REASON_UNKNOWN = 1 << 1;

    public static Machine build(MachineConfig cfg, OutputStream console, OutputStream debugcon, PrintStream diag) {
        return build(cfg, console, debugcon, diag, false);
    }

    /** @param interactive feed the terminal's input to COM1 (only when stdin is a terminal) */
    public static Machine build(MachineConfig cfg, OutputStream console, OutputStream debugcon, PrintStream diag,
                                boolean interactive) {
        Machine m = new Machine(cfg, diag);
        dev.vmscope.util.Timing.mark("KVM open, VM created, RAM mapped");
        try {
            VmFd vm = m.vm();
            if (m.kvm().checkExtension(CAP_SET_TSS_ADDR) > 0) {
                try { vm.setTssAddr(MemoryMap.KVM_TSS); } catch (KvmException e) { m.warn("KVM_SET_TSS_ADDR", e); }
            }
            // Next to the TSS, as QEMU does (target/i386/kvm/kvm.c): KVM's default, 0xfffbc000, lies inside
            // firmware images larger than 256 KiB. Must precede vCPU creation.
            if (m.kvm().checkExtension(CAP_SET_IDENTITY_MAP_ADDR) > 0) {
                try { vm.setIdentityMapAddr(MemoryMap.KVM_IDENTITY_MAP); } catch (KvmException e) { m.warn("KVM_SET_IDENTITY_MAP_ADDR", e); }
            }
            UserIrqchip user = null;
            IntFunction<IrqLine> isaIrq;
            if (cfg.irqchip() == MachineConfig.IrqchipMode.KERNEL) {
                vm.createIrqchip();
                vm.createPit2();
                isaIrq = n -> level -> vm.irqLine(n, level);
            } else {
                user = new UserIrqchip(m, cfg.smp());
                m.setUserIrqchip(user);
                isaIrq = user::isaIrq;
                if (m.kvm().checkExtension(CAP_X86_USER_SPACE_MSR) > 0) {
                    try { vm.enableCap(CAP_X86_USER_SPACE_MSR, MSR_EXIT_REASON_UNKNOWN); }
                    catch (KvmException e) { m.warn("userspace MSR exits (x2APIC, TSC deadline)", e); }
                }
            }
            PcDevices devices = new PcDevices(m.pio(), m.mmio(), m.memory(), m, cfg.ramBytes(), cfg.smp(), diag,
                    new ConsoleOutput(console), new ConsoleOutput(debugcon), isaIrq);
            m.setDevices(devices);
            if (m.firmware() != null) m.firmware().attach(m.mmio(), devices.i440fx());
            dev.vmscope.util.Timing.mark("irqchip and devices");
            if (System.console() != null && interactive) ConsoleInput.start(System.in, devices.com1());
            BootPlan boot = Boot.prepare(m, devices);
            dev.vmscope.util.Timing.mark("kernel loaded");
            List<CpuidEntry> cpuid = m.kvm().supportedCpuid();
            boolean syncRegs = (m.kvm().checkExtension(CAP_SYNC_REGS) & 1) != 0;
            dev.vmscope.util.Timing.mark("supported CPUID");
            for (int i = 0; i < cfg.smp(); i++) {
                Vcpu v = m.addVcpu(i);
                v.fd().setCpuid2(CpuidSetup.forVcpu(cpuid, i, cfg.smp()));
                CpuRuntime rt = new CpuRuntime(m, v, user, i != 0);
                if (user != null) rt.setLapic(user.createLapic(i, rt));
                v.setHooks(rt);
                m.addRuntime(rt);
                if (syncRegs) v.fd().enableSyncRegs();
                if (i == 0) boot.applyTo(v.fd());
            }
            if (m.kvm().checkExtension(CAP_BINARY_STATS_FD) > 0) m.openKernelStats();
            DebugCapabilities caps = cfg.debug().gdb() != null ? DebugProbe.probe(m.kvm()) : DebugCapabilities.KVM_NO_SW_BP;
            m.setDebugging(new Debugging(m, caps));
            dev.vmscope.util.Timing.mark("vCPUs created");
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }
}
