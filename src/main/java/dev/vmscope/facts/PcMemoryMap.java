package dev.vmscope.facts;

import java.util.List;
import java.util.Optional;

/**
 * Fixed physical address ranges of a PC that explain relates addresses to. Sources per range: the IBM PC/AT
 * memory map as QEMU's pc machine keeps it (hw/i386/pc.c, hw/display/vga.c), Intel SDM vol. 3A 11.4.1 (local
 * APIC), the 82093AA I/O APIC datasheet and the IA-PC HPET specification.
 */
public final class PcMemoryMap {
    private PcMemoryMap() {}

    public record Range(long first, long last, String name, String meaning, String source) {
        public boolean contains(long a) { return a >= first && a <= last; }
    }

    private static final String PC = "IBM PC/AT memory map, as QEMU's pc machine keeps it (hw/i386/pc.c, hw/display/vga.c)";

    private static final List<Range> RANGES = List.of(
            new Range(0x0, 0x3ff, "real-mode IVT", "the real-mode interrupt vector table (256 4-byte entries)",
                    "Intel SDM vol. 3A, 20.1.4 \"Interrupt and Exception Handling\" (real-address mode)"),
            new Range(0xa0000, 0xbffff, "legacy VGA window", "video memory window: MMIO of the emulated VGA, not RAM", PC),
            new Range(0xc0000, 0xdffff, "option ROM area", "expansion/option ROMs (VGA BIOS at 0xc0000)", PC),
            new Range(0xe0000, 0xfffff, "BIOS area", "system BIOS ROM (or its shadow RAM)", PC),
            new Range(0xfec00000L, 0xfec003ffL, "I/O APIC", "I/O APIC registers (IOREGSEL/IOWIN)",
                    "Intel 82093AA I/O APIC datasheet, 3.0 (default base 0xfec00000)"),
            new Range(0xfed00000L, 0xfed003ffL, "HPET", "high-precision event timer registers",
                    "IA-PC HPET specification 1.0a, 2.3 (default base 0xfed00000)"),
            new Range(0xfee00000L, 0xfee00fffL, "local APIC", "local APIC registers (xAPIC MMIO page)",
                    "Intel SDM vol. 3A, 11.4.1 (default APIC base 0xfee00000) and table 11-1"),
            new Range(0xfffc0000L, 0xffffffffL, "BIOS flash below 4 GiB", "the firmware image mapped just below 4 GiB"
                    + " (the reset vector 0xfffffff0 is in it)", PC));

    public static Optional<Range> lookup(long physical) {
        return RANGES.stream().filter(r -> r.contains(physical)).findFirst();
    }
}
