package dev.vmscope.loader;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.arch.x86.BootState;
import dev.vmscope.arch.x86.E820;
import dev.vmscope.arch.x86.PageWalker;
import dev.vmscope.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.FilterOptions;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.X86Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * The 64-bit boot protocol entry and host decompression of the kernel payload: bzImages made from the
 * stub with a hand-built vmlinux ELF as gzip or xz payload, and Debian's real kernel.
 */
class LinuxBoot64Test {
    static final long RAM = 64 << 20, SEG_PADDR = 0x200000, SEG_VADDR = 0xffffffff80200000L;
    static final int CODE_SIZE = 0x3000, MEM_SIZE = 0x5000;
    @TempDir Path dir;
    Arena arena;
    GuestMemory mem;

    @BeforeEach void setUp() {
        arena = Arena.ofConfined();
        mem = GuestMemory.allocate(arena, RAM);
        mem.fill(0, RAM, (byte) 0xaa);
    }

    @AfterEach void tearDown() { arena.close(); }

    /** A vmlinux-like ELF64: one PT_LOAD linked high, loaded at 2 MiB, entry = its physical start + 0x40, relocs after it. */
    static byte[] vmlinux() {
        ByteBuffer b = ByteBuffer.allocate(0x1000 + CODE_SIZE + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1);
        b.putLong(24, SEG_PADDR + 0x40);          // e_entry: physical, as ENTRY(phys_startup_64)
        b.putLong(32, 64);                         // e_phoff
        b.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putInt(68, 7).putLong(72, 0x1000).putLong(80, SEG_VADDR).putLong(88, SEG_PADDR)
                .putLong(96, CODE_SIZE).putLong(104, MEM_SIZE);
        for (int i = 0; i < CODE_SIZE; i++) b.put(0x1000 + i, (byte) (i * 7));
        for (int i = 0; i < 64; i++) b.put(0x1000 + CODE_SIZE + i, (byte) 0xee);   // stands for vmlinux.relocs
        return b.array();
    }

