package dev.vmscope.devices.acpi;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.VmControl;
import dev.vmscope.devices.irq.ManualTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcpiPmTest {
    static final class Vm implements VmControl {
        final List<String> calls = new ArrayList<>();
        public void exit(int status, String why) { calls.add("exit " + status + " " + why); }
        public void reset(String why) { calls.add("reset"); }
    }

    @Test
    void pmTimerCountsAt3579545HzAndWraps24Bits() {
        ManualTime t = new ManualTime(0);
        AcpiPm pm = new AcpiPm(new Vm(), b -> { }, t, t, s -> { });
        assertEquals(0, pm.read(8, 4));
        t.advance(1_000_000_000L);
        assertEquals(3_579_545, pm.read(8, 4));
        t.advance(4_000_000_000L);
        assertEquals((5 * 3_579_545L) & 0xffffff, pm.read(8, 4));
        assertEquals(AcpiPm.SCI_EN, pm.read(4, 2), "always in ACPI mode");
    }

    @Test
    void timerOverflowRaisesSciWhenEnabledAndClearsOnWriteOne() {
        ManualTime t = new ManualTime(0);
        List<Boolean> sci = new ArrayList<>();
        AcpiPm pm = new AcpiPm(new Vm(), sci::add, t, t, s -> { });
        pm.write(2, 2, AcpiPm.TMR_STS);                  // TMR_EN
        t.advance(2_300_000_000L);                      // 2^23 ticks is ~2.34 s
        assertEquals(List.of(), sci);
        t.advance(100_000_000L);
        assertEquals(List.of(true), sci);
        assertEquals(AcpiPm.TMR_STS, pm.read(0, 2) & AcpiPm.TMR_STS);
        pm.write(0, 2, AcpiPm.TMR_STS);
        assertEquals(List.of(true, false), sci);
        pm.write(2, 2, AcpiPm.PWRBTN_STS);
        pm.pressPowerButton();
        assertEquals(List.of(true, false, true), sci);
    }

    @Test
    void sleepStates() {
        ManualTime t = new ManualTime(0);
        Vm vm = new Vm();
        List<String> events = new ArrayList<>();
        AcpiPm pm = new AcpiPm(vm, b -> { }, t, t, events::add);
        pm.write(4, 2, 3 << 10 | AcpiPm.SLP_EN);          // S3
        assertEquals(List.of(), vm.calls);
        assertEquals(1, events.size());
        assertEquals(AcpiPm.WAK_STS, pm.read(0, 2) & AcpiPm.WAK_STS);
        assertEquals(0, pm.read(4, 2) & AcpiPm.SLP_EN, "SLP_EN reads 0");
        pm.write(4, 2, 5 << 10);                          // SLP_TYP without SLP_EN: nothing
        assertEquals(List.of(), vm.calls);
        pm.write(5, 1, (5 << 10 | AcpiPm.SLP_EN) >> 8);   // byte write of the high half
        assertEquals(1, vm.calls.size());
        assertTrue(vm.calls.get(0).startsWith("exit 0 ACPI S5"));
    }
}
