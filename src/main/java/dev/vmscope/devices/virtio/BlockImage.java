package dev.vmscope.devices.virtio;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw disk image file: sectors of 512 bytes, read and written in place through a FileChannel. A flush is
 * {@code force(true)}, so what was written before it survives the process being killed. The file is
 * locked (shared when read-only, exclusive otherwise) as QEMU locks its images, so two VMs cannot write
 * one disk. Bytes past the last whole sector are not reachable.
 */
public final class BlockImage implements AutoCloseable {
    public static final int SECTOR = 512;
    /** Transfers go through ByteBuffer views of guest memory, at most this many bytes at a time. */
    static final int CHUNK = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean readOnly;
    private final long sectors;

    private BlockImage(Path path, FileChannel channel, FileLock lock, boolean readOnly, long sectors) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.readOnly = readOnly;
        this.sectors = sectors;
    }

    /**
     * Opens {@code path}; every problem is a one-line {@link DriveException}: missing, not a regular file,
     * smaller than a sector, not writable without readonly=on, locked by another process.
     */
    public static BlockImage open(Path path, boolean readOnly) {
        if (!Files.exists(path)) throw new DriveException(path, "no such file");
        if (!Files.isRegularFile(path)) throw new DriveException(path, "not a regular file (raw images only)");
        if (!readOnly && (!Files.isWritable(path) || !ownerMayWrite(path)))
            throw new DriveException(path, "the image is read-only; add readonly=on to --drive to use it so");
        FileChannel ch = null;
        try {
            ch = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long size = ch.size();
            if (size < SECTOR) throw new DriveException(path, "the image has " + size + " bytes, less than one 512-byte sector");
            FileLock lock;
            try {
                lock = ch.tryLock(0, Long.MAX_VALUE, readOnly);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) throw new DriveException(path, "the image is in use (locked by another process or drive)");
            return new BlockImage(path, ch, lock, readOnly, size / SECTOR);
        } catch (DriveException e) {
            closeQuietly(ch);
            throw e;
        } catch (NoSuchFileException e) {
            closeQuietly(ch);
            throw new DriveException(path, "no such file");
        } catch (AccessDeniedException e) {
            closeQuietly(ch);
            throw new DriveException(path, readOnly ? "permission denied" : "permission denied; add readonly=on to --drive for a read-only image");
        } catch (IOException e) {
            closeQuietly(ch);
            throw new DriveException(path, "cannot open: " + e.getMessage());
        }
    }

    /** False when the owner's write bit is clear: root could still write, but the user marked the image read-only. */
    private static boolean ownerMayWrite(Path path) {
        try {
            return Files.getPosixFilePermissions(path).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return true;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // already failing with a better message
        }
    }

    public Path path() { return path; }

    public boolean readOnly() { return readOnly; }

    /** Capacity in 512-byte sectors. */
    public long sectors() { return sectors; }

    /** Fills {@code dst} from byte {@code offset} of the image. */
    public void read(long offset, MemorySegment dst) throws IOException {
        for (long done = 0; done < dst.byteSize(); ) {
            int n = (int) Math.min(CHUNK, dst.byteSize() - done);
            ByteBuffer bb = dst.asSlice(done, n).asByteBuffer();
            while (bb.hasRemaining()) {
                if (channel.read(bb, offset + done + bb.position()) < 0)
                    throw new IOException("unexpected end of " + path + " at byte " + (offset + done + bb.position()));
            }
            done += n;
        }
    }

    /** Writes {@code src} at byte {@code offset} of the image (into the page cache; see {@link #flush()}). */
    public void write(long offset, MemorySegment src) throws IOException {
        if (readOnly) throw new IOException(path + " is read-only");
        for (long done = 0; done < src.byteSize(); ) {
            int n = (int) Math.min(CHUNK, src.byteSize() - done);
            ByteBuffer bb = src.asSlice(done, n).asByteBuffer();
            while (bb.hasRemaining()) channel.write(bb, offset + done + bb.position());
            done += n;
        }
    }

    /** Makes every completed write durable (fsync: data and metadata). */
    public void flush() throws IOException {
        if (!readOnly) channel.force(true);
    }

    @Override public void close() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            channel.close();
        }
    }
}
