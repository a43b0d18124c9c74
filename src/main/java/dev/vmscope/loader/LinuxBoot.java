package dev.vmscope.loader;

import dev.vmscope.arch.x86.BootState;
import dev.vmscope.arch.x86.E820;
import dev.vmscope.memory.GuestMemory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Linux kernels (bzImage) by the Linux/x86 boot protocol (Documentation/arch/x86/boot.rst, "The Linux/x86
 * Boot Protocol", "32-bit Boot Protocol", "64-bit Boot Protocol"), entered as {@link LinuxEntry} says: the
 * protected-mode kernel at 1 MiB (or, for {@link LinuxEntry#VMLINUX}, its payload decompressed and loaded
 * by {@link Vmlinux}), the zero
 * page (struct boot_params, arch/x86/include/uapi/asm/bootparam.h) holding the file's setup header and what a
 * boot loader fills in (loader type, command line, initrd, E820 map), then {@link BootState#linux32}. The
 * real-mode setup code is not run, as with any 32- or 64-bit-protocol loader; everything it would ask the
 * BIOS for is in the zero page. The compressed kernel decompresses itself at max(load address aligned up to
 * kernel_alignment, pref_address) and needs init_size bytes there (arch/x86/boot/compressed/head_64.S,
 * startup_32/startup_64 with CONFIG_RELOCATABLE), so that whole range is claimed. Layout as QEMU's x86_load_linux uses it: boot_params at 0x10000, command line
 * at 0x20000, the initrd as high as initrd_addr_max and RAM below 4 GiB allow.
 */
public final class LinuxBoot {
    // Setup header fields, at the same offsets in the file and in boot_params (boot.rst "The real-mode kernel header").
    static final int SETUP_SECTS = 0x1f1, BOOT_FLAG = 0x1fe, JUMP_END = 0x201, HEADER = 0x202, VERSION = 0x206,
            TYPE_OF_LOADER = 0x210, LOADFLAGS = 0x211, CODE32_START = 0x214, RAMDISK_IMAGE = 0x218,
            RAMDISK_SIZE = 0x21c, CMD_LINE_PTR = 0x228, INITRD_ADDR_MAX = 0x22c, KERNEL_ALIGNMENT = 0x230,
            RELOCATABLE = 0x234, XLOADFLAGS = 0x236, CMDLINE_SIZE = 0x238, PAYLOAD_OFFSET = 0x248, PAYLOAD_LENGTH = 0x24c,
            PREF_ADDRESS = 0x258, INIT_SIZE = 0x260;
    /** xloadflags bit 0: the kernel has the 64-bit entry at 0x200 (protocol 2.12). */
    static final int XLF_KERNEL_64 = 0x1;
    /** startup_64's offset in the protected-mode kernel (boot.rst "64-bit Boot Protocol"). */
    public static final long ENTRY64_OFFSET = 0x200;
    /** The identity page tables a long-mode entry uses (BootState.PAGE_TABLES, 6 pages). */
    static final long PAGE_TABLES = 0x1000, PAGE_TABLES_SIZE = 0x6000;
    // boot_params outside the header (bootparam.h): e820_entries (u8) and e820_table (128 x {u64 addr, u64 size, u32 type}).
    static final int E820_ENTRIES = 0x1e8, E820_TABLE = 0x2d0, E820_MAX = 128, BOOT_PARAMS_SIZE = 4096;
    static final long HDRS = 0x53726448L;          // "HdrS"
    static final int BOOT_FLAG_VALUE = 0xaa55, LOADED_HIGH = 0x01;
    /** type_of_loader for a boot loader without an assigned ID (boot.rst: 0xff = undefined). */
    public static final int LOADER_UNDEFINED = 0xff;
    public static final long BOOT_PARAMS = 0x10000, CMDLINE = 0x20000, KERNEL = E820.HIGH_START;
    /** Protocol 2.02 added cmd_line_ptr; older kernels expect the command line below 1 MiB by magic numbers. */
    static final int MIN_VERSION = 0x202;

    private LinuxBoot() {}

    /** Whether {@code file} has a Linux setup header: boot flag 0xAA55 at 0x1fe and "HdrS" at 0x202. */
    public static boolean isBzImage(Path file) {
        try {
            KernelFile k = KernelFile.read(file);
            return k.size() >= VERSION + 2 && k.u16(BOOT_FLAG, "boot_flag") == BOOT_FLAG_VALUE && k.u32(HEADER, "header") == HDRS;
        } catch (LoaderException e) {
            return false;
        }
    }

    /**
     * Loads {@code kernel} with {@code append} as its whole command line (as QEMU's -append for Linux) and
     * at most one initrd.
     * @throws LoaderException naming the file and what is wrong
     */
    public static LoadResult load(GuestMemory memory, Path kernel, String append, List<Path> initrds, List<E820.Entry> map) {
        return load(memory, kernel, append, initrds, map, LinuxEntry.BOOT32);
    }

    /**
     * Loads {@code kernel} for {@code entry}: as {@link #load(GuestMemory, Path, String, List, List)}, plus
     * the long-mode page-table area for the 64-bit entries; {@link LinuxEntry#VMLINUX} loads the decompressed
     * payload instead of the protected-mode kernel. The result's protocol is LINUX or LINUX64.
     * @throws LoaderException naming the file and what is wrong
     */
    public static LoadResult load(GuestMemory memory, Path kernel, String append, List<Path> initrds, List<E820.Entry> map,
                                  LinuxEntry entry) {
        KernelFile file = KernelFile.read(kernel);
        if (file.size() < VERSION + 2 || file.u32(HEADER, "header") != HDRS)
            throw file.error("no Linux setup header (\"HdrS\" at 0x202)");
        int version = file.u16(VERSION, "version");
        if (version < MIN_VERSION)
            throw file.error(String.format("boot protocol %d.%02d is older than 2.02; vmscope loads bzImage kernels only",
                    version >> 8, version & 0xff));
        if ((file.u8(LOADFLAGS, "loadflags") & LOADED_HIGH) == 0)
            throw file.error("a zImage (loadflags bit 0 LOADED_HIGH clear) loads below 1 MiB; only bzImage is supported");
        int setupSects = file.u8(SETUP_SECTS, "setup_sects");
        long pm = (setupSects == 0 ? 4 : setupSects) * 512L + 512;   // boot sector + setup sectors
        if (pm >= file.size()) throw file.error("no protected-mode kernel after the " + pm + " bytes of setup code");
        long pmSize = file.size() - pm;
        int headerEnd = HEADER + file.u8(JUMP_END, "jump");
        file.requireRange(SETUP_SECTS, headerEnd - SETUP_SECTS, "the setup header");

        String cmdline = append == null ? "" : append;
        byte[] cmd = cmdline.getBytes(StandardCharsets.UTF_8);
        long cmdlineMax = version >= 0x206 ? file.u32(CMDLINE_SIZE, "cmdline_size") : 255;
        if (cmd.length > cmdlineMax)
            throw file.error("the command line is " + cmd.length + " bytes; this kernel takes at most " + cmdlineMax + " (cmdline_size)");
        long initSize = version >= 0x20a ? file.u32(INIT_SIZE, "init_size") : 0;
        if (entry.longMode()) {
            if (version < 0x20c || (file.u16(XLOADFLAGS, "xloadflags") & XLF_KERNEL_64) == 0)
                throw file.error("no 64-bit entry (xloadflags XLF_KERNEL_64, boot protocol 2.12+); use the 32-bit entry");
        }

        Placement placement = new Placement(memory);
        placement.claim(kernel, BootState.LINUX_GDT_BASE, BootState.LINUX_GDT_SIZE, "the boot GDT");
        if (entry.longMode()) placement.claim(kernel, PAGE_TABLES, PAGE_TABLES_SIZE, "the boot page tables");
        placement.claim(kernel, BOOT_PARAMS, BOOT_PARAMS_SIZE, "boot_params (the zero page)");
        placement.claim(kernel, CMDLINE, cmd.length + 1, "the command line");
        long entryAddress;
        if (entry == LinuxEntry.VMLINUX) {
            if (version < 0x208) throw file.error("no payload_offset/payload_length (boot protocol 2.08+) to decompress");
            long off = file.u32(PAYLOAD_OFFSET, "payload_offset"), len = file.u32(PAYLOAD_LENGTH, "payload_length");
            if (off > pmSize || len > pmSize - off)
                throw file.error("the payload [" + off + ", " + (off + len) + ") is outside the " + pmSize + "-byte protected-mode kernel");
            entryAddress = Vmlinux.load(memory, placement, file, (int) (pm + off), (int) len).entry();
        } else {
            // The kernel decompresses itself and needs init_size bytes at its decompression address.
            long end = Math.max(KERNEL + pmSize, decompressAt(file, version) + initSize);
            placement.claim(kernel, KERNEL, end - KERNEL, end == KERNEL + pmSize ? "the protected-mode kernel"
                    : "the kernel and its decompression area (init_size 0x" + Long.toHexString(initSize) + ")");
            entryAddress = entry == LinuxEntry.BOOT64 ? KERNEL + ENTRY64_OFFSET : KERNEL;
        }

        long ramdiskImage = 0, ramdiskSize = 0;
        if (initrds.size() > 1) throw file.error("a Linux kernel takes one --initrd, not " + initrds.size());
        if (initrds.size() == 1) {
            KernelFile initrd = KernelFile.read(initrds.getFirst());
            long max = version >= 0x203 ? file.u32(INITRD_ADDR_MAX, "initrd_addr_max") : 0x37ffffffL;
            long top = Math.min(max + 1, lowRamTop(map));
            long addr = (top - initrd.size()) & ~0xfffL;
            if (addr < placement.end())
                throw initrd.error("the initrd (" + initrd.size() + " bytes) does not fit between the kernel and 0x"
                        + Long.toHexString(top) + " (initrd_addr_max and guest RAM); give the guest more memory (-m)");
            placement.claim(initrd.path, addr, initrd.size(), "the initrd");
            memory.write(addr, initrd.bytes);
            ramdiskImage = addr;
            ramdiskSize = initrd.size();
        }

        memory.fill(BOOT_PARAMS, BOOT_PARAMS_SIZE, (byte) 0);
        memory.write(BOOT_PARAMS + SETUP_SECTS, Arrays.copyOfRange(file.bytes, SETUP_SECTS, headerEnd));
        memory.writeByte(BOOT_PARAMS + TYPE_OF_LOADER, (byte) LOADER_UNDEFINED);
        if (entry != LinuxEntry.VMLINUX) memory.writeU32(BOOT_PARAMS + CODE32_START, KERNEL);
        memory.writeU32(BOOT_PARAMS + RAMDISK_IMAGE, ramdiskImage);
        memory.writeU32(BOOT_PARAMS + RAMDISK_SIZE, ramdiskSize);
        memory.writeU32(BOOT_PARAMS + CMD_LINE_PTR, CMDLINE);
        List<E820.Entry> e820 = map.size() > E820_MAX ? map.subList(0, E820_MAX) : map;
        memory.writeByte(BOOT_PARAMS + E820_ENTRIES, (byte) e820.size());
        for (int i = 0; i < e820.size(); i++) {
            long at = BOOT_PARAMS + E820_TABLE + 20L * i;
            memory.writeU64(at, e820.get(i).base());
            memory.writeU64(at + 8, e820.get(i).length());
            memory.writeU32(at + 16, e820.get(i).type().code);
        }
        memory.write(CMDLINE, Arrays.copyOf(cmd, cmd.length + 1));
        if (entry != LinuxEntry.VMLINUX) memory.write(KERNEL, file.bytes, (int) pm, (int) pmSize);
        return new LoadResult(entryAddress, BOOT_PARAMS,
                entry.longMode() ? LoadResult.BootProtocol.LINUX64 : LoadResult.BootProtocol.LINUX, placement.regions(), List.of());
    }

    /**
     * Where the compressed kernel decompresses: a relocatable one at the load address aligned up to
     * kernel_alignment but not below pref_address (LOAD_PHYSICAL_ADDR), a fixed one at pref_address
     * (compressed/head_64.S); before protocol 2.10 (no pref_address), where it was loaded.
     */
    static long decompressAt(KernelFile file, int version) {
        if (version < 0x20a) return KERNEL;
        long pref = file.u64(PREF_ADDRESS, "pref_address");
        if (file.u8(RELOCATABLE, "relocatable_kernel") == 0) return pref;
        long align = file.u32(KERNEL_ALIGNMENT, "kernel_alignment");
        long aligned = Long.bitCount(align) == 1 ? (KERNEL + align - 1) & -align : KERNEL;
        return Math.max(aligned, pref);
    }

    /** The end of the highest usable E820 range below 4 GiB: where the initrd goes at the latest. */
    static long lowRamTop(List<E820.Entry> map) {
        long top = 0;
        for (E820.Entry e : map)
            if (e.type() == E820.Type.USABLE && e.base() < E820.FOUR_GIB) top = Math.max(top, Math.min(e.end(), E820.FOUR_GIB));
        return top;
    }
}
