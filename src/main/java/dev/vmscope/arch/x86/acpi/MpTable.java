package dev.vmscope.arch.x86.acpi;

import dev.vmscope.devices.irq.IsaIrqRouter;

/**
 * Intel MultiProcessor Specification 1.4 tables (chapter 4): the 16-byte MP floating pointer ("_MP_") and
 * the configuration table ("PCMP") with processor, bus, I/O APIC, I/O interrupt and local interrupt
 * entries. The routing matches the MADT and IsaIrqRouter: ExtINT on IOAPIC pin 0, ISA IRQ 0 on pin 2,
 * other ISA IRQs identity, the SCI level/active high, LINT0 ExtINT and LINT1 NMI on all local APICs.
 */
public final class MpTable {
    private MpTable() { }

    public static final int FLOATING_LENGTH = 16;
    private static final int APIC_VERSION = 0x14, IOAPIC_VERSION = 0x11;

    /** The floating pointer (MP spec 4.1) pointing at a configuration table at {@code configAddress}. */
    public static byte[] floatingPointer(long configAddress) {
        byte[] t = new TableBuffer().ascii("_MP_", 4).u32(configAddress).u8(1).u8(4).u8(0)
                .u8(0)        // feature 1: 0 = a configuration table is present
                .u8(0)        // feature 2: IMCRP clear = virtual wire mode, no IMCR
                .zeros(3).toArray();
        TableBuffer.fixChecksum(t, 10, 0, FLOATING_LENGTH);
        return t;
    }

    /** The configuration table (MP spec 4.2 header, 4.3 base entries). */
    public static byte[] configTable(PlatformConfig cfg) {
        TableBuffer b = new TableBuffer();
        b.ascii("PCMP", 4).u16(0).u8(4).u8(0).ascii(cfg.oemId(), 8).ascii("VMSCOPE", 12).u32(0).u16(0)
                .u16(0)                       // 34 entry count, patched below
                .u32(cfg.lapicAddress()).u16(0).u8(0).u8(0);
        int entries = 0;
        for (int i = 0; i < cfg.cpus(); i++, entries++)   // processor: EN (bit 0), BP (bit 1); family 6, FPU+APIC
            b.u8(0).u8(AcpiTables.apicId(i)).u8(APIC_VERSION).u8(1 | (i == 0 ? 2 : 0)).u32(0x600).u32(0x201).zeros(8);
        b.u8(1).u8(0).ascii("ISA", 6);                    // bus 0: ISA
        entries++;
        b.u8(2).u8(cfg.ioapicId()).u8(IOAPIC_VERSION).u8(1).u32(cfg.ioapicAddress());
        entries++;
        ioInterrupt(b, 3, 0, 0, cfg.ioapicId(), 0);       // ExtINT from the 8259 on pin 0
        entries++;
        for (int irq = 0; irq < 16; irq++) {
            if (irq == 2) continue;                       // cascade
            ioInterrupt(b, 0, irq == cfg.sciIrq() ? 0x000d : 0, irq, cfg.ioapicId(), IsaIrqRouter.gsi(irq));
            entries++;
        }
        b.u8(4).u8(3).u16(0).u8(0).u8(0).u8(0xff).u8(0);   // local: ExtINT -> all LINT0
        b.u8(4).u8(1).u16(0).u8(0).u8(0).u8(0xff).u8(1);   // local: NMI -> all LINT1
        entries += 2;
        b.put16(4, b.size());
        b.put16(34, entries);
        byte[] t = b.toArray();
        TableBuffer.fixChecksum(t, 7, 0, t.length);
        return t;
    }

    /** I/O interrupt assignment (MP spec 4.3.4): type, flags (PO 1:0, EL 3:2), bus, IRQ, IOAPIC, INTIN#. */
    private static void ioInterrupt(TableBuffer b, int type, int flags, int irq, int ioapic, int pin) {
        b.u8(3).u8(type).u16(flags).u8(0).u8(irq).u8(ioapic).u8(pin);
    }
}
