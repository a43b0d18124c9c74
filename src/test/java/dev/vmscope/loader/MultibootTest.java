package dev.vmscope.loader;

import static dev.vmscope.loader.TestImages.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.arch.x86.E820;
import dev.vmscope.memory.GuestMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultibootTest {
    static final long RAM = 16 << 20;
    @TempDir Path dir;
    Arena arena;
    GuestMemory mem;

    @BeforeEach void setUp() {
        arena = Arena.ofConfined();
        mem = GuestMemory.allocate(arena, RAM);
        mem.fill(0, RAM, (byte) 0xaa); // so that zeroed bss is visible
    }

    @AfterEach void tearDown() { arena.close(); }

    Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    LoadResult load(Path kernel, String append, Multiboot.Module... modules) {
        return Multiboot.load(mem, kernel, append, List.of(modules), E820.standard(RAM));
    }

    String cString(long gpa) {
        StringBuilder sb = new StringBuilder();
        for (long a = gpa; mem.readByte(a) != 0; a++) sb.append((char) mem.readByte(a));
        return sb.toString();
    }

    static byte[] code(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + 1);
        return b;
    }

    byte[] elf32Kernel() {
        byte[] text = concat(header(0x3), code(100));
        return elf(false, 0x100000, segs(new Seg(0x100000, text, text.length), new Seg(0x200000, code(16), 0x3000)), List.of());
    }

    @Test void elf32SegmentsAreCopiedAndBssZeroed() throws IOException {
        byte[] text = concat(header(0x3), code(100));
        LoadResult r = load(file("k32.elf", elf32Kernel()), "");
        assertEquals(0x100000, r.entry());
        assertEquals(LoadResult.BootProtocol.MULTIBOOT, r.protocol());
        assertArrayEquals(text, mem.read(0x100000, text.length));
        assertArrayEquals(code(16), mem.read(0x200000, 16));
        assertEquals(0, mem.readByte(0x200010));
        assertEquals(0, mem.readByte(0x202fff));
        assertEquals((byte) 0xaa, mem.readByte(0x203000), "nothing written past p_memsz");
        assertTrue(r.regions().stream().anyMatch(g -> g.gpa() == 0x200000 && g.size() == 0x3000));
    }

    @Test void infoStructureFollowsTheSpec() throws IOException {
        Path k = file("k32.elf", elf32Kernel());
        LoadResult r = load(k, "console=ttyS0 quiet");
        long mbi = r.infoAddress();
        assertEquals(Multiboot.INFO_AREA, mbi);
        long flags = mem.readU32(mbi);
        assertEquals(1 | 1 << 2 | 1 << 3 | 1 << 6 | 1 << 9, flags);
        assertEquals(639, mem.readU32(mbi + 4), "mem_lower in KiB");
        assertEquals((RAM - 0x100000) / 1024, mem.readU32(mbi + 8), "mem_upper in KiB");
        assertEquals(k + " console=ttyS0 quiet", cString(mem.readU32(mbi + 16)));
        assertEquals("vmscope", cString(mem.readU32(mbi + 64)));
        assertEquals(0, mem.readU32(mbi + 20), "mods_count");
        List<E820.Entry> map = E820.standard(RAM);
        assertEquals(24L * map.size(), mem.readU32(mbi + 44), "mmap_length");
        long e = mem.readU32(mbi + 48);
        for (E820.Entry want : map) {
            assertEquals(20, mem.readU32(e));
            assertEquals(want.base(), mem.readU64(e + 4));
            assertEquals(want.length(), mem.readU64(e + 12));
            assertEquals(want.type().code, mem.readU32(e + 20));
            e += 24;
        }
    }

    @Test void emptyAppendStillGivesNameAndSpaceLikeQemu() throws IOException {
        Path k = file("k32.elf", elf32Kernel());
        LoadResult r = load(k, "");
        assertEquals(k + " ", cString(mem.readU32(r.infoAddress() + 16)));
    }

    @Test void elf64WithSymbolsAndHigherHalfEntry() throws IOException {
        byte[] text = concat(header(0x0), code(64));
        long va = 0xffffffff80100000L;
        byte[] image = elf(true, va + 12, segs(new Seg(0x100000, va, text, 0x2000)),
                List.of(new Sym("compute", va + 12, 20, true), new Sym("counter", va + 0x1000, 4, false)));
        LoadResult r = load(file("k64.elf", image), "x");
        assertEquals(0x10000c, r.entry(), "e_entry translated through p_vaddr -> p_paddr");
        assertArrayEquals(text, mem.read(0x100000, text.length));
        assertEquals(va + 12, r.symbol("compute").orElseThrow().address());
        assertTrue(r.symbol("compute").orElseThrow().function());
        assertFalse(r.symbol("counter").orElseThrow().function());
    }

    @Test void aoutKludgeLoadsFromTheHeaderFields() throws IOException {
        // Header at file offset 0, mapped to 0x101000; 0x40 bytes loaded; bss to 0x101100; entry at +0x20.
        byte[] body = code(0x40 - 32);
        byte[] image = concat(header(0x10003, 0x101000, 0x101000, 0x101040, 0x101100, 0x101020), body, code(50));
        LoadResult r = load(file("kludge.bin", image), "");
        assertEquals(0x101020, r.entry());
        assertArrayEquals(java.util.Arrays.copyOf(image, 0x40), mem.read(0x101000, 0x40));
        assertEquals(0, mem.readByte(0x101040), "the rest of the file is not loaded, bss is zero");
        assertEquals(0, mem.readByte(0x1010ff));
        assertEquals((byte) 0xaa, mem.readByte(0x101100));
    }

    @Test void aoutKludgeWithZeroEndsLoadsTheWholeFile() throws IOException {
        byte[] pad = code(64);
        byte[] image = concat(pad, header(0x10000, 0x200040, 0x200000, 0, 0, 0x200000), code(200));
        LoadResult r = load(file("whole.bin", image), "");
        assertArrayEquals(image, mem.read(0x200000, image.length));
        assertEquals(0x200000, r.entry());
    }

    @Test void modulesArePageAlignedAfterTheKernelWithTheirStrings() throws IOException {
        Path k = file("k32.elf", elf32Kernel()); // ends at 0x203000
        Path m1 = file("initrd.img", code(5000));
        Path m2 = file("second", "hello".getBytes(StandardCharsets.US_ASCII));
        LoadResult r = load(k, "", new Multiboot.Module(m1, "root=/dev/ram"), new Multiboot.Module(m2, ""));
        long mbi = r.infoAddress();
        assertEquals(2, mem.readU32(mbi + 20));
        long mods = mem.readU32(mbi + 24);
        assertEquals(0x203000, mem.readU32(mods));
        assertEquals(0x203000 + 5000, mem.readU32(mods + 4));
        assertEquals(m1 + " root=/dev/ram", cString(mem.readU32(mods + 8)));
        assertEquals(0x205000, mem.readU32(mods + 16), "second module starts on the next page");
        assertEquals(0x205005, mem.readU32(mods + 20));
        assertEquals(m2.toString(), cString(mem.readU32(mods + 24)));
        assertArrayEquals(code(5000), mem.read(0x203000, 5000));
        assertEquals("hello", new String(mem.read(0x205000, 5), StandardCharsets.US_ASCII));
    }

    // ---- malformed images: each must fail with one line naming the file and the problem ----

    void fails(String name, byte[] image, String expected) throws IOException {
        Path p = file(name, image);
        LoaderException e = assertThrows(LoaderException.class, () -> load(p, ""));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test void missingFile() {
        Path p = dir.resolve("nope.elf");
        LoaderException e = assertThrows(LoaderException.class, () -> load(p, ""));
        assertEquals(p + ": no such file", e.getMessage());
    }

    @Test void noHeader() throws IOException {
        fails("plain.elf", elf(false, 0x100000, segs(new Seg(0x100000, code(64), 64)), List.of()), "no multiboot header");
    }

    @Test void headerBeyond8KiB() throws IOException {
        byte[] text = concat(new byte[8192], header(0), code(16));
        fails("late.elf", elf(false, 0x100000, segs(new Seg(0x100000, text, text.length)), List.of()), "no multiboot header");
    }

    @Test void badChecksum() throws IOException {
        byte[] h = header(0);
        h[8] ^= 1;
        fails("sum.elf", elf(false, 0x100000, segs(new Seg(0x100000, concat(h, code(8)), 20)), List.of()), "bad checksum");
    }

    @Test void unsupportedRequirement() throws IOException {
        fails("req.elf", elf(false, 0x100000, segs(new Seg(0x100000, concat(header(1 << 3), code(8)), 20)), List.of()),
                "unsupported features (flags bits 0x8)");
    }

    @Test void notElfWithoutKludge() throws IOException {
        fails("raw.bin", concat(header(0), code(100)), "not an ELF file");
    }

    @Test void truncatedProgramHeaders() throws IOException {
        byte[] image = elf(false, 0x100000, segs(new Seg(0x100000, concat(header(0), code(8)), 20)), List.of());
        image[44] = 9; // e_phnum: 9 program headers do not fit the file
        fails("trunc.elf", image, "truncated file");
    }

    @Test void segmentDataPastEndOfFile() throws IOException {
        byte[] image = elf(false, 0x100000, segs(new Seg(0x100000, concat(header(0), code(8)), 20)), List.of());
        fails("short.elf", java.util.Arrays.copyOf(image, image.length - 4), "truncated file: program header 0");
    }

    @Test void segmentOutsideRam() throws IOException {
        fails("high.elf", elf(false, 0x100000, segs(new Seg(0x100000, concat(header(0), code(8)), 20),
                new Seg(RAM - 16, code(8), 32)), List.of()), "is outside guest RAM");
    }

    @Test void overlappingSegments() throws IOException {
        fails("overlap.elf", elf(false, 0x100000, segs(new Seg(0x100000, concat(header(0), code(8)), 0x1000),
                new Seg(0x100800, code(8), 8)), List.of()), "segment 1 at [0x100800, 0x100808) overlaps segment 0");
    }

    @Test void segmentOverInfoArea() throws IOException {
        fails("low.elf", elf(false, 0x9000, segs(new Seg(0x9000, concat(header(0), code(8)), 20)), List.of()),
                "overlaps the multiboot info area");
    }

    @Test void segmentOverBootGdt() throws IOException {
        fails("gdt.elf", elf(false, 0x400, segs(new Seg(0x400, concat(header(0), code(8)), 0x200)), List.of()),
                "overlaps the boot GDT at [0x500, 0x520)");
    }

    @Test void fileSizeLargerThanMemorySize() throws IOException {
        fails("fm.elf", elf(false, 0x100000, segs(new Seg(0x100000, concat(header(0), code(8)), 4)), List.of()),
                "is larger than p_memsz");
    }

    @Test void entryOutsideSegments() throws IOException {
        fails("entry.elf", elf(false, 0x500000, segs(new Seg(0x100000, concat(header(0), code(8)), 20)), List.of()),
                "entry point 0x500000 is outside every PT_LOAD segment");
    }

    @Test void wrongMachine() throws IOException {
        byte[] image = elf(false, 0x100000, segs(new Seg(0x100000, concat(header(0), code(8)), 20)), List.of());
        image[18] = 40; // EM_ARM
        fails("arm.elf", image, "e_machine 40 is not x86");
    }

    @Test void bigEndian() throws IOException {
        byte[] image = elf(false, 0x100000, segs(new Seg(0x100000, concat(header(0), code(8)), 20)), List.of());
        image[5] = 2;
        fails("be.elf", image, "not little-endian");
    }

    @Test void kludgeHeaderBelowLoadAddress() throws IOException {
        fails("k1.bin", concat(header(0x10000, 0x100000, 0x100010, 0, 0, 0x100010), code(64)), "header_addr 0x100000 is below load_addr");
    }

    @Test void kludgeLoadStartsBeforeFile() throws IOException {
        fails("k2.bin", concat(header(0x10000, 0x100100, 0x100000, 0, 0, 0x100100), code(64)), "before the file");
    }

    @Test void kludgeLoadEndBelowLoad() throws IOException {
        fails("k3.bin", concat(header(0x10000, 0x100000, 0x100000, 0xff000, 0, 0x100000), code(64)), "load_end_addr 0xff000 is below");
    }

    @Test void kludgeBssBelowLoadEnd() throws IOException {
        fails("k4.bin", concat(header(0x10000, 0x100000, 0x100000, 0x100040, 0x100020, 0x100000), code(64)), "bss_end_addr 0x100020");
    }

    @Test void kludgeImageLongerThanFile() throws IOException {
        fails("k5.bin", concat(header(0x10000, 0x100000, 0x100000, 0x101000, 0, 0x100000), code(64)), "truncated file");
    }

    @Test void kludgeEntryOutsideImage() throws IOException {
        fails("k6.bin", concat(header(0x10000, 0x100000, 0x100000, 0, 0, 0x300000), code(64)), "entry_addr 0x300000 is outside");
    }

    @Test void kludgeImageOutsideRam() throws IOException {
        fails("k7.bin", concat(header(0x10000, 0x2000000, 0x2000000, 0, 0, 0x2000000), code(64)), "outside guest RAM");
    }

    @Test void commandLineTooLongForInfoArea() throws IOException {
        Path k = file("k32.elf", elf32Kernel());
        LoaderException e = assertThrows(LoaderException.class, () -> load(k, "x".repeat(700_000)));
        assertTrue(e.getMessage().contains("multiboot info area"), e.getMessage());
    }

    @Test void missingModuleNamesTheModule() throws IOException {
        Path k = file("k32.elf", elf32Kernel());
        Path m = dir.resolve("gone.img");
        LoaderException e = assertThrows(LoaderException.class, () -> load(k, "", new Multiboot.Module(m, "")));
        assertEquals(m + ": no such file", e.getMessage());
    }

    @Test void moduleOutsideRam() throws IOException {
        Path k = file("k32.elf", elf32Kernel());
        Path m = file("big.img", new byte[(int) RAM]);
        LoaderException e = assertThrows(LoaderException.class, () -> load(k, "", new Multiboot.Module(m, "")));
        assertTrue(e.getMessage().startsWith(m + ": module 0 at"), e.getMessage());
    }
}
