package dev.vmscope.arch.x86.acpi;

import dev.vmscope.devices.irq.IsaIrqRouter;

/**
 * The ACPI tables vmscope publishes (ACPI 6.x specification, chapter 5.2), each built with its pointers
 * already set to the given addresses and a valid checksum. {@link BiosTables} places them in guest memory;
 * {@link AcpiLinker} hands them to firmware through fw_cfg using the pointer offsets below.
 */
public final class AcpiTables {
    private AcpiTables() { }

    /** System description header (ACPI 5.2.6): 36 bytes, checksum at 9. */
    public static final int HEADER_LENGTH = 36, HEADER_CHECKSUM = 9;
    /** RSDP (ACPI 5.2.5.3): checksum over 20 bytes at 8, RSDT address at 16, XSDT at 24, extended checksum at 32. */
    public static final int RSDP_LENGTH = 36, RSDP_CHECKSUM = 8, RSDP_RSDT = 16, RSDP_XSDT = 24, RSDP_EXT_CHECKSUM = 32;
    /** FADT (ACPI 5.2.9, Table "FADT Format"): FIRMWARE_CTRL 36, DSDT 40, X_FIRMWARE_CTRL 132, X_DSDT 140. */
    public static final int FADT_LENGTH = 276, FADT_FACS = 36, FADT_DSDT = 40, FADT_X_FACS = 132, FADT_X_DSDT = 140;
    public static final int FACS_LENGTH = 64;

    static void header(TableBuffer b, String sig, int revision, PlatformConfig cfg) {
        b.ascii(sig, 4).u32(0).u8(revision).u8(0).ascii(cfg.oemId(), 6).ascii(cfg.oemTableId(), 8).u32(1)
                .ascii("VMSC", 4).u32(1);
    }

    /** Patches the length and checksum of a table that starts with a standard header. */
    static byte[] finish(TableBuffer b) {
        b.put32(4, b.size());
        byte[] t = b.toArray();
        TableBuffer.fixChecksum(t, HEADER_CHECKSUM, 0, t.length);
        return t;
    }

    public static byte[] rsdp(PlatformConfig cfg, long rsdt, long xsdt) {
        TableBuffer b = new TableBuffer().ascii("RSD PTR ", 8).u8(0).ascii(cfg.oemId(), 6).u8(2).u32(rsdt)
                .u32(RSDP_LENGTH).u64(xsdt).u8(0).zeros(3);
        byte[] t = b.toArray();
        TableBuffer.fixChecksum(t, RSDP_CHECKSUM, 0, 20);
        TableBuffer.fixChecksum(t, RSDP_EXT_CHECKSUM, 0, RSDP_LENGTH);
        return t;
    }

    public static byte[] rsdt(PlatformConfig cfg, long... tables) {
        TableBuffer b = new TableBuffer();
        header(b, "RSDT", 1, cfg);
        for (long t : tables) b.u32(t);
        return finish(b);
    }

    public static byte[] xsdt(PlatformConfig cfg, long... tables) {
        TableBuffer b = new TableBuffer();
        header(b, "XSDT", 1, cfg);
        for (long t : tables) b.u64(t);
        return finish(b);
    }

    /** Generic Address Structure (ACPI 5.2.3.2): space 1 = system I/O. */
    private static void gas(TableBuffer b, int space, int bitWidth, int accessSize, long address) {
        b.u8(space).u8(bitWidth).u8(0).u8(accessSize).u64(address);
    }

