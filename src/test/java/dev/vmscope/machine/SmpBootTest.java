package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.machine.MachineConfig.IrqchipMode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Starting application processors as firmware does: guests/smp_boot.S sends INIT with ICR low 0x000c4500
 * (the write that panicked a bhyve host) and two SIPIs, and every AP reports its APIC ID from a real-mode
 * trampoline at 0x70000. Both irqchips: KVM's (INIT/SIPI inside the kernel) and vmscope's (CpuRuntime).
 */
class SmpBootTest {
    @ParameterizedTest
    @EnumSource(IrqchipMode.class)
    void initSipiSipiStartsEveryAp(IrqchipMode mode) throws Exception {
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("smp_boot"), "cpus=4", 4, mode));
        assertTrue(r.console().contains("smp: apic ids 0 1 2 3\n"), r.console() + r.diag() + r.stopMessage());
        assertEquals(1, r.status(), "isa-debug-exit 0 -> status 1; " + r.stopMessage());
    }

    @ParameterizedTest
    @EnumSource(IrqchipMode.class)
    void aSingleCpuMachineHasNobodyToStart(IrqchipMode mode) throws Exception {
        // INIT and SIPI to all-excluding-self reach no one; the guest sees only its own ID.
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("smp_boot"), "cpus=1", 1, mode));
        assertTrue(r.console().contains("smp: apic ids 0\n"), r.console() + r.diag());
        assertEquals(1, r.status(), r.stopMessage());
    }

    @ParameterizedTest
    @EnumSource(IrqchipMode.class)
    void theGuestReportsMissingProcessors(IrqchipMode mode) throws Exception {
        // Asking for 3 CPUs on a 2-vCPU machine: the bounded wait ends and the guest fails (value 1 -> 3).
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("smp_boot"), "cpus=3", 2, mode));
        assertTrue(r.console().contains("smp: apic ids 0 1\n"), r.console() + r.diag());
        assertEquals(3, r.status(), r.stopMessage());
    }

    @Test
    void userModeTracesEachIpiWithSenderModeShorthandVectorAndTargets() throws Exception {
        MachineConfig c = VmHarness.traced(VmHarness.config(VmHarness.guest("smp_boot"), "cpus=4", 4, IrqchipMode.USER), true, 60_000);
        VmHarness.Result r = VmHarness.run(c);
        assertTrue(r.diag().contains("vcpu0 ipi     from APIC 0: INIT vec=0x00 dest=all-but-self assert edge -> APIC IDs [1, 2, 3]"), r.diag());
        assertTrue(r.diag().contains("vcpu0 ipi     from APIC 0: STARTUP vec=0x70 dest=all-but-self assert edge -> APIC IDs [1, 2, 3]"), r.diag());
        assertEquals(1, r.stats().get(0).ipis().get("init").count);
        assertEquals(2, r.stats().get(0).ipis().get("startup").count);
    }

    @Test
    void kernelModeSaysIpisAreInvisible() throws Exception {
        VmHarness.assumeKvm();   // only KVM has an in-kernel irqchip; the software CPU always shows IPIs
        MachineConfig c = VmHarness.traced(VmHarness.config(VmHarness.guest("smp_boot"), "cpus=4", 4, IrqchipMode.KERNEL), true, 60_000);
        VmHarness.Result r = VmHarness.run(c);
        assertTrue(r.diag().contains("note: --irqchip kernel: IPIs (INIT, SIPI, fixed, NMI) are delivered inside KVM"), r.diag());
        assertFalse(r.diag().contains(" ipi "), r.diag());
        assertTrue(r.stats().get(0).ipis().isEmpty());
        assertEquals(1, r.status(), r.stopMessage());
    }
}
