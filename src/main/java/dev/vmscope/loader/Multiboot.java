package dev.vmscope.loader;

import dev.vmscope.arch.x86.BootState;
import dev.vmscope.arch.x86.E820;
import dev.vmscope.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads a Multiboot v1 kernel (Multiboot Specification 0.6.96) the way QEMU's -kernel does: an ELF32 or
 * ELF64 executable (PT_LOAD segments at their physical addresses), or any image whose header sets flag
 * bit 16 (the a.out kludge: load_addr, load_end_addr, bss_end_addr, entry_addr). Modules follow the
 * kernel, each page-aligned. The boot information lives in a fixed low-memory area, {@link #INFO_AREA};
 * the range {@code BootState.multiboot} will write its GDT to is reserved too, so no image may cover it.
 * Only guest memory is written; the CPU state comes from {@code BootState.multiboot(memory, result)}.
 */
public final class Multiboot {
    /** Guest-physical start of the boot information area: info structure, mmap, module list, strings. */
    public static final long INFO_AREA = 0x9000;
    /** The area ends where the EBDA starts (the first reserved E820 range). */
    public static final long INFO_AREA_END = E820.EBDA;
    public static final String BOOT_LOADER_NAME = "vmscope";
    /** EAX at entry (spec 3.2 "Machine state"). */
    public static final long BOOTLOADER_MAGIC = 0x2BADB002L;
    static final long PAGE = 4096;

    /** A module file and its arguments; the module string is "FILE" or "FILE ARGS" as in QEMU's -initrd. */
    public record Module(Path file, String args) {
        public Module {
            args = args == null ? "" : args;
        }

        String string() { return args.isEmpty() ? file.toString() : file + " " + args; }
    }

    private Multiboot() { }

    /**
     * Loads {@code kernel} and {@code modules} into {@code memory} and writes the multiboot info.
     *
     * @param append    the text QEMU takes from -append; the kernel's command line is "KERNEL APPEND"
     * @param memoryMap the E820 map handed to the guest (mmap, mem_lower, mem_upper)
     * @throws LoaderException naming the file and what is wrong
     */
    public static LoadResult load(GuestMemory memory, Path kernel, String append, List<Module> modules,
                                  List<E820.Entry> memoryMap) {
        KernelFile file = KernelFile.read(kernel);
        MultibootHeader header = MultibootHeader.find(file);
        String cmdline = kernel + " " + (append == null ? "" : append);
        List<KernelFile> moduleFiles = modules.stream().map(m -> KernelFile.read(m.file())).toList();
        List<String> strings = new ArrayList<>(List.of(cmdline, BOOT_LOADER_NAME));
        modules.forEach(m -> strings.add(m.string()));
        MultibootInfo info = MultibootInfo.layout(kernel, INFO_AREA, INFO_AREA_END, memoryMap.size(), strings);

        Placement placement = new Placement(memory);
        placement.claim(kernel, BootState.GDT_BASE, BootState.GDT_SIZE, "the boot GDT");
        placement.claim(kernel, INFO_AREA, info.size(), "the multiboot info area");
        long entry;
        List<LoadResult.Symbol> symbols = List.of();
        if (header.aoutKludge()) {
            entry = loadAoutKludge(memory, placement, file, header);
        } else {
            if (!ElfKernel.isElf(file.bytes))
                throw file.error("not an ELF file and the multiboot header does not set the a.out kludge (flags bit 16)");
            ElfKernel elf = ElfKernel.parse(file);
            List<LoadResult.Region> segments = elf.load(memory, placement);
            entry = elf.physicalEntry();
            if (segments.stream().noneMatch(r -> entry >= r.gpa() && entry < r.end()))
                throw file.error("entry point 0x" + Long.toHexString(entry) + " is outside every PT_LOAD segment");
            symbols = elf.symbols();
        }
        if (entry >= E820.FOUR_GIB)
            throw file.error("entry point 0x" + Long.toHexString(entry) + " is not reachable in 32-bit protected mode");

        List<long[]> loadedModules = new ArrayList<>();
        for (int i = 0; i < moduleFiles.size(); i++) {
            KernelFile m = moduleFiles.get(i);
            long start = alignUp(Math.max(placement.end(), E820.HIGH_START), PAGE);
            placement.claim(m.path, start, m.size(), "module " + i);
            if (start + m.size() > E820.FOUR_GIB) throw m.error("module does not fit below 4 GiB");
            memory.write(start, m.bytes);
            loadedModules.add(new long[] {start, start + m.size()});
        }
        info.write(memory, memoryMap, loadedModules);
        return new LoadResult(entry, info.address(), LoadResult.BootProtocol.MULTIBOOT, placement.regions(), symbols);
    }

    /** Shorthand without modules, using the standard memory map for the guest's RAM size. */
    public static LoadResult load(GuestMemory memory, Path kernel, String append) {
        return load(memory, kernel, append, List.of(), E820.standard(memory.size()));
    }

    /** The a.out kludge (spec 3.1.3 "The address fields of Multiboot header"). */
    private static long loadAoutKludge(GuestMemory memory, Placement placement, KernelFile file, MultibootHeader h) {
        if (h.headerAddr() < h.loadAddr())
            throw file.error(String.format("a.out kludge: header_addr 0x%x is below load_addr 0x%x", h.headerAddr(), h.loadAddr()));
        long fileStart = h.offset() - (h.headerAddr() - h.loadAddr());
        if (fileStart < 0)
            throw file.error(String.format("a.out kludge: load_addr 0x%x would start the image %d bytes before the file",
                    h.loadAddr(), -fileStart));
        if (h.loadEndAddr() != 0 && h.loadEndAddr() < h.loadAddr())
            throw file.error(String.format("a.out kludge: load_end_addr 0x%x is below load_addr 0x%x", h.loadEndAddr(), h.loadAddr()));
        long loadSize = h.loadEndAddr() == 0 ? file.size() - fileStart : h.loadEndAddr() - h.loadAddr();
        file.requireRange(fileStart, loadSize, "the a.out kludge image (load_addr..load_end_addr)");
        if (h.bssEndAddr() != 0 && h.bssEndAddr() < h.loadAddr() + loadSize)
            throw file.error(String.format("a.out kludge: bss_end_addr 0x%x is below the end of the loaded image 0x%x",
                    h.bssEndAddr(), h.loadAddr() + loadSize));
        long memSize = h.bssEndAddr() == 0 ? loadSize : h.bssEndAddr() - h.loadAddr();
        if (h.entryAddr() < h.loadAddr() || h.entryAddr() >= h.loadAddr() + memSize)
            throw file.error(String.format("a.out kludge: entry_addr 0x%x is outside the image [0x%x, 0x%x)",
                    h.entryAddr(), h.loadAddr(), h.loadAddr() + memSize));
        placement.claim(file.path, h.loadAddr(), memSize, "the a.out kludge image");
        memory.write(h.loadAddr(), file.bytes, (int) fileStart, (int) loadSize);
        if (memSize > loadSize) memory.fill(h.loadAddr() + loadSize, memSize - loadSize, (byte) 0);
        return h.entryAddr();
    }

    static long alignUp(long v, long a) { return (v + a - 1) & -a; }

    static byte[] cString(Path file, String s) {
        if (s.indexOf('\0') >= 0) throw new LoaderException(file, "command line or module string contains a NUL character");
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }
}
