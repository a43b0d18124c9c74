package dev.vmscope.arch.x86.acpi;

import dev.vmscope.devices.irq.IsaIrqRouter;

/**
 * The DSDT, hand-assembled AML (ACPI 6.x chapter 20, "ACPI Machine Language Specification"): the sleep-state
 * packages, so guests can request S3 and S5 through PM1a_CNT (SLP_TYP values match
 * {@link PlatformConfig#SLP_TYP_S3} / {@link PlatformConfig#SLP_TYP_S5}, which AcpiPm decodes), and the
 * PCI root bridge \_SB.PCI0, so an ACPI OS scans bus 0 and routes PCI interrupts through its _PRT.
 */
public final class Dsdt {
    private Dsdt() { }

    /** Name(\_Sx, Package(4) {typ, typ, 0, 0}): PM1a and PM1b SLP_TYP plus two reserved elements. */
    static byte[] sleepPackage(char state, int slpTyp) {
        return new byte[] {
            0x08,                                 // NameOp (20.2.5.1 DefName)
            0x5c, '_', 'S', (byte) state, '_',    // NameString: RootChar '\' then the NameSeg "_Sx_"
            0x12,                                 // PackageOp (20.2.5.4 DefPackage)
            0x08,                                 // PkgLength: one byte, counts itself and the 7 bytes below
            0x04,                                 // NumElements
            0x0a, (byte) slpTyp,                  // BytePrefix + PM1a_CNT.SLP_TYP
            0x0a, (byte) slpTyp,                  // BytePrefix + PM1b_CNT.SLP_TYP (no PM1b block; same value)
            0x00,                                 // ZeroOp: reserved
            0x00,                                 // ZeroOp: reserved
        };
    }

    /** Revision 2: integers are 64-bit. */
    public static byte[] build(PlatformConfig cfg) {
        TableBuffer b = new TableBuffer();
        AcpiTables.header(b, "DSDT", 2, cfg);
        b.bytes(sleepPackage('3', PlatformConfig.SLP_TYP_S3));
        b.bytes(sleepPackage('5', PlatformConfig.SLP_TYP_S5));
        b.bytes(Aml.scope("\\_SB_", pciRoot(cfg)));
        return AcpiTables.finish(b);
    }

    /** PCI configuration mechanism #1's ports (PCI Local Bus Specification 3.0, 3.2.2.3.2). */
    static final int PCI_CONFIG_PORT = 0xcf8, PCI_CONFIG_LENGTH = 8;
    static final int PCI_SLOTS = 32;

    /**
     * Device(PCI0): a conventional PCI host bridge (PNP0A03 only: the i440FX has no ECAM, so no PNP0A08 and
     * no MCFG), segment 0 bus 0 (_BBN), forwarding buses 0-255, all I/O ports except the configuration
     * registers it consumes itself, and the 32-bit MMIO hole. Devices on bus 0 need no AML: the OS finds
     * them by scanning. (No 64-bit window: no device has a 64-bit BAR.)
     */
    static byte[] pciRoot(PlatformConfig cfg) {
        return Aml.device("PCI0",
                Aml.name("_HID", Aml.eisaId("PNP0A03")),
                Aml.name("_ADR", Aml.integer(0)),
                Aml.name("_UID", Aml.integer(0)),
                Aml.name("_BBN", Aml.integer(0)),
                Aml.name("_CRS", Aml.resourceTemplate(
                        Aml.wordAddress(Aml.RES_BUS, 0, 0, 0xff),
                        Aml.io(PCI_CONFIG_PORT, PCI_CONFIG_PORT, 1, PCI_CONFIG_LENGTH),
                        Aml.wordAddress(Aml.RES_IO, Aml.IO_ENTIRE_RANGE, 0, PCI_CONFIG_PORT - 1),
                        Aml.wordAddress(Aml.RES_IO, Aml.IO_ENTIRE_RANGE, PCI_CONFIG_PORT + PCI_CONFIG_LENGTH, 0xffff),
                        Aml.dwordMemory(cfg.pciMmioBase(), cfg.pciMmioLimit()))),
                Aml.name("_PRT", prt(cfg)));
    }

    /**
     * _PRT (ACPI 6.2.13): for every slot and pin, Package {address 0xSSSSFFFF (any function), pin, source 0,
     * GSI}. Source 0 means the GSI is hard-wired (no interrupt link device): the PIIX3's PIRQ routes are fixed
     * (firmware and the direct boot program the same ones), so each pin reaches the IOAPIC input of the ISA
     * IRQ its PIRQ is routed to. The OS treats such GSIs as level-triggered, active low.
     */
    static byte[] prt(PlatformConfig cfg) {
        byte[][] entries = new byte[PCI_SLOTS * 4][];
        for (int slot = 0; slot < PCI_SLOTS; slot++)
            for (int pin = 0; pin < 4; pin++)
                entries[slot * 4 + pin] = Aml.pkg(Aml.integer((long) slot << 16 | 0xffff), Aml.integer(pin),
                        Aml.integer(0), Aml.integer(IsaIrqRouter.gsi(cfg.pciIrq(slot, pin))));
        return Aml.pkg(entries);
    }
}
