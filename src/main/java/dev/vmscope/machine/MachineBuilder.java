package dev.vmscope.machine;

import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.irq.LocalApic;
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

    /** KVM_CAP_* (include/uapi/linux/kvm.h). */
    private static final int CAP_SET_TSS_ADDR = 4, CAP_SET_IDENTITY_MAP_ADDR = 37, CAP_SYNC_REGS = 74,
            CAP_X86_USER_SPACE_MSR = 188, CAP_X86_MSR_FILTER = 189, CAP_BINARY_STATS_FD = 203;
    /**
     * KVM_MSR_EXIT_REASON_INVAL (bit 0), _UNKNOWN (bit 1), _FILTER (bit 2). Without an in-kernel LAPIC, KVM
     * refuses x2APIC MSRs as invalid (arch/x86/kvm/lapic.c, kvm_x2apic_msr_read/write return 1), so INVAL
     * sends them here; IA32_APIC_BASE and IA32_TSC_DEADLINE are handled inside KVM even then and reach us
     * only when filtered (FILTER).
     */
    private static final long MSR_EXIT_REASONS = 1 | 1 << 1 | 1 << 2;
    /** MSRs the Java local APIC must see: IA32_APIC_BASE (0x1b) and IA32_TSC_DEADLINE (0x6e0). */
    private static final int[][] APIC_MSRS = {{LocalApic.MSR_APIC_BASE, 1}, {LocalApic.MSR_TSC_DEADLINE, 1}};

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
            boolean apicMsrs = true;   // the guest's APIC MSRs reach whichever local APIC is in use
            IntFunction<IrqLine> isaIrq;
            if (cfg.irqchip() == MachineConfig.IrqchipMode.KERNEL) {
                vm.createIrqchip();
                vm.createPit2();
                isaIrq = n -> level -> vm.irqLine(n, level);
            } else {
                user = new UserIrqchip(m, cfg.smp());
                m.setUserIrqchip(user);
                isaIrq = user::isaIrq;
                apicMsrs = routeApicMsrs(m, vm);
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
                LocalApic.Options lapic = user != null && apicMsrs ? tscDeadline(m, v) : LocalApic.Options.defaults();
                int hide = apicMsrs ? 0 : CpuidSetup.ECX_X2APIC | CpuidSetup.ECX_TSC_DEADLINE;
                if (user != null && !lapic.tscDeadline()) hide |= CpuidSetup.ECX_TSC_DEADLINE;
                v.fd().setCpuid2(CpuidSetup.forVcpu(cpuid, i, cfg.smp(), hide));
                CpuRuntime rt = new CpuRuntime(m, v, user, i != 0);
                if (user != null) rt.setLapic(user.createLapic(i, rt, lapic));
                v.setHooks(rt);
                m.addRuntime(rt);
                if (syncRegs) v.fd().enableSyncRegs();
                if (i == 0) boot.applyTo(v.fd());
            }
            if (m.kvm().checkExtension(CAP_BINARY_STATS_FD) > 0) m.openKernelStats();
            if (cfg.trace() && m.ipiVisibilityNote() != null) diag.println("vmscope: note: " + m.ipiVisibilityNote());
            DebugCapabilities caps = cfg.debug().gdb() != null ? DebugProbe.probe(m.kvm()) : DebugCapabilities.KVM_NO_SW_BP;
            m.setDebugging(new Debugging(m, caps));
            dev.vmscope.util.Timing.mark("vCPUs created");
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * --irqchip user: makes x2APIC and TSC-deadline MSR accesses exit to userspace. Returns false when this
     * host cannot (then CPUID must not offer x2APIC or the TSC-deadline timer, or a guest using them would
     * talk to KVM's absent APIC and take #GP).
     */
    private static boolean routeApicMsrs(Machine m, VmFd vm) {
        if (m.kvm().checkExtension(CAP_X86_USER_SPACE_MSR) <= 0 || m.kvm().checkExtension(CAP_X86_MSR_FILTER) <= 0) {
            m.diag().println("vmscope: note: this host has no userspace MSR exits or MSR filter; "
                    + "x2APIC and the TSC-deadline timer are hidden from CPUID with --irqchip user");
            return false;
        }
        try {
            vm.enableCap(CAP_X86_USER_SPACE_MSR, MSR_EXIT_REASONS);
            vm.denyMsrs(APIC_MSRS);
            return true;
        } catch (KvmException e) {
            m.warn("userspace APIC MSR exits (x2APIC, TSC deadline; both hidden from CPUID)", e);
            return false;
        }
    }

    /** TSC-deadline mode for a Java local APIC: needs the guest TSC and its frequency from KVM. */
    private static LocalApic.Options tscDeadline(Machine m, Vcpu v) {
        long khz;
        try { khz = v.fd().tscKhz(); } catch (KvmException e) { khz = 0; }
        if (khz <= 0) return LocalApic.Options.defaults();
        return LocalApic.Options.defaults().withTscDeadline(v.fd()::guestTsc, khz * 1000);
    }
}
