package dev.vmscope.emu;

import dev.vmscope.hypervisor.Capabilities;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.Hypervisor;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.hypervisor.VmSpec;

/**
 * vmscope's software x86 CPU as a backend (`--accel emu`): an interpreter with a decoded-instruction cache,
 * lazy flags and a software TLB. Interrupt controllers are the Java ones; x2APIC and TSC-deadline MSRs exit to them.
 */
public final class EmuHypervisor implements Hypervisor {
    /**
     * Everything in software: single-step, four debug-register slots, INT3 intercept, real data breakpoints, and
     * any number of watched ranges of any length (DebugUnit checks every data access).
     */
    static final DebugCapabilities DEBUG = new DebugCapabilities(true, 4, true, true, true, true);

    public EmuHypervisor() { }

    @Override public String name() { return "emu"; }

    @Override public Capabilities capabilities() { return new Capabilities(false, true, true, false, true); }

    @Override public VirtualMachine createVm(VmSpec spec) {
        if (spec.kernelIrqchip()) throw new IllegalArgumentException("the software CPU has no in-kernel irqchip (use --irqchip user)");
        return new EmuVm(spec);
    }

    @Override public DebugCapabilities debugCapabilities() { return DEBUG; }

    @Override public void close() { }
}
