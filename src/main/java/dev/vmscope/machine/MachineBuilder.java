package dev.vmscope.machine;

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

    /** KVM_CAP_SET_TSS_ADDR (include/uapi/linux/kvm.h). */
    private static final int CAP_SET_TSS_ADDR = 4;

    public static Machine build(MachineConfig cfg, OutputStream console, OutputStream debugcon, PrintStream diag) {
        return build(cfg, console, debugcon, diag, false);
    }

    /** @param interactive feed the terminal's input to COM1 (only when stdin is a terminal) */
    public static Machine build(MachineConfig cfg, OutputStream console, OutputStream debugcon, PrintStream diag,
                                boolean interactive) {
        Machine m = new Machine(cfg, diag);
        try {
            VmFd vm = m.vm();
            if (m.kvm().checkExtension(CAP_SET_TSS_ADDR) > 0) {
                try { vm.setTssAddr(MemoryMap.KVM_TSS); } catch (KvmException e) { m.warn("KVM_SET_TSS_ADDR", e); }
            }
            IntFunction<IrqLine> isaIrq = switch (cfg.irqchip()) {
                case KERNEL -> kernelIrqchip(vm);
                case USER -> n -> IrqLine.NONE; // replaced by the Java interrupt controllers
            };
            PcDevices devices = new PcDevices(m.pio(), m.mmio(), m.memory(), m, cfg.ramBytes(), cfg.smp(), diag,
                    new ConsoleOutput(console), new ConsoleOutput(debugcon), isaIrq);
            if (System.console() != null && interactive) ConsoleInput.start(System.in, devices.com1());
            BootPlan boot = Boot.prepare(m, devices);
            List<CpuidEntry> cpuid = m.kvm().supportedCpuid();
            for (int i = 0; i < cfg.smp(); i++) {
                Vcpu v = m.addVcpu(i);
                v.fd().setCpuid2(CpuidSetup.forVcpu(cpuid, i, cfg.smp()));
                if (i == 0) boot.applyTo(v.fd());
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** KVM's PIC, IOAPIC, LAPICs and PIT; ISA IRQ n drives GSI n through KVM_IRQ_LINE. */
    private static IntFunction<IrqLine> kernelIrqchip(VmFd vm) {
        vm.createIrqchip();
        vm.createPit2();
        return n -> level -> vm.irqLine(n, level);
    }
}