    static byte[] stub() throws IOException { return LinuxBootTest.stub(); }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(out)) { z.write(data); }
        return out.toByteArray();
    }

    /** As scripts/xz_wrap.sh: CRC32 check, x86 BCJ, LZMA2; then size_append. */
    static byte[] xzWithSize(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new XZOutputStream(out, new FilterOptions[] {new X86Options(), new LZMA2Options()}, XZ.CHECK_CRC32)) {
            z.write(data);
        }
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(data.length).array());
        return out.toByteArray();
    }

    /** The stub with XLF_KERNEL_64 and {@code payload} appended to its protected-mode part. */
    static byte[] bzImage(byte[] payload) throws IOException {
        byte[] s = stub();
        int pm = ((s[0x1f1] & 0xff) + 1) * 512;
        byte[] b = Arrays.copyOf(s, s.length + payload.length);
        System.arraycopy(payload, 0, b, s.length, payload.length);
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort(0x236, (short) 1);
        h.putInt(0x248, s.length - pm);
        h.putInt(0x24c, payload.length);
        return b;
    }

    Path file(String name, byte[] bytes) throws IOException { return Files.write(dir.resolve(name), bytes); }

    LoadResult load(Path k, LinuxEntry entry, Path... initrds) {
        return LinuxBoot.load(mem, k, "console=ttyS0", List.of(initrds), E820.standard(RAM), entry);
    }

    @Test void theBzImage64BitEntryIsAt0x200WithIdentityPaging() throws IOException {
        Path k = file("bz", bzImage(new byte[16]));
        LoadResult r = load(k, LinuxEntry.BOOT64);
        assertEquals(LoadResult.BootProtocol.LINUX64, r.protocol());
        assertEquals(0x100200, r.entry());
        assertTrue(r.regions().stream().anyMatch(x -> x.gpa() == 0x1000 && x.what().contains("page tables")));
        BootState s = BootState.linux64(mem, r.entry(), r.infoAddress());
        assertEquals(BootState.Mode.LONG64, s.mode());
        assertEquals(r.infoAddress(), s.rsi(), "RSI = boot_params");
        assertEquals(0x10, s.cs().selector(), "__BOOT_CS");
        assertTrue(s.cs().l(), "64-bit code segment");
        assertEquals(0x18, s.ds().selector());
        assertEquals(0x18, s.ss().selector());
        assertEquals(0, s.rflags() & 0x200, "interrupts off");
        for (long a : new long[] {r.entry(), r.infoAddress(), mem.readU32(r.infoAddress() + 0x228), RAM - 1}) {
            var t = PageWalker.translate(mem, s, a);
            assertEquals(a, assertInstanceOf(PageWalker.Mapped.class, t).gpa(), "identity-mapped 0x" + Long.toHexString(a));
        }
        assertEquals(s.cs().descriptor(), mem.readU64(s.gdt().base() + 0x10), "the GDT holds __BOOT_CS");
        // The stub has no XLF_KERNEL_64: a clear error.
        LoaderException e = assertThrows(LoaderException.class, () -> load(file("old", stub()), LinuxEntry.BOOT64));
        assertTrue(e.getMessage().contains("no 64-bit entry (xloadflags XLF_KERNEL_64"), e.getMessage());
    }

    void assertVmlinuxLoaded(LoadResult r) {
        assertEquals(LoadResult.BootProtocol.LINUX64, r.protocol());
        assertEquals(SEG_PADDR + 0x40, r.entry());
        byte[] elf = vmlinux();
        assertArrayEquals(Arrays.copyOfRange(elf, 0x1000, 0x1000 + CODE_SIZE), mem.read(SEG_PADDR, CODE_SIZE));
        for (long a = SEG_PADDR + CODE_SIZE; a < SEG_PADDR + MEM_SIZE; a += 0x100) assertEquals(0, mem.readByte(a), "bss zeroed");
        assertEquals((byte) 0xaa, mem.readByte(0x100000), "the compressed kernel is not loaded");
        long bp = r.infoAddress();
        assertEquals(0, mem.readByte(bp + 0x211) & 0x2, "loadflags KASLR_FLAG clear: not randomised");
        assertEquals("console=ttyS0".length(), cString(mem, mem.readU32(bp + 0x228)).length());
    }

    static String cString(GuestMemory m, long gpa) {
        StringBuilder sb = new StringBuilder();
        for (long a = gpa; m.readByte(a) != 0; a++) sb.append((char) m.readByte(a));
        return sb.toString();
    }

    @Test void aGzipPayloadIsDecompressedAndItsElfLoaded() throws IOException {
        byte[] initrd = new byte[3000];
        Arrays.fill(initrd, (byte) 5);
        LoadResult r = load(file("bz", bzImage(gzip(vmlinux()))), LinuxEntry.VMLINUX, file("initrd", initrd));
        assertVmlinuxLoaded(r);
        long image = mem.readU32(r.infoAddress() + 0x218);
        assertArrayEquals(initrd, mem.read(image, initrd.length));
        assertTrue(image >= SEG_PADDR + MEM_SIZE, "the initrd is above the kernel");
    }

    /** As the kernel build: zstd -22 --ultra, then size_append. */
    static byte[] zstdWithSize(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new io.airlift.compress.zstd.ZstdOutputStream(out)) { z.write(data); }
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(data.length).array());
        return out.toByteArray();
    }

    /** As the kernel build: lz4 -l (legacy frame, 8 MiB blocks; here 4 KiB blocks), then size_append. */
    static byte[] lz4WithSize(byte[] data) {
        var lz4 = new io.airlift.compress.lz4.Lz4Compressor();
        ByteBuffer out = ByteBuffer.allocate(64 + 2 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(0x184c2102);
        for (int at = 0; at < data.length; at += 4096) {
            int n = Math.min(4096, data.length - at);
            byte[] block = new byte[lz4.maxCompressedLength(n)];
            int c = lz4.compress(data, at, n, block, 0, block.length);
            out.putInt(c).put(block, 0, c);
        }
        out.putInt(data.length);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    @Test void zstdAndLz4PayloadsAsTheKernelBuildMakesThem() throws IOException {
        assertVmlinuxLoaded(load(file("zstd", bzImage(zstdWithSize(vmlinux()))), LinuxEntry.VMLINUX));
        mem.fill(0, RAM, (byte) 0xaa);
        assertVmlinuxLoaded(load(file("lz4", bzImage(lz4WithSize(vmlinux()))), LinuxEntry.VMLINUX));
    }

    @Test void anXzPayloadAsTheKernelBuildMakesIt() throws IOException {
        assertVmlinuxLoaded(load(file("bz", bzImage(xzWithSize(vmlinux()))), LinuxEntry.VMLINUX));
    }

    private void fails(byte[] image, String expected) throws IOException {
        Path k = file("bad", image);
        LoaderException e = assertThrows(LoaderException.class, () -> load(k, LinuxEntry.VMLINUX));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test void badPayloadsAreOneLineErrors() throws IOException {
        byte[] bzip2 = {'B', 'Z', 'h', '9', 1, 2, 3, 4, 5, 6, 7, 8};
        fails(bzImage(bzip2), "bzip2-compressed; host decompression supports gzip, xz, lzma, zstd and lz4");
        byte[] lz4 = lz4WithSize(vmlinux());
        ByteBuffer.wrap(lz4).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1 << 30);
        fails(bzImage(lz4), "the lz4 kernel payload has a block of 1073741824 bytes");
        fails(bzImage(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}), "in an unknown format");
        byte[] xz = xzWithSize(vmlinux());
        byte[] damaged = xz.clone();
        for (int i = 40; i < 80; i++) damaged[i] ^= 0x55;
        fails(bzImage(damaged), "decompressing the xz kernel payload failed");
        byte[] wrongSize = xz.clone();
        ByteBuffer.wrap(wrongSize).order(ByteOrder.LITTLE_ENDIAN).putInt(xz.length - 4, vmlinux().length + 100);
        fails(bzImage(wrongSize), "ends after " + vmlinux().length + " of its " + (vmlinux().length + 100) + " bytes");
        fails(bzImage(gzip(new byte[] {1, 2, 3, 4})), "(decompressed payload): not an ELF file");
        byte[] b = bzImage(gzip(vmlinux()));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0x24c, 1 << 30);
        fails(b, "is outside the");
        byte[] elf = vmlinux();
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 0x900000);
        fails(bzImage(gzip(elf)), "the ELF entry 0x900000 is not inside a loaded segment");
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putLong(24, RAM - 0x1000).putLong(88, RAM - 0x1000);
        fails(bzImage(gzip(elf)), "outside guest RAM");
    }

    /**
     * Debian's kernel (fetched by test.sh): its XZ payload decompresses on the host to an x86-64 vmlinux whose
     * segments land at 16 MiB (LOAD_PHYSICAL_ADDR) and whose entry is startup_64 there.
     */
    @Test void debiansKernelDecompressedOnTheHost() throws IOException {
        Path vmlinuz = LinuxBootTest.realKernel();
        Assumptions.assumeTrue(vmlinuz != null, "no vmlinuz in $VMSCOPE_VMLINUZ_DIR or /boot (test.sh fetches Debian's); skipped");
        arena.close();
        arena = Arena.ofConfined();
        long ram = 512L << 20;
        mem = GuestMemory.allocate(arena, ram);
        byte[] image = Files.readAllBytes(vmlinuz);
        ByteBuffer h = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int pm = ((image[0x1f1] & 0xff) + 1) * 512;
        KernelPayload.Format f = KernelPayload.detect(image, pm + h.getInt(0x248), h.getInt(0x24c));
        assertTrue(f.supported, "Debian's payload format " + f);
        long t0 = System.nanoTime();
        LoadResult r = LinuxBoot.load(mem, vmlinuz, "console=ttyS0", List.of(), E820.standard(ram), LinuxEntry.VMLINUX);
        System.out.printf("Debian %s: %s payload decompressed and loaded in %d ms%n", vmlinuz.getFileName(), f.label,
                (System.nanoTime() - t0) / 1_000_000);
        long pref = h.getLong(0x258);
        assertEquals(pref, r.entry(), "startup_64 at LOAD_PHYSICAL_ADDR (pref_address)");
        LoadResult.Region first = r.regions().stream().filter(x -> x.what().equals("segment 0")).findFirst().orElseThrow();
        assertEquals(pref, first.gpa());
        // startup_64 (arch/x86/kernel/head_64.S) begins with "leaq (__end_init_task - FRAME_SIZE)(%rip), %rsp" (48 8d 25).
        assertArrayEquals(new byte[] {0x48, (byte) 0x8d, 0x25}, mem.read(r.entry(), 3));
        assertEquals(0, mem.readByte(r.infoAddress() + 0x211) & 2, "KASLR_FLAG clear");
        BootState s = BootState.linux64(mem, r.entry(), r.infoAddress());
        assertEquals(r.entry(), assertInstanceOf(PageWalker.Mapped.class, PageWalker.translate(mem, s, r.entry())).gpa());
        // The 64-bit bzImage entry of the same file, and the decompression area it needs.
        mem.fill(0, ram, (byte) 0);
        LoadResult b64 = LinuxBoot.load(mem, vmlinuz, null, List.of(), E820.standard(ram), LinuxEntry.BOOT64);
        assertEquals(0x100200, b64.entry());
        LoadResult.Region k = b64.regions().stream().filter(x -> x.gpa() == 0x100000).findFirst().orElseThrow();
        assertEquals(pref + h.getInt(0x260), k.end(), "up to pref_address + init_size");
    }
}
