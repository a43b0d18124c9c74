package dev.vmscope.arch.x86;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The PC memory map vmscope gives a guest of a given RAM size, as E820 entries (ACPI 6.5, 15
 * "System Address Map Interfaces", table 15.1 address range types). The same list feeds the multiboot
 * mmap, fw_cfg "etc/e820" and the CMOS memory-size bytes:
 * <pre>
 *   [0, 0x9fc00)             usable    conventional memory
 *   [0x9fc00, 0xa0000)       reserved  EBDA
 *   [0xe0000, 0x100000)      reserved  BIOS area: ACPI and MP tables (direct boot) or the firmware's shadow
 *   [0x100000, min(RAM, PCI_HOLE))            usable
 *   [4 GiB, 4 GiB + RAM - PCI_HOLE)           usable, when RAM exceeds the 32-bit PCI hole
 * </pre>
 * Guest RAM itself is laid out by {@link #ramRanges}: one block from 0, a second from 4 GiB.
 */
public final class E820 {
    /**
     * The BIOS area starts at 0xe0000: the 128 KiB a PC maps its BIOS ROM into (QEMU's isa-bios alias), where
     * direct boot writes the ACPI tables (the RSDP scan range, ACPI 6.5 5.2.5.1) and the MP table.
     */
    public static final long EBDA = 0x9fc00, LOW_END = 0xa0000, BIOS = 0xe0000, HIGH_START = 0x100000;
    /** Start of the 32-bit PCI/MMIO hole; guest RAM never extends across it. */
    public static final long PCI_HOLE = 0xe0000000L;
    public static final long FOUR_GIB = 1L << 32;
    /** Smallest RAM for which the standard map makes sense: the low area plus 1 MiB above it. */
    public static final long MIN_RAM = 2L << 20;

    public enum Type {
        USABLE(1), RESERVED(2), ACPI(3), NVS(4), UNUSABLE(5);

        public final int code;

        Type(int code) { this.code = code; }
    }

    public record Entry(long base, long length, Type type) {
        public long end() { return base + length; }
    }

    /** A block of guest RAM at guest-physical {@code gpa}. */
    public record Range(long gpa, long size) { }

    private E820() { }

    /** Where guest RAM of {@code ramSize} bytes lives: below the PCI hole, and the rest from 4 GiB. */
    public static List<Range> ramRanges(long ramSize) {
        check(ramSize);
        long low = Math.min(ramSize, PCI_HOLE);
        List<Range> out = new ArrayList<>(List.of(new Range(0, low)));
        if (ramSize > low) out.add(new Range(FOUR_GIB, ramSize - low));
        return List.copyOf(out);
    }

    /** The memory map for {@code ramSize} bytes of RAM laid out as {@link #ramRanges}. */
    public static List<Entry> standard(long ramSize) {
        check(ramSize);
        long low = Math.min(ramSize, PCI_HOLE);
        List<Entry> out = new ArrayList<>();
        out.add(new Entry(0, EBDA, Type.USABLE));
        out.add(new Entry(EBDA, LOW_END - EBDA, Type.RESERVED));
        out.add(new Entry(BIOS, HIGH_START - BIOS, Type.RESERVED));
        out.add(new Entry(HIGH_START, low - HIGH_START, Type.USABLE));
        if (ramSize > low) out.add(new Entry(FOUR_GIB, ramSize - low, Type.USABLE));
        return List.copyOf(out);
    }

    /** Bytes of usable RAM from {@code start} up to the first gap or non-usable entry (0 if none starts there). */
    public static long contiguousUsable(List<Entry> map, long start) {
        long end = start;
        boolean grown = true;
        while (grown) {
            grown = false;
            for (Entry e : map) {
                if (e.type() == Type.USABLE && e.base() <= end && e.end() > end) {
                    end = e.end();
                    grown = true;
                }
            }
        }
        return end - start;
    }

    /**
     * The fw_cfg "etc/e820" file: packed little-endian {u64 address, u64 length, u32 type} per entry
     * (QEMU hw/i386/e820_memory_layout.h, struct e820_entry).
     */
    public static byte[] fwCfgBytes(List<Entry> map) {
        ByteBuffer b = ByteBuffer.allocate(20 * map.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : map) b.putLong(e.base()).putLong(e.length()).putInt(e.type().code);
        return b.array();
    }

    /**
     * The RTC CMOS memory-size fields for {@code ramSize} (values as QEMU's pc_cmos_init in
     * hw/i386/pc.c computes them): base memory in KiB (regs 0x15/0x16, at most 640), extended memory above
     * 1 MiB in KiB (0x17/0x18 and 0x30/0x31, at most 65535), memory from 16 MiB to the PCI hole in 64 KiB
     * blocks (0x34/0x35, at most 65535) and memory above 4 GiB in 64 KiB blocks (0x5b..0x5d, 24 bits).
     */
    public record CmosMemory(int baseKib, int extendedKib, int above16MiB64k, int above4GiB64k) { }

    public static CmosMemory cmosMemory(long ramSize) {
        check(ramSize);
        long low = Math.min(ramSize, PCI_HOLE);
        long mib = 1 << 20;
        return new CmosMemory((int) Math.min(low >> 10, 640),
                (int) Math.min((low - mib) >> 10, 65535),
                (int) Math.min(Math.max(low - 16 * mib, 0) >> 16, 65535),
                (int) Math.min((ramSize - low) >> 16, 0xffffff));
    }

    private static void check(long ramSize) {
        if (ramSize < MIN_RAM) throw new IllegalArgumentException("guest RAM of " + ramSize + " bytes is below the minimum of " + MIN_RAM);
    }
}
