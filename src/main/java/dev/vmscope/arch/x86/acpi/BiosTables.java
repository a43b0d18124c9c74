package dev.vmscope.arch.x86.acpi;

import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.GuestMemoryException;

/**
 * Writes the ACPI and MP tables straight into the legacy BIOS area for guests booted without firmware
 * (multiboot, Linux boot protocol). The RSDP goes 16-byte aligned at the start of the ACPI area (Linux and
 * other OSes scan 0xE0000-0xFFFFF for "RSD PTR ", ACPI 5.2.5.1) and the MP floating pointer 16-byte aligned
 * at the start of the MP area, which must lie in 0xF0000-0xFFFFF, the BIOS ROM range the MP spec (4.0)
 * tells OSes to scan.
 */
public final class BiosTables {
    private BiosTables() { }

    public static final long AREA_START = 0xe0000, AREA_END = 0x100000;
    public static final long DEFAULT_ACPI_BASE = 0xe0000, DEFAULT_MP_BASE = 0xf0000;

    /** Where each table went (guest-physical addresses). */
    public record Placement(long rsdp, long facs, long dsdt, long fadt, long madt, long rsdt, long xsdt,
                            long mpFloating, long mpConfig, long acpiEnd, long mpEnd) {}

    public static Placement install(GuestMemory mem, PlatformConfig cfg) {
        return install(mem, cfg, DEFAULT_ACPI_BASE, DEFAULT_MP_BASE);
    }

    /** Computes the layout and writes the tables; fails with a clear message if the area is not RAM. */
    public static Placement install(GuestMemory mem, PlatformConfig cfg, long acpiBase, long mpBase) {
        if (acpiBase % 16 != 0 || mpBase % 16 != 0 || acpiBase < AREA_START || mpBase < 0xf0000)
            throw new IllegalArgumentException(String.format("ACPI base 0x%x / MP base 0x%x: need 16-byte alignment, "
                    + "ACPI in 0xe0000-0xfffff and MP in 0xf0000-0xfffff", acpiBase, mpBase));
        byte[] facsT = AcpiTables.facs(), dsdtT = Dsdt.build(cfg), madtT = AcpiTables.madt(cfg);
        long rsdp = acpiBase;
        long facs = align(rsdp + AcpiTables.RSDP_LENGTH, 64);
        long dsdt = align(facs + facsT.length, 16);
        long fadt = align(dsdt + dsdtT.length, 16);
        long madt = align(fadt + AcpiTables.FADT_LENGTH, 16);
        long rsdt = align(madt + madtT.length, 16);
        long xsdt = align(rsdt + AcpiTables.HEADER_LENGTH + 8, 16);
        long acpiEnd = xsdt + AcpiTables.HEADER_LENGTH + 16;
        long mpConfig = mpBase + MpTable.FLOATING_LENGTH;
        byte[] config = MpTable.configTable(cfg);
        long mpEnd = mpConfig + config.length;
        if (acpiEnd > AREA_END || mpEnd > AREA_END || (acpiBase < mpEnd && mpBase < acpiEnd))
            throw new IllegalArgumentException(String.format("tables do not fit: ACPI 0x%x-0x%x, MP 0x%x-0x%x",
                    acpiBase, acpiEnd, mpBase, mpEnd));
        try {
            mem.write(rsdp, AcpiTables.rsdp(cfg, rsdt, xsdt));
            mem.write(facs, facsT);
            mem.write(dsdt, dsdtT);
            mem.write(fadt, AcpiTables.fadt(cfg, facs, dsdt));
            mem.write(madt, madtT);
            mem.write(rsdt, AcpiTables.rsdt(cfg, fadt, madt));
            mem.write(xsdt, AcpiTables.xsdt(cfg, fadt, madt));
            mem.write(mpBase, MpTable.floatingPointer(mpConfig));
            mem.write(mpConfig, config);
        } catch (GuestMemoryException e) {
            throw new IllegalStateException("firmware tables need RAM at 0xe0000-0xfffff: " + e.getMessage(), e);
        }
        return new Placement(rsdp, facs, dsdt, fadt, madt, rsdt, xsdt, mpBase, mpConfig, acpiEnd, mpEnd);
    }

    static long align(long v, int a) { return (v + a - 1) & -a; }
}
