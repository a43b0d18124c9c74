package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.machine.MachineConfig.IrqchipMode;
import dev.vmscope.vcpu.ExitStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Direct boot publishes ACPI where an OS scans for it: guests/acpi_scan.S finds the RSDP in 0xe0000-0xfffff,
 * counts the MADT's processors, sees the PM timer move and powers off through \_S5 and PM1a_CNT.
 */
class AcpiScanBootTest {
    @ParameterizedTest(name = "--smp {0} --irqchip {1}")
    @CsvSource({"1, KERNEL", "4, KERNEL", "1, USER", "4, USER"})
    void guestFindsTablesAndPowersOffThroughS5(int cpus, IrqchipMode mode) throws Exception {
        MachineConfig cfg = VmHarness.with(VmHarness.config(VmHarness.guest("acpi_scan"), null), cpus, mode);
        VmHarness.Result r = VmHarness.run(cfg);
        assertTrue(r.console().contains("acpi: rsdp 000e0000\n"), r.console());
        assertTrue(r.console().contains(String.format("acpi: cpus %08x\n", cpus)), r.console());
        assertTrue(r.console().contains("acpi: pmtmr ok\n"), r.console());
        assertTrue(r.console().contains("acpi: s5 00000005\n"), r.console());
        assertEquals(ExitStatus.OK, r.status(), r.console() + r.stopMessage());
        assertTrue(r.stopMessage().contains("ACPI S5"), r.stopMessage());
    }
}
