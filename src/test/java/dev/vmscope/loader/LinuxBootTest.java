package dev.vmscope.loader;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.arch.x86.E820;
import dev.vmscope.memory.GuestMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux boot protocol loader against guests/linux_stub.bzImage (built from source by the build) and
 * damaged copies of it: the zero page as boot.rst describes it, and one clear error per bad image.
 */
class LinuxBootTest {
    static final long RAM = 64 << 20;
    @TempDir Path dir;
    Arena arena;
    GuestMemory mem;

    @BeforeEach void setUp() {
        arena = Arena.ofConfined();
        mem = GuestMemory.allocate(arena, RAM);
        mem.fill(0, RAM, (byte) 0xaa);
    }

    @AfterEach void tearDown() { arena.close(); }

    static byte[] stub() throws IOException {
        return Files.readAllBytes(Path.of(System.getProperty("vmscope.guests", "target/classes/guests"), "linux_stub.bzImage"));
    }

    Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** The stub with a little-endian field patched. */
    static byte[] patched(int offset, int size, long value) throws IOException {
        byte[] b = stub();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (size) {
            case 1 -> bb.put(offset, (byte) value);
            case 2 -> bb.putShort(offset, (short) value);
            default -> bb.putInt(offset, (int) value);
        }
        return b;
    }

    LoadResult load(Path kernel, String append, Path... initrds) {
        return LinuxBoot.load(mem, kernel, append, List.of(initrds), E820.standard(RAM));
    }

    String cString(long gpa) {
        StringBuilder sb = new StringBuilder();
        for (long a = gpa; mem.readByte(a) != 0; a++) sb.append((char) mem.readByte(a));
        return sb.toString();
    }

    @Test void zeroPageCommandLineInitrdAndE820() throws IOException {
        byte[] image = stub();
        Path k = file("bzImage", image);
        assertTrue(LinuxBoot.isBzImage(k));
        byte[] initrd = new byte[5000];
        for (int i = 0; i < initrd.length; i++) initrd[i] = (byte) i;
        LoadResult r = load(k, "console=ttyS0 root=/dev/vda", file("initrd", initrd));
        assertEquals(LoadResult.BootProtocol.LINUX, r.protocol());
        assertEquals(0x100000, r.entry());
        long bp = r.infoAddress();
        assertEquals(LinuxBoot.BOOT_PARAMS, bp);
        // The setup header is the file's, byte for byte, apart from what a loader writes (boot.rst, "Details of header fields").
        for (int off = 0x1f1; off < 0x202 + (image[0x201] & 0xff); off++) {
            if (off == 0x210 || (off >= 0x214 && off < 0x220) || (off >= 0x228 && off < 0x22c)) continue;
            assertEquals(image[off], mem.readByte(bp + off), "header byte 0x" + Integer.toHexString(off));
        }
        assertEquals(0xff, mem.readByte(bp + 0x210) & 0xff, "type_of_loader: undefined");
        assertEquals(0x100000, mem.readU32(bp + 0x214), "code32_start");
        assertEquals("console=ttyS0 root=/dev/vda", cString(mem.readU32(bp + 0x228)));
        long image0 = mem.readU32(bp + 0x218);
        assertEquals(5000, mem.readU32(bp + 0x21c));
        assertEquals(0, image0 & 0xfff, "initrd page-aligned");
        assertEquals((RAM - 5000) & ~0xfffL, image0, "as high as RAM allows (initrd_addr_max is higher)");
        assertArrayEquals(initrd, mem.read(image0, 5000));
        List<E820.Entry> map = E820.standard(RAM);
        assertEquals(map.size(), mem.readByte(bp + 0x1e8));
        for (int i = 0; i < map.size(); i++) {
            assertEquals(map.get(i).base(), mem.readU64(bp + 0x2d0 + 20L * i));
            assertEquals(map.get(i).length(), mem.readU64(bp + 0x2d0 + 20L * i + 8));
            assertEquals(map.get(i).type().code, mem.readU32(bp + 0x2d0 + 20L * i + 16));
        }
        assertEquals(0, mem.readByte(bp + 0x2d0 + 20L * map.size()), "the rest of the zero page is zero");
        // The protected-mode part: file offset (setup_sects + 1) * 512 at 1 MiB.
        assertArrayEquals(java.util.Arrays.copyOfRange(image, 0x400, image.length), mem.read(0x100000, image.length - 0x400));
    }

    @Test void initrdAddrMaxIsRespected() throws IOException {
        Path k = file("bzImage", patched(0x22c, 4, 0x00ffffff));   // initrd_addr_max 16 MiB - 1
        LoadResult r = load(k, null, file("initrd", new byte[100]));
        assertEquals(0x1000000 - 0x1000, mem.readU32(r.infoAddress() + 0x218));
        assertEquals("", cString(mem.readU32(r.infoAddress() + 0x228)));
    }

