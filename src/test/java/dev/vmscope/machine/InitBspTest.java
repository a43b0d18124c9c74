package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.machine.MachineConfig.IrqchipMode;
import org.junit.jupiter.api.Test;

/**
 * guests/init_bsp.S: the BSP sends INIT to itself. It must restart at the reset vector (CS 0xf000, IP
 * 0xfff0, CR0 0x10 with CD/NW kept: SDM vol. 3 9.4, table 9-1) and not wait for a SIPI, the same with
 * vmscope's user-mode APIC as with KVM's. No firmware is mapped at 0xfffffff0 here, so both end on the
 * first instruction fetch there with the same diagnostic.
 */
class InitBspTest {
    private static String stop(IrqchipMode mode) throws Exception {
        MachineConfig c = VmHarness.traced(VmHarness.config(VmHarness.guest("init_bsp"), null, 1, mode), false, 20_000);
        VmHarness.Result r = VmHarness.run(c);
        String all = r.console() + "\n--- diag:\n" + r.diag();
        assertTrue(r.console().startsWith("init-bsp: sending\n"), all);
        assertFalse(r.console().contains("NOT REACHED"), "the INIT was lost: " + all);
        assertTrue(r.stopMessage().contains("at RIP 0xfff0 (CS 0xf000, real mode)"), all);
        assertTrue(r.stopMessage().contains("CR0 0x10,"), all);
        return r.status() + " " + r.stopMessage();
    }

    @Test void theBspRestartsAtTheResetVectorWithEitherIrqchip() throws Exception {
        assertEquals(stop(IrqchipMode.KERNEL), stop(IrqchipMode.USER));
    }
}
