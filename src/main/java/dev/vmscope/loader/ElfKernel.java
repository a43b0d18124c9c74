package dev.vmscope.loader;

import dev.vmscope.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An ELF32 or ELF64 little-endian x86 executable: its PT_LOAD segments, entry point and symbols.
 * Field offsets follow the System V gABI, chapter 4 ("ELF Header", "Program Header", "Sections",
 * "Symbol Table"); each read is bounds-checked, so a truncated or lying file fails with a one-line
 * {@link LoaderException}.
 */
public final class ElfKernel {
    private static final int PT_LOAD = 1;
    private static final int SHT_SYMTAB = 2;
    private static final int STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
    private static final int EM_386 = 3, EM_X86_64 = 62;
    private static final int ET_EXEC = 2;
    private static final int MAX_SEGMENTS = 256, MAX_SYMBOLS = 1 << 20;

    /** One PT_LOAD program header: {@code filesz} bytes from {@code offset} go to {@code paddr}, zeros up to {@code memsz}. */
    public record Segment(long paddr, long vaddr, long offset, long filesz, long memsz) { }

    private final KernelFile file;
    private final boolean is64;
    private final long entry;
    private final List<Segment> segments;

    private ElfKernel(KernelFile file) {
        this.file = file;
        int cls = file.u8(4, "ELF class");
        if (cls != 1 && cls != 2) throw file.error("ELF class " + cls + " is neither ELF32 (1) nor ELF64 (2)");
        is64 = cls == 2;
        if (file.u8(5, "ELF data encoding") != 1) throw file.error("ELF file is not little-endian");
        int type = file.u16(16, "e_type");
        if (type != ET_EXEC) throw file.error("ELF e_type " + type + " is not an executable (ET_EXEC)");
        int machine = file.u16(18, "e_machine");
        if (machine != EM_386 && machine != EM_X86_64)
            throw file.error("ELF e_machine " + machine + " is not x86 (3) or x86-64 (62)");
        entry = is64 ? file.u64(24, "e_entry") : file.u32(24, "e_entry");
        segments = readSegments();
    }

    /** True when the bytes start with the ELF magic 0x7f 'E' 'L' 'F'. */
    static boolean isElf(byte[] b) {
        return b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    }

    static ElfKernel parse(KernelFile file) {
        if (!isElf(file.bytes)) throw file.error("not an ELF file (no 0x7f 'ELF' magic)");
        return new ElfKernel(file);
    }

    /** Parses an ELF executable from disk, e.g. to look up symbols without loading it. */
    public static ElfKernel parse(Path path) { return parse(KernelFile.read(path)); }

    public boolean is64() { return is64; }

    public long entry() { return entry; }

    public List<Segment> segments() { return segments; }

