package dev.vmscope.loader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.zstd.ZstdInputStream;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.SingleXZInputStream;

/**
 * The compressed kernel inside a bzImage (boot protocol 2.08+: payload_offset/payload_length,
 * Documentation/arch/x86/boot.rst), decompressed on the host so the guest's own decompressor need not run.
 * The payload's last four bytes are the uncompressed size (le32): the build appends it after every format
 * but gzip (arch/x86/boot/compressed/Makefile, *_with_size and size_append), whose own trailer ends with it
 * (RFC 1952 ISIZE). It bounds the output. Formats are told by their magic (lib/decompress.c
 * compressed_formats): gzip (java.util.zip), xz and lzma (org.tukaani:xz), zstd and lz4 (io.airlift:aircompressor)
 * are decoded; bzip2 and lzo are refused with a message saying so. The kernel's lz4 is the legacy frame
 * (lz4 -l, lib/decompress_unlz4.c): the magic 0x184c2102, then blocks of {le32 compressed size, LZ4 block}
 * of at most 8 MiB each.
 */
public final class KernelPayload {
    /** A decompressed kernel larger than this is refused (Debian's vmlinux is about 60 MiB). */
    static final long MAX_SIZE = 1L << 30;

    public enum Format {
        GZIP("gzip", true), XZ("xz", true), LZMA("lzma", true), BZIP2("bzip2", false), LZO("lzo", false),
        LZ4("lz4", true), ZSTD("zstd", true), UNKNOWN("unknown", false);

        public final String label;
        public final boolean supported;

        Format(String label, boolean supported) {
            this.label = label;
            this.supported = supported;
        }
    }

    private KernelPayload() {}

    /** The format by its leading bytes (lib/decompress.c). */
    public static Format detect(byte[] b, int off, int len) {
        int b0 = len > 0 ? b[off] & 0xff : -1, b1 = len > 1 ? b[off + 1] & 0xff : -1;
        if (b0 == 0x1f && (b1 == 0x8b || b1 == 0x9e)) return Format.GZIP;
        if (starts(b, off, len, 0xfd, '7', 'z', 'X', 'Z', 0)) return Format.XZ;
        if (b0 == 0x5d && b1 == 0x00) return Format.LZMA;
        if (starts(b, off, len, 'B', 'Z', 'h')) return Format.BZIP2;
        if (starts(b, off, len, 0x89, 'L', 'Z')) return Format.LZO;
        if (starts(b, off, len, 0x02, 0x21, 0x4c, 0x18)) return Format.LZ4;
        if (starts(b, off, len, 0x28, 0xb5, 0x2f, 0xfd)) return Format.ZSTD;
        return Format.UNKNOWN;
    }

    private static boolean starts(byte[] b, int off, int len, int... magic) {
        if (len < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if ((b[off + i] & 0xff) != magic[i]) return false;
        return true;
    }

    /**
     * Decompresses the payload at [off, off+len) of {@code file}.
     * @throws LoaderException for an unsupported format, a damaged stream or a size that does not match
     */
    static byte[] decompress(KernelFile file, int off, int len) {
        Format f = detect(file.bytes, off, len);
        if (!f.supported)
            throw file.error("the kernel payload is " + (f == Format.UNKNOWN ? "in an unknown format" : f.label + "-compressed")
                    + "; host decompression supports gzip, xz, lzma, zstd and lz4: boot without it (the kernel decompresses itself)");
        if (len < 8) throw file.error("the kernel payload (" + len + " bytes) is too short");
        long size = Integer.toUnsignedLong(ByteBuffer.wrap(file.bytes, off + len - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (size == 0 || size > MAX_SIZE)
            throw file.error("the kernel payload claims " + size + " bytes uncompressed (size_append), not 1.." + MAX_SIZE);
        byte[] out;
        int streamLen = f == Format.GZIP ? len : len - 4;
        if (f == Format.LZ4) return lz4Legacy(file, off, streamLen, (int) size);
        try (InputStream in = open(f, new ByteArrayInputStream(file.bytes, off, streamLen))) {
            out = in.readNBytes((int) size);
        } catch (IOException | RuntimeException e) {
            throw file.error("decompressing the " + f.label + " kernel payload failed: " + e.getMessage());
        }
        if (out.length != size)
            throw file.error("the " + f.label + " kernel payload ends after " + out.length + " of its " + size + " bytes");
        return out;
    }

    static final int LZ4_LEGACY_MAGIC = 0x184c2102, LZ4_LEGACY_BLOCK = 8 << 20;

    /** The legacy LZ4 frame: blocks until the input ends; a repeated magic starts a concatenated frame. */
    private static byte[] lz4Legacy(KernelFile file, int off, int len, int size) {
        ByteBuffer in = ByteBuffer.wrap(file.bytes, off, len).order(ByteOrder.LITTLE_ENDIAN);
        byte[] out = new byte[size];
        int produced = 0;
        Lz4Decompressor lz4 = new Lz4Decompressor();
        in.position(off + 4);
        while (in.remaining() >= 4) {
            int block = in.getInt();
            if (block == LZ4_LEGACY_MAGIC) continue;
            if (block <= 0 || block > in.remaining())
                throw file.error("the lz4 kernel payload has a block of " + Integer.toUnsignedString(block) + " bytes with "
                        + in.remaining() + " left");
            try {
                produced += lz4.decompress(file.bytes, in.position(), block, out, produced, Math.min(size - produced, LZ4_LEGACY_BLOCK));
            } catch (RuntimeException e) {
                throw file.error("decompressing the lz4 kernel payload failed: " + e.getMessage());
            }
            in.position(in.position() + block);
        }
        if (produced != size) throw file.error("the lz4 kernel payload ends after " + produced + " of its " + size + " bytes");
        return out;
    }

    private static InputStream open(Format f, InputStream raw) throws IOException {
        return switch (f) {
            case GZIP -> new GZIPInputStream(raw, 1 << 16);
            case XZ -> new SingleXZInputStream(raw);
            case LZMA -> new LZMAInputStream(raw);
            case ZSTD -> new ZstdInputStream(raw);
            default -> throw new IllegalStateException(f.label);
        };
    }
}
