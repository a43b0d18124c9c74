package dev.vmscope.loader;

import dev.vmscope.arch.x86.E820;
import dev.vmscope.memory.GuestMemory;
import java.nio.file.Path;
import java.util.List;

/**
 * Layout and writing of the Multiboot v1 boot information (Multiboot Specification 0.6.96, 3.3 "Boot
 * information format"). In the info area, in this order: the 116-byte info structure (rounded to 128),
 * the mmap entries ({u32 size = 20, u64 base_addr, u64 length, u32 type}, 24 bytes each), the module
 * list ({u32 mod_start, mod_end, string, reserved}, 16 bytes each), then NUL-terminated strings: the
 * command line, the boot loader name, the module strings.
 */
final class MultibootInfo {
    // Info structure offsets and flags bits (spec 3.3).
    static final int FLAGS = 0, MEM_LOWER = 4, MEM_UPPER = 8, CMDLINE = 16, MODS_COUNT = 20, MODS_ADDR = 24,
            MMAP_LENGTH = 44, MMAP_ADDR = 48, BOOT_LOADER_NAME = 64;
    static final int STRUCT_SIZE = 116, STRUCT_SPACE = 128, MMAP_ENTRY = 24, MODULE_ENTRY = 16;
    static final long F_MEMORY = 1, F_CMDLINE = 1 << 2, F_MODS = 1 << 3, F_MMAP = 1 << 6, F_BOOT_LOADER_NAME = 1 << 9;

    private final long base;
    private final long mmapAddr;
    private final long modsAddr;
    private final long[] stringAddr;
    private final List<byte[]> strings;
    private final long size;

    private MultibootInfo(long base, long mmapAddr, long modsAddr, long[] stringAddr, List<byte[]> strings, long size) {
        this.base = base;
        this.mmapAddr = mmapAddr;
        this.modsAddr = modsAddr;
        this.stringAddr = stringAddr;
        this.strings = strings;
        this.size = size;
    }

    /** Plans the area; {@code strings} = command line, boot loader name, then one per module. */
    static MultibootInfo layout(Path kernel, long base, long limit, int mmapEntries, List<String> strings) {
        long mmap = base + STRUCT_SPACE;
        long mods = mmap + (long) MMAP_ENTRY * mmapEntries;
        long next = mods + (long) MODULE_ENTRY * (strings.size() - 2);
        List<byte[]> bytes = strings.stream().map(s -> Multiboot.cString(kernel, s)).toList();
        long[] addr = new long[bytes.size()];
        for (int i = 0; i < addr.length; i++) {
            addr[i] = next;
            next += bytes.get(i).length;
        }
        if (next > limit)
            throw new LoaderException(kernel, "command line, module strings and memory map need " + (next - base)
                    + " bytes, more than the " + (limit - base) + "-byte multiboot info area");
        return new MultibootInfo(base, mmap, mods, addr, bytes, next - base);
    }

    long address() { return base; }

    long size() { return size; }

    /** Writes everything; {@code modules} holds {start, end} per module, in the order of the strings. */
    void write(GuestMemory memory, List<E820.Entry> map, List<long[]> modules) {
        memory.fill(base, STRUCT_SPACE, (byte) 0);
        for (int i = 0; i < strings.size(); i++) memory.write(stringAddr[i], strings.get(i));
        for (int i = 0; i < map.size(); i++) {
            long e = mmapAddr + (long) MMAP_ENTRY * i;
            memory.writeU32(e, MMAP_ENTRY - 4); // size excludes the size field itself
            memory.writeU64(e + 4, map.get(i).base());
            memory.writeU64(e + 12, map.get(i).length());
            memory.writeU32(e + 20, map.get(i).type().code);
        }
        for (int i = 0; i < modules.size(); i++) {
            long m = modsAddr + (long) MODULE_ENTRY * i;
            memory.writeU32(m, modules.get(i)[0]);
            memory.writeU32(m + 4, modules.get(i)[1]);
            memory.writeU32(m + 8, stringAddr[2 + i]);
            memory.writeU32(m + 12, 0);
        }
        long lowerKib = Math.min(E820.contiguousUsable(map, 0), 640L << 10) >> 10;
        long upperKib = Math.min(E820.contiguousUsable(map, E820.HIGH_START) >> 10, 0xffffffffL);
        memory.writeU32(base + FLAGS, F_MEMORY | F_CMDLINE | F_MODS | F_MMAP | F_BOOT_LOADER_NAME);
        memory.writeU32(base + MEM_LOWER, lowerKib);
        memory.writeU32(base + MEM_UPPER, upperKib);
        memory.writeU32(base + CMDLINE, stringAddr[0]);
        memory.writeU32(base + MODS_COUNT, modules.size());
        memory.writeU32(base + MODS_ADDR, modsAddr);
        memory.writeU32(base + MMAP_LENGTH, (long) MMAP_ENTRY * map.size());
        memory.writeU32(base + MMAP_ADDR, mmapAddr);
        memory.writeU32(base + BOOT_LOADER_NAME, stringAddr[1]);
    }
}