    private List<Segment> readSegments() {
        long phoff = is64 ? file.u64(32, "e_phoff") : file.u32(28, "e_phoff");
        int phentsize = file.u16(is64 ? 54 : 42, "e_phentsize");
        int phnum = file.u16(is64 ? 56 : 44, "e_phnum");
        int minSize = is64 ? 56 : 32;
        if (phnum == 0) throw file.error("ELF file has no program headers");
        if (phentsize < minSize) throw file.error("ELF e_phentsize " + phentsize + " is smaller than " + minSize);
        if (phnum > MAX_SEGMENTS) throw file.error("ELF file has " + phnum + " program headers (limit " + MAX_SEGMENTS + ")");
        file.requireRange(phoff, (long) phentsize * phnum, "the program header table");
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            long ph = phoff + (long) i * phentsize;
            if (file.u32(ph, "p_type") != PT_LOAD) continue;
            Segment s = is64
                    ? new Segment(file.u64(ph + 24, "p_paddr"), file.u64(ph + 16, "p_vaddr"), file.u64(ph + 8, "p_offset"),
                                  file.u64(ph + 32, "p_filesz"), file.u64(ph + 40, "p_memsz"))
                    : new Segment(file.u32(ph + 12, "p_paddr"), file.u32(ph + 8, "p_vaddr"), file.u32(ph + 4, "p_offset"),
                                  file.u32(ph + 16, "p_filesz"), file.u32(ph + 20, "p_memsz"));
            if (Long.compareUnsigned(s.filesz(), s.memsz()) > 0)
                throw file.error("program header " + i + ": p_filesz 0x" + Long.toHexString(s.filesz())
                        + " is larger than p_memsz 0x" + Long.toHexString(s.memsz()));
            file.requireRange(s.offset(), s.filesz(), "program header " + i + " (PT_LOAD)");
            out.add(s);
        }
        if (out.isEmpty()) throw file.error("ELF file has no PT_LOAD segment");
        return List.copyOf(out);
    }

    /**
     * Copies every PT_LOAD segment to its physical address (p_paddr) and zeroes the rest of p_memsz.
     * All segments are claimed (in RAM, no overlap) before any byte is written.
     */
    List<LoadResult.Region> load(GuestMemory memory, Placement placement) {
        List<LoadResult.Region> claimed = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            claimed.add(placement.claim(file.path, s.paddr(), s.memsz(), "segment " + i));
        }
        for (Segment s : segments) {
            if (s.filesz() > 0) memory.write(s.paddr(), file.bytes, (int) s.offset(), (int) s.filesz());
            if (s.memsz() > s.filesz()) memory.fill(s.paddr() + s.filesz(), s.memsz() - s.filesz(), (byte) 0);
        }
        return claimed;
    }

    /**
     * The entry point as a physical address: e_entry itself, or, when it falls inside a segment whose
     * virtual and physical addresses differ (a higher-half kernel), translated through that segment.
     */
    long physicalEntry() {
        for (Segment s : segments) {
            if (s.vaddr() != s.paddr() && Long.compareUnsigned(entry - s.vaddr(), s.memsz()) < 0)
                return s.paddr() + (entry - s.vaddr());
        }
        return entry;
    }

    /** The .symtab symbols with a name and a section, skipping section and file symbols; empty without .symtab. */
    public List<LoadResult.Symbol> symbols() {
        long shoff = is64 ? file.u64(40, "e_shoff") : file.u32(32, "e_shoff");
        int shentsize = file.u16(is64 ? 58 : 46, "e_shentsize");
        int shnum = file.u16(is64 ? 60 : 48, "e_shnum");
        if (shoff == 0 || shnum == 0) return List.of();
        if (shentsize < (is64 ? 64 : 40)) throw file.error("ELF e_shentsize " + shentsize + " is too small");
        file.requireRange(shoff, (long) shentsize * shnum, "the section header table");
        for (int i = 0; i < shnum; i++) {
            long sh = shoff + (long) i * shentsize;
            if (file.u32(sh + 4, "sh_type") != SHT_SYMTAB) continue;
            long link = file.u32(sh + (is64 ? 40 : 24), "sh_link");
            if (link >= shnum) throw file.error("symbol table links to section " + link + " of " + shnum);
            long strSh = shoff + link * shentsize;
            return readSymbols(section(sh, "symbol table"), section(strSh, "symbol string table"));
        }
        return List.of();
    }

    /** [offset, size] of a section, checked to lie in the file. */
    private long[] section(long sh, String what) {
        long off = is64 ? file.u64(sh + 24, "sh_offset") : file.u32(sh + 16, "sh_offset");
        long size = is64 ? file.u64(sh + 32, "sh_size") : file.u32(sh + 20, "sh_size");
        file.requireRange(off, size, "the " + what);
        return new long[] {off, size};
    }

    private List<LoadResult.Symbol> readSymbols(long[] symtab, long[] strtab) {
        int entSize = is64 ? 24 : 16;
        long count = symtab[1] / entSize;
        if (count > MAX_SYMBOLS) throw file.error("symbol table has " + count + " entries (limit " + MAX_SYMBOLS + ")");
        List<LoadResult.Symbol> out = new ArrayList<>();
        for (long i = 1; i < count; i++) {
            long e = symtab[0] + i * entSize;
            long nameOff = file.u32(e, "st_name");
            int info = file.u8(e + (is64 ? 4 : 12), "st_info");
            int shndx = file.u16(e + (is64 ? 6 : 14), "st_shndx");
            long value = is64 ? file.u64(e + 8, "st_value") : file.u32(e + 4, "st_value");
            long size = is64 ? file.u64(e + 16, "st_size") : file.u32(e + 8, "st_size");
            int type = info & 0xf;
            if (nameOff == 0 || shndx == 0 || type == STT_SECTION || type == STT_FILE) continue;
            if (nameOff >= strtab[1]) throw file.error("symbol " + i + " has its name outside the string table");
            out.add(new LoadResult.Symbol(cString(strtab[0] + nameOff, strtab[0] + strtab[1]), value, size,
                    type == STT_FUNC));
        }
        return List.copyOf(out);
    }

    private String cString(long from, long limit) {
        int start = (int) from, end = start;
        while (end < limit && file.bytes[end] != 0) end++;
        return new String(file.bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }
}