    private void fails(byte[] image, String append, String expected, Path... initrds) throws IOException {
        Path k = file("bad", image);
        LoaderException e = assertThrows(LoaderException.class, () -> load(k, append, initrds));
        assertTrue(e.getMessage().startsWith(k + ": ") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test void badImagesAreRefusedWithTheReason() throws IOException {
        fails(patched(0x211, 1, 0), null, "zImage (loadflags bit 0 LOADED_HIGH clear)");
        fails(patched(0x206, 2, 0x0201), null, "boot protocol 2.01 is older than 2.02");
        fails(patched(0x238, 4, 10), "console=ttyS0 root=/dev/vda", "the command line is 27 bytes; this kernel takes at most 10");
        fails(patched(0x260, 4, 0x10000000), null, "outside guest RAM");        // init_size 256 MiB in 64 MiB
        fails(java.util.Arrays.copyOf(stub(), 0x400), null, "no protected-mode kernel after the 1024 bytes");
        fails(patched(0x1f1, 1, 200), null, "no protected-mode kernel");          // setup_sects past the end
        fails(stub(), null, "takes one --initrd, not 2", file("a", new byte[1]), file("b", new byte[1]));
        // An initrd problem names the initrd file.
        Path big = file("big", new byte[0x100000]), k = file("k", patched(0x22c, 4, 0x1fffff));
        LoaderException e = assertThrows(LoaderException.class, () -> load(k, null, big));
        assertTrue(e.getMessage().startsWith(big + ": the initrd (1048576 bytes) does not fit between the kernel and 0x200000"),
                e.getMessage());
        assertFalse(LinuxBoot.isBzImage(file("elf", new byte[] {0x7f, 'E', 'L', 'F'})));
        assertFalse(LinuxBoot.isBzImage(file("nohdr", patched(0x202, 4, 0))));
    }

    /**
     * Debian's own kernel (linux-image-amd64, fetched by test.sh into $VMSCOPE_VMLINUZ_DIR, or /boot): a real
     * bzImage with a large init_size and protocol 2.15 loads, and the zero page carries its header.
     */
    @Test void aRealDebianKernelLoads() throws IOException {
        Path vmlinuz = realKernel();
        org.junit.jupiter.api.Assumptions.assumeTrue(vmlinuz != null,
                "no vmlinuz in $VMSCOPE_VMLINUZ_DIR or /boot (test.sh fetches Debian's); real-kernel loader test skipped");
        arena.close();
        arena = Arena.ofConfined();
        long ram = 512L << 20;
        mem = GuestMemory.allocate(arena, ram);
        byte[] image = Files.readAllBytes(vmlinuz);
        assertTrue(LinuxBoot.isBzImage(vmlinuz), vmlinuz.toString());
        LoadResult r = LinuxBoot.load(mem, vmlinuz, "console=ttyS0", List.of(), E820.standard(ram));
        long bp = r.infoAddress();
        int version = mem.readU16(bp + 0x206);
        assertTrue(version >= 0x20c, "protocol " + Integer.toHexString(version));
        assertEquals(version, ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getShort(0x206) & 0xffff);
        assertEquals(1, mem.readByte(bp + 0x211) & 1, "LOADED_HIGH");
        assertEquals(1, mem.readU16(bp + 0x236) & 1, "xloadflags XLF_KERNEL_64: a 64-bit kernel");
        long initSize = mem.readU32(bp + 0x260);
        LoadResult.Region kernel = r.regions().stream().filter(x -> x.gpa() == 0x100000).findFirst().orElseThrow();
        long pref = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getLong(0x258);
        assertEquals(pref + initSize, kernel.end(), "the kernel's region covers init_size (0x" + Long.toHexString(initSize)
                + ") from where it decompresses (pref_address, compressed/head_64.S)");
        assertEquals("console=ttyS0", cString(mem.readU32(bp + 0x228)));
        assertEquals(0xff, mem.readByte(bp + 0x210) & 0xff);
        // Too little RAM for init_size is a clear error, not a kernel that dies decompressing.
        arena.close();
        arena = Arena.ofConfined();
        mem = GuestMemory.allocate(arena, 8L << 20);
        LoaderException e = assertThrows(LoaderException.class,
                () -> LinuxBoot.load(mem, vmlinuz, null, List.of(), E820.standard(8L << 20)));
        assertTrue(e.getMessage().contains("init_size") && e.getMessage().contains("outside guest RAM"), e.getMessage());
    }

    static Path realKernel() throws IOException {
        for (String d : new String[] {System.getenv("VMSCOPE_VMLINUZ_DIR"), "/boot"}) {
            if (d == null || !Files.isDirectory(Path.of(d))) continue;
            try (var s = Files.list(Path.of(d))) {
                Path p = s.filter(f -> f.getFileName().toString().startsWith("vmlinuz-") && Files.isReadable(f)).sorted()
                        .reduce((a, b) -> b).orElse(null);
                if (p != null) return p;
            }
        }
        return null;
    }
}
