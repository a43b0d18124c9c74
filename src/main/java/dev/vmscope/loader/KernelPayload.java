package dev.vmscope.loader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.SingleXZInputStream;

/**
 * The compressed kernel inside a bzImage (boot protocol 2.08+: payload_offset/payload_length,
 * Documentation/arch/x86/boot.rst), decompressed on the host so the guest's own decompressor need not run.
 * The payload's last four bytes are the uncompressed size (le32): the build appends it after every format
 * but gzip (arch/x86/boot/compressed/Makefile, *_with_size and size_append), whose own trailer ends with it
 * (RFC 1952 ISIZE). It bounds the output. Formats are told by their magic (lib/decompress.c
 * compressed_formats): gzip (java.util.zip), xz and lzma (org.tukaani:xz) are decoded; bzip2, lzo, lz4
 * and zstd are refused with a message saying so.
 */
public final class KernelPayload {
    /** A decompressed kernel larger than this is refused (Debian's vmlinux is about 60 MiB). */
    static final long MAX_SIZE = 1L << 30;

    public enum Format {
        GZIP("gzip", true), XZ("xz", true), LZMA("lzma", true), BZIP2("bzip2", false), LZO("lzo", false),
        LZ4("lz4", false), ZSTD("zstd", false), UNKNOWN("unknown", false);

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
                    + "; host decompression supports gzip, xz and lzma: boot without it (the kernel decompresses itself)");
        if (len < 8) throw file.error("the kernel payload (" + len + " bytes) is too short");
        long size = Integer.toUnsignedLong(ByteBuffer.wrap(file.bytes, off + len - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (size == 0 || size > MAX_SIZE)
            throw file.error("the kernel payload claims " + size + " bytes uncompressed (size_append), not 1.." + MAX_SIZE);
        byte[] out;
        int streamLen = f == Format.GZIP ? len : len - 4;
        try (InputStream in = open(f, new ByteArrayInputStream(file.bytes, off, streamLen))) {
            out = in.readNBytes((int) size);
        } catch (IOException | RuntimeException e) {
            throw file.error("decompressing the " + f.label + " kernel payload failed: " + e.getMessage());
        }
        if (out.length != size)
            throw file.error("the " + f.label + " kernel payload ends after " + out.length + " of its " + size + " bytes");
        return out;
    }

    private static InputStream open(Format f, InputStream raw) throws IOException {
        return switch (f) {
            case GZIP -> new GZIPInputStream(raw, 1 << 16);
            case XZ -> new SingleXZInputStream(raw);
            case LZMA -> new LZMAInputStream(raw);
            default -> throw new IllegalStateException(f.label);
        };
    }
}
