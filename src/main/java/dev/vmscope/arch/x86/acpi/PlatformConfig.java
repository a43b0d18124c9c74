package dev.vmscope.arch.x86.acpi;

import java.util.List;

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
 * @param pciMmioBase, pciMmioLimit the 32-bit PCI memory window the root bridge forwards (inclusive limit)
 * @param pirqIrqs the ISA IRQs PIRQ A-D are routed to (the PIIX3 route control registers; the DSDT's _PRT
 *                 hard-wires each slot's INTx to the GSI of its PIRQ, so these must not change at run time)
 */
public record PlatformConfig(int cpus, int ioapicId, long ioapicAddress, long lapicAddress, int sciIrq, int pmBase,
                             int resetPort, int resetValue, boolean i8042, String oemId, String oemTableId,
                             long pciMmioBase, long pciMmioLimit, List<Integer> pirqIrqs) {
    public static final int SLP_TYP_S3 = 3, SLP_TYP_S5 = 5;   // the values our DSDT's \_S3/\_S5 publish

    public PlatformConfig {
        if (cpus < 1 || cpus > 255)
            throw new IllegalArgumentException("cpus must be 1..255 (xAPIC IDs, 0xff is broadcast): " + cpus);
        if (sciIrq < 0 || sciIrq > 15 || sciIrq == 2 || sciIrq == 0)
            throw new IllegalArgumentException("SCI must be an ISA IRQ other than 0 and 2: " + sciIrq);
        pirqIrqs = List.copyOf(pirqIrqs);
        if (pirqIrqs.size() != 4) throw new IllegalArgumentException("PIRQ A-D need four IRQs: " + pirqIrqs);
        if (pciMmioBase < 0 || pciMmioLimit < pciMmioBase || pciMmioLimit > 0xffff_ffffL)
            throw new IllegalArgumentException("bad 32-bit PCI window " + pciMmioBase + "-" + pciMmioLimit);
    }

    /**
     * The PIRQ (0 = A .. 3 = D) that interrupt pin {@code pin} (0 = INTA) of a device in {@code slot} drives:
     * the PIIX3 board swizzle, (pin + slot - 1) mod 4 (QEMU hw/isa/piix.c pci_slot_get_pirq; SeaBIOS
     * src/fw/pciinit.c piix_pci_slot_get_irq uses the same).
     */
    public static int pirq(int slot, int pin) { return (pin + slot - 1) & 3; }

    /** The ISA IRQ that INTx pin {@code pin} of {@code slot} reaches through the PIIX3. */
    public int pciIrq(int slot, int pin) { return pirqIrqs.get(pirq(slot, pin)); }
}
