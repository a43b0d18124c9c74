package dev.vmscope.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The software-CPU benchmark guest (guests/cpubench.S): a 512-byte boot sector whose header holds, little-endian
 * at fixed offsets, the magic "CPUB" (4), the integer and load/store iteration counts the host patches in (8,
 * 12) and the instructions per iteration of each loop as the assembly counts them (16, 20).
 */
public record CpuBenchImage(byte[] sector) {
    public static final int SECTOR = 512, MAGIC_OFFSET = 4, INT_ITERS = 8, MEM_ITERS = 12, INT_INSNS = 16, MEM_INSNS = 20;
    /** A 1.44 MB floppy (80 cylinders x 2 heads x 18 sectors): the size Bochs and QEMU recognise as a floppy. */
    public static final int FLOPPY_BYTES = 80 * 2 * 18 * SECTOR;

    public CpuBenchImage {
        String p = problem(sector);
        if (p != null) throw new IllegalArgumentException("cpubench image: " + p);
        sector = sector.clone();
    }

    /** The image built into the jar (guests/cpubench.S). */
    public static CpuBenchImage builtin() {
        try (InputStream in = CpuBenchImage.class.getResourceAsStream("/guests/cpubench.img")) {
            if (in == null) throw new IllegalStateException("built-in guest 'cpubench.img' is missing from the build");
            return new CpuBenchImage(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Null when {@code b} is a well-formed benchmark sector, else what is wrong with it. */
    public static String problem(byte[] b) {
        if (b == null || b.length != SECTOR) return "not " + SECTOR + " bytes";
        if ((b[510] & 0xff) != 0x55 || (b[511] & 0xff) != 0xaa) return "no boot signature 55 aa at offset 510";
        if (b[4] != 'C' || b[5] != 'P' || b[6] != 'U' || b[7] != 'B') return "no CPUB magic at offset 4";
        long ii = u32(b, INT_INSNS), mi = u32(b, MEM_INSNS);
        if (ii < 2 || ii > 64 || mi < 2 || mi > 64) return "implausible instructions per iteration " + ii + "/" + mi;
        return null;
    }

    /** A copy: the image never changes. */
    @Override public byte[] sector() { return sector.clone(); }

    public int intInsns() { return (int) u32(sector, INT_INSNS); }

    public int memInsns() { return (int) u32(sector, MEM_INSNS); }

    /** The sector with the two iteration counts patched in (0 skips a loop). */
    public byte[] patched(long intIters, long memIters) {
        if (intIters < 0 || intIters > 0xffffffffL || memIters < 0 || memIters > 0xffffffffL)
            throw new IllegalArgumentException("iteration counts must fit in 32 bits");
        byte[] b = sector.clone();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(INT_ITERS, (int) intIters).putInt(MEM_ITERS, (int) memIters);
        return b;
    }

    /** A 1.44 MB floppy whose first sector is {@code sector}. */
    public static byte[] floppy(byte[] sector) {
        byte[] f = Arrays.copyOf(sector, FLOPPY_BYTES);
        return f;
    }

    static long u32(byte[] b, int off) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(off) & 0xffffffffL; }
}
