package dev.vmscope.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.hypervisor.VirtualMachine.CpuidSpec;
import org.junit.jupiter.api.Test;

class CpuidModelTest {
    private final CpuidModel model = new CpuidModel(0, new CpuidSpec(2, false, true));

    @Test void basicLeavesReachTheFrequencyLeaves() {
        assertTrue(model.query(0, 0)[0] >= 0x16, "max basic leaf must include 0x15 and 0x16");
    }

    /** Linux native_calibrate_tsc: tsc_khz = crystal_khz * EBX / EAX; the LAPIC timer runs at the crystal. */
    @Test void leaf15GivesTheExactTscRateAndTheApicTimerCrystal() {
        int[] r = model.query(0x15, 0);
        assertTrue(r[0] != 0 && r[1] != 0 && r[2] != 0, "all of denominator, numerator and crystal are needed");
        long crystalHz = Integer.toUnsignedLong(r[2]);
        assertEquals(CpuSystem.TSC_HZ, crystalHz * r[1] / r[0]);
        assertEquals(1_000_000_000L, crystalHz, "LocalApic.Options.defaults(): 1 ns bus cycle");
    }

    @Test void leaf16GivesBaseAndBusMegahertz() {
        int[] r = model.query(0x16, 0);
        assertEquals(CpuSystem.TSC_HZ / 1_000_000, r[0]);
        assertEquals(1000, r[2]);
    }

    /** Linux check_system_tsc_reliable: constant + nonstop TSC with TSC_ADJUST needs no clocksource watchdog. */
    @Test void advertisesInvariantTscAndTscAdjust() {
        assertEquals(1 << 8, model.query(0x80000007, 0)[3] & 1 << 8);
        assertEquals(1 << 1, model.query(7, 0)[1] & 1 << 1);
        assertTrue(model.query(0x80000000, 0)[0] >= 0x80000007);
    }
}
