package dev.vmscope.facts;

import java.util.List;
import java.util.Optional;

/**
 * Well-known PC I/O ports. Sources: the IBM PC/AT port map as documented in QEMU's hw/ models and
 * FreeBSD's bhyve (usr.sbin/bhyve/*.c); per-entry citations below.
 */
public final class IoPorts {
    private IoPorts() {}

    /** @param first first port, @param last last port (inclusive) */
    public record Port(int first, int last, String name, String meaning, String source) {
        public boolean contains(int port) { return port >= first && port <= last; }
    }

    private static final String PCAT = "IBM PC/AT Technical Reference port map; QEMU hw/isa, hw/i386/pc.c";

    private static Port p(int first, int last, String name, String meaning, String source) {
        return new Port(first, last, name, meaning, source);
    }

    // Order matters: narrower entries come first so lookup finds the most specific one.
    private static final List<Port> PORTS = List.of(
        p(0x20, 0x21, "PIC1 (master 8259)", "command (0x20: ICW1/OCW2/OCW3, EOI = 0x20) and data/IMR (0x21)", "Intel 8259A datasheet; QEMU hw/intc/i8259.c"),
        p(0xa0, 0xa1, "PIC2 (slave 8259)", "command (0xa0) and data/IMR (0xa1)", "Intel 8259A datasheet; QEMU hw/intc/i8259.c"),
        p(0x4d0, 0x4d1, "ELCR", "8259 edge/level control registers", "Intel 82371 PIIX datasheet; QEMU hw/intc/i8259.c"),
        p(0x40, 0x42, "PIT counters 0-2 (8254)", "counter 0 = IRQ0 system timer, 1 = DRAM refresh, 2 = PC speaker", "Intel 8254 datasheet; QEMU hw/timer/i8254.c"),
        p(0x43, 0x43, "PIT mode/command (8254)", "counter mode and latch commands", "Intel 8254 datasheet; QEMU hw/timer/i8254.c"),
        p(0x60, 0x60, "i8042 data", "keyboard controller data port", "QEMU hw/input/pckbd.c"),
        p(0x61, 0x61, "system control port B (NMI status, speaker gate)", "PIT counter 2 gate, speaker enable, NMI status bits", "QEMU hw/audio/pcspk.c"),
        p(0x64, 0x64, "i8042 status/command", "keyboard controller; command 0xfe pulses the CPU reset line", "QEMU hw/input/pckbd.c"),
        p(0x70, 0x70, "CMOS/RTC index (bit 7 = NMI disable)", "selects the MC146818 register", "Motorola MC146818 datasheet; QEMU hw/rtc/mc146818rtc.c"),
        p(0x71, 0x71, "CMOS/RTC data", "reads/writes the selected RTC/NVRAM register", "Motorola MC146818 datasheet; QEMU hw/rtc/mc146818rtc.c"),
        p(0x80, 0x80, "POST diagnostic port", "firmware progress codes; also used as an I/O delay", PCAT),
        p(0x92, 0x92, "system control port A (fast A20, fast reset)", "bit 1 = A20 gate, bit 0 = reset", "QEMU hw/i386/pc.c (port92)"),
        p(0xf0, 0xf1, "x87 FPU error reset", "legacy FERR# clear", PCAT),
        p(0xf4, 0xf4, "QEMU isa-debug-exit (default iobase)", "write makes QEMU exit with status (value << 1) | 1", "QEMU hw/misc/debugexit.c"),
        p(0x1f0, 0x1f7, "primary ATA (IDE) command block", "PIO disk access", "ATA/ATAPI-6; QEMU hw/ide/isa.c"),
        p(0x3f6, 0x3f6, "primary ATA control/alt status", "device control", "ATA/ATAPI-6"),
        p(0x170, 0x177, "secondary ATA command block", "PIO disk access", "ATA/ATAPI-6"),
        p(0x376, 0x376, "secondary ATA control/alt status", "device control", "ATA/ATAPI-6"),
        p(0x278, 0x27a, "LPT2 parallel port", "parallel printer port", PCAT),
        p(0x378, 0x37a, "LPT1 parallel port", "parallel printer port", PCAT),
        p(0x3bc, 0x3be, "LPT (monochrome adapter) parallel port", "parallel printer port", PCAT),
        p(0x3f8, 0x3ff, "COM1 (16550 UART)", "THR/RBR at +0, IER +1, IIR/FCR +2, LCR +3, MCR +4, LSR +5, MSR +6, SCR +7", "NS16550A datasheet; bhyve usr.sbin/bhyve/uart_emul.c"),
        p(0x2f8, 0x2ff, "COM2 (16550 UART)", "second serial port", "NS16550A datasheet; bhyve usr.sbin/bhyve/uart_emul.c"),
        p(0x3e8, 0x3ef, "COM3 (16550 UART)", "third serial port", PCAT),
        p(0x2e8, 0x2ef, "COM4 (16550 UART)", "fourth serial port", PCAT),
        p(0x3b0, 0x3bb, "VGA (monochrome registers)", "MDA-compatible CRTC/status", "IBM VGA Technical Reference; QEMU hw/display/vga.c"),
        p(0x3c0, 0x3df, "VGA registers", "attribute, sequencer, DAC, graphics and colour CRTC registers", "IBM VGA Technical Reference; QEMU hw/display/vga.c"),
        p(0x3f0, 0x3f5, "floppy controller (FDC)", "82077AA registers", "Intel 82077AA datasheet; QEMU hw/block/fdc.c"),
        p(0x3f7, 0x3f7, "floppy DIR/CCR", "floppy digital input / config control", "Intel 82077AA datasheet"),
        p(0x402, 0x402, "QEMU/OVMF debug console (isa-debugcon)", "byte writes are firmware log characters; reads 0xe9", "QEMU hw/char/debugcon.c; OVMF PlatformDebugLibIoPort"),
        p(0xe9, 0xe9, "Bochs/QEMU debug console (port e9 hack)", "byte writes go to the host log", "QEMU hw/char/debugcon.c"),
        p(0x510, 0x510, "QEMU fw_cfg selector", "16-bit write selects a firmware config item", "QEMU docs/specs/fw_cfg.rst"),
        p(0x511, 0x511, "QEMU fw_cfg data", "byte reads return the selected item", "QEMU docs/specs/fw_cfg.rst"),
        p(0x514, 0x51b, "QEMU fw_cfg DMA address", "64-bit big-endian DMA descriptor address", "QEMU docs/specs/fw_cfg.rst"),
        p(0xb2, 0xb3, "APM control/status (SMI command)", "write to 0xb2 raises an SMI on chipsets with APM", "Intel ICH9 datasheet; QEMU hw/isa/apm.c"),
        p(0x600, 0x67f, "ACPI PM I/O block (QEMU Q35 ICH9 default base 0x600)", "PM1a_EVT at +0, PM1a_CNT at +4, PM timer at +8, GPE0 at +0x20", "QEMU hw/isa/lpc_ich9.c, hw/acpi/ich9.c"),
        p(0xb000, 0xb03f, "ACPI PM I/O block (QEMU i440fx PIIX4 default base 0xb000)", "PM1a_EVT +0, PM1a_CNT +4, PM timer +8", "QEMU hw/acpi/piix4.c"),
        p(0x400, 0x407, "bhyve ACPI PM1a block", "PM1 status 0x400, PM1 enable 0x402, PM1 control 0x404 (SLP_EN write powers off)", "FreeBSD usr.sbin/bhyve/acpi.h (PM1A_EVT_ADDR, PM1A_CNT_ADDR), pm.c"),
        p(0x408, 0x40b, "bhyve ACPI PM timer", "3.579545 MHz ACPI PM timer", "FreeBSD usr.sbin/bhyve/acpi.h (IO_PMTMR)"),
        p(0x40c, 0x40d, "bhyve ACPI GPE0 block", "GPE0 status 0x40c, enable 0x40d", "FreeBSD usr.sbin/bhyve/acpi.h (IO_GPE0_BLK)"),
        p(0xcf8, 0xcfb, "PCI configuration address (mechanism #1)", "32-bit write: bit 31 enable, bus 23:16, device 15:11, function 10:8, register 7:2", "PCI Local Bus Specification 3.0, 3.2.2.3.2"),
        p(0xcf9, 0xcf9, "reset control register", "0x06 = hard reset on PIIX/ICH chipsets", "Intel PIIX3/ICH9 datasheets; QEMU hw/isa/piix.c"),
        p(0xcfc, 0xcff, "PCI configuration data (mechanism #1)", "data for the register selected at 0xcf8", "PCI Local Bus Specification 3.0, 3.2.2.3.2"));

    public static List<Port> all() { return PORTS; }

    /**
     * Every known use of {@code port}, most specific first: machines disagree (0x402 is QEMU's debug
     * console but bhyve's PM1 enable register), so callers should show all of them.
     */
    public static List<Port> lookupAll(int port) {
        return PORTS.stream().filter(x -> x.contains(port))
                .sorted(java.util.Comparator.comparingInt(x -> x.last() - x.first())).toList();
    }

    /** The most specific known port range containing {@code port}. */
    public static Optional<Port> lookup(int port) { return lookupAll(port).stream().findFirst(); }
}