    /**
     * FADT revision 6 (ACPI 6.0 layout, 276 bytes). PM1a event block at pmBase (4 bytes: status, enable),
     * PM1a control at pmBase+4 (2 bytes), 24-bit PM timer at pmBase+8 (3.579545 MHz, TMR_VAL_EXT clear),
     * no GPE blocks, no SMI command port (SCI_EN is always set), C2/C3 absent, power button as a fixed
     * feature, no sleep button.
     */
    public static byte[] fadt(PlatformConfig cfg, long facs, long dsdt) {
        int pm = cfg.pmBase();
        TableBuffer b = new TableBuffer();
        header(b, "FACP", 6, cfg);
        b.u32(facs).u32(dsdt).u8(0).u8(0)              // 36 FIRMWARE_CTRL, 40 DSDT, 44 reserved, 45 PM profile
                .u16(cfg.sciIrq()).u32(0).u8(0).u8(0)   // 46 SCI_INT, 48 SMI_CMD, 52 ACPI_ENABLE, 53 ACPI_DISABLE
                .u8(0).u8(0)                             // 54 S4BIOS_REQ, 55 PSTATE_CNT
                .u32(pm).u32(0).u32(pm + 4).u32(0)       // 56 PM1a_EVT, 60 PM1b_EVT, 64 PM1a_CNT, 68 PM1b_CNT
                .u32(0).u32(pm + 8).u32(0).u32(0)        // 72 PM2_CNT, 76 PM_TMR, 80 GPE0, 84 GPE1
                .u8(4).u8(2).u8(0).u8(4)                 // 88 PM1_EVT_LEN, PM1_CNT_LEN, PM2_CNT_LEN, PM_TMR_LEN
                .u8(0).u8(0).u8(0).u8(0)                 // 92 GPE0_BLK_LEN, GPE1_BLK_LEN, GPE1_BASE, CST_CNT
                .u16(101).u16(1001)                      // 96 P_LVL2_LAT > 100 and P_LVL3_LAT > 1000: no C2/C3
                .u16(0).u16(0).u8(0).u8(0)               // 100 FLUSH_SIZE, FLUSH_STRIDE, DUTY_OFFSET, DUTY_WIDTH
                .u8(0).u8(0).u8(0x32)                    // 106 DAY_ALRM, MON_ALRM, CENTURY (CMOS index 0x32)
                .u16(1 | (cfg.i8042() ? 2 : 0))          // 109 IAPC_BOOT_ARCH: LEGACY_DEVICES, 8042
                .u8(0)                                   // 111 reserved
                // 112 flags: WBINVD(0) PROC_C1(2) SLP_BUTTON(5: none) RESET_REG_SUP(10)
                .u32(1 | 1 << 2 | 1 << 5 | 1 << 10);
        gas(b, 1, 8, 1, cfg.resetPort());               // 116 RESET_REG
        b.u8(cfg.resetValue()).u16(0).u8(0);             // 128 RESET_VALUE, 129 ARM_BOOT_ARCH, 131 minor version
        b.u64(facs).u64(dsdt);                           // 132 X_FIRMWARE_CTRL, 140 X_DSDT
        gas(b, 1, 32, 0, pm);                            // 148 X_PM1a_EVT_BLK
        gas(b, 0, 0, 0, 0);                              // 160 X_PM1b_EVT_BLK
        gas(b, 1, 16, 0, pm + 4);                        // 172 X_PM1a_CNT_BLK
        gas(b, 0, 0, 0, 0);                              // 184 X_PM1b_CNT_BLK
        gas(b, 0, 0, 0, 0);                              // 196 X_PM2_CNT_BLK
        gas(b, 1, 32, 0, pm + 8);                        // 208 X_PM_TMR_BLK
        gas(b, 0, 0, 0, 0);                              // 220 X_GPE0_BLK
        gas(b, 0, 0, 0, 0);                              // 232 X_GPE1_BLK
        gas(b, 0, 0, 0, 0);                              // 244 SLEEP_CONTROL_REG (hardware-reduced only)
        gas(b, 0, 0, 0, 0);                              // 256 SLEEP_STATUS_REG
        b.ascii("VMSCOPE", 8);                           // 268 hypervisor vendor identity
        return finish(b);
    }

    /** FACS (ACPI 5.2.10): no checksum, 64-byte aligned by the caller; version 2, no global lock users. */
    public static byte[] facs() {
        return new TableBuffer().ascii("FACS", 4).u32(FACS_LENGTH).u32(0).u32(0).u32(0).u32(0).u64(0).u8(2).zeros(3)
                .u32(0).zeros(24).toArray();
    }

    /**
     * MADT (ACPI 5.2.12): local APIC address, PCAT_COMPAT (dual 8259s present), one Processor Local APIC
     * per CPU (UID = APIC ID = index), the IOAPIC at GSI 0, overrides for ISA IRQ 0 -> GSI 2 (conforming) and
     * the SCI (active high, level, as QEMU publishes it), and LINT1 as NMI on every processor.
     */
    public static byte[] madt(PlatformConfig cfg) {
        TableBuffer b = new TableBuffer();
        header(b, "APIC", 3, cfg);
        b.u32(cfg.lapicAddress()).u32(1);
        for (int i = 0; i < cfg.cpus(); i++) b.u8(0).u8(8).u8(i).u8(i).u32(1);        // type 0: enabled
        b.u8(1).u8(12).u8(cfg.ioapicId()).u8(0).u32(cfg.ioapicAddress()).u32(0);       // type 1: IOAPIC, GSI base 0
        b.u8(2).u8(10).u8(0).u8(0).u32(IsaIrqRouter.gsi(0)).u16(0);                    // type 2: IRQ0 -> GSI2
        b.u8(2).u8(10).u8(0).u8(cfg.sciIrq()).u32(cfg.sciIrq()).u16(0x000d);         // SCI: high (01), level (11)
        b.u8(4).u8(6).u8(0xff).u16(0).u8(1);                                           // type 4: all CPUs, LINT1 NMI
        return finish(b);
    }

    /** APIC ID of CPU {@code i} as every table publishes it (and as the integrator gives to LocalApic). */
    public static int apicId(int cpu) { return cpu; }
}
