package dev.vmscope.arch.x86.acpi;


/**
 * The machine the firmware tables describe. APIC IDs are 0..cpus-1 (CPU 0 is the BSP); ACPI processor
 * UIDs equal the APIC IDs.
 *
 * @param ioapicId the IOAPIC's ID: {@code cpus} when that fits the 82093AA's 4-bit ID field, so that it is
 *                 unique on the APIC bus as the MP spec wants, else 0 (xAPIC systems keep IOAPIC and local
 *                 APIC IDs apart, as QEMU's ID 0 shows)
 * @param pmBase   I/O base of the AcpiPm block: PM1a_EVT at +0, PM1a_CNT at +4, PM_TMR at +8
 * @param resetPort, resetValue the FADT RESET_REG: port 0x64 value 0xfe by default, the i8042 "pulse reset"
 *                 command, because the 8042 model already resets the machine that way and 0xcf9 overlaps
 *                 the PCI configuration address register (0xcf8-0xcfb) on our refusing-overlap bus
 * @param i8042    whether IAPC_BOOT_ARCH announces an 8042 keyboard controller
 */
public record PlatformConfig(int cpus, int ioapicId, long ioapicAddress, long lapicAddress, int sciIrq, int pmBase,
                             int resetPort, int resetValue, boolean i8042, String oemId, String oemTableId) {
    public static final int SLP_TYP_S3 = 3, SLP_TYP_S5 = 5;   // the values our DSDT's \_S3/\_S5 publish

    public PlatformConfig {
        if (cpus < 1 || cpus > 255)
            throw new IllegalArgumentException("cpus must be 1..255 (xAPIC IDs, 0xff is broadcast): " + cpus);
        if (sciIrq < 0 || sciIrq > 15 || sciIrq == 2 || sciIrq == 0)
            throw new IllegalArgumentException("SCI must be an ISA IRQ other than 0 and 2: " + sciIrq);
    }
}
