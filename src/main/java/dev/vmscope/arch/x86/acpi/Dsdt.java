package dev.vmscope.arch.x86.acpi;

/**
 * A minimal DSDT: just the sleep-state packages, hand-assembled AML (ACPI 6.x chapter 20, "ACPI Machine
 * Language Specification"), so guests can request S3 and S5 through PM1a_CNT. SLP_TYP values match
 * {@link PlatformConfig#SLP_TYP_S3} / {@link PlatformConfig#SLP_TYP_S5}, which AcpiPm decodes.
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
        return AcpiTables.finish(b);
    }
}
