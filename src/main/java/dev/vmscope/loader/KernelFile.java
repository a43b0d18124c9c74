package dev.vmscope.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A boot file read whole into memory, with little-endian field access that turns every out-of-file read
 * into a {@link LoaderException} naming the file and the field ("truncated file").
 */
final class KernelFile {
    /** Larger files are refused: the guest could not hold them anyway and we read them whole. */
    static final long MAX_SIZE = 1L << 31;

    final Path path;
    final byte[] bytes;
    private final ByteBuffer le;

    KernelFile(Path path, byte[] bytes) {
        this.path = path;
        this.bytes = bytes;
        this.le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static KernelFile read(Path path) {
        try {
            if (!Files.exists(path)) throw new LoaderException(path, "no such file");
            if (!Files.isRegularFile(path)) throw new LoaderException(path, "not a regular file");
            long size = Files.size(path);
            if (size >= MAX_SIZE) throw new LoaderException(path, "file too large (" + size + " bytes)");
            return new KernelFile(path, Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            throw new LoaderException(path, "no such file");
        } catch (IOException e) {
            throw new LoaderException(path, "cannot read: " + e.getMessage());
        }
    }

    int size() { return bytes.length; }

    LoaderException error(String what) { return new LoaderException(path, what); }

    private void need(long offset, int len, String field) {
        if (offset < 0 || offset > bytes.length - len)
            throw error("truncated file: " + field + " at offset " + offset + " is past the end (" + bytes.length + " bytes)");
    }

    int u8(long offset, String field) {
        need(offset, 1, field);
        return Byte.toUnsignedInt(bytes[(int) offset]);
    }

    int u16(long offset, String field) {
        need(offset, 2, field);
        return Short.toUnsignedInt(le.getShort((int) offset));
    }

    long u32(long offset, String field) {
        need(offset, 4, field);
        return Integer.toUnsignedLong(le.getInt((int) offset));
    }

    long u64(long offset, String field) {
        need(offset, 8, field);
        return le.getLong((int) offset);
    }

    /** Checks that [offset, offset+len) lies in the file, for copying. */
    void requireRange(long offset, long len, String what) {
        if (offset < 0 || len < 0 || offset > bytes.length || len > bytes.length - offset)
            throw error("truncated file: " + what + " needs bytes [" + offset + ", " + (offset + len)
                    + ") but the file has " + bytes.length);
    }
}
