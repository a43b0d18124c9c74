package dev.vmscope.devices.virtio;

import dev.vmscope.memory.GuestMemory;
import dev.vmscope.virtio.queue.Buffers;
import dev.vmscope.virtio.queue.DescriptorChain;
import dev.vmscope.virtio.queue.SplitQueue;
import dev.vmscope.virtio.queue.VirtqueueException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * virtio-blk (virtio 1.1, 5.2) over a raw {@link BlockImage}, one request queue. A request is
 * <pre>struct virtio_blk_req { le32 type; le32 reserved; le64 sector; u8 data[]; u8 status; }</pre>
 * with the 16-byte header device-readable, the data readable (OUT) or writable (IN, GET_ID), and the
 * status byte the last writable byte. Requests are served synchronously on the notifying vCPU.
 * Transfers that are not whole sectors or reach past the capacity, and writes to a read-only drive,
 * get VIRTIO_BLK_S_IOERR (5.2.6.1); unknown types VIRTIO_BLK_S_UNSUPP; a request without header or status
 * byte breaks the request format and is a queue error.
 */
public final class VirtioBlk implements VirtioDevice {
    // Feature bits (5.2.3).
    public static final int F_SIZE_MAX = 1, F_SEG_MAX = 2, F_GEOMETRY = 4, F_RO = 5, F_BLK_SIZE = 6, F_FLUSH = 9;
    // Request types and status values (5.2.6).
    public static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    public static final int S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    /** GET_ID answers with at most this many bytes, not NUL-terminated when all are used (5.2.6). */
    public static final int ID_BYTES = 20;
    static final int HEADER = 16;
    public static final int QUEUE_SIZE = 256;
    // struct virtio_blk_config offsets (5.2.4): capacity le64 at 0, seg_max le32 at 12, geometry {le16 cylinders,
    // u8 heads, u8 sectors} at 16, blk_size le32 at 20.
    static final int CFG_CAPACITY = 0, CFG_SEG_MAX = 12, CFG_CYLINDERS = 16, CFG_HEADS = 18, CFG_SECTORS = 19,
            CFG_BLK_SIZE = 20, CONFIG_SIZE = 36;
    /** The CHS geometry QEMU reports for a disk it knows nothing about (hw/block/hd-geometry.c guess_chs_for_size). */
    static final int HEADS = 16, SECTORS_PER_TRACK = 63, MIN_CYLINDERS = 2, MAX_CYLINDERS = 16383;

    private final BlockImage image;
    private final byte[] id;
    private final byte[] config = new byte[CONFIG_SIZE];
    private volatile boolean writeThrough = true;
    private volatile Consumer<String> hostErrors = m -> { };
    private boolean hostErrorReported;

    /** @param serial the GET_ID answer (truncated to 20 bytes) */
    public VirtioBlk(BlockImage image, String serial) {
        this.image = image;
        this.id = Arrays.copyOf(serial.getBytes(StandardCharsets.US_ASCII), Math.min(ID_BYTES, serial.length()));
        ByteBuffer c = ByteBuffer.wrap(config).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(CFG_CAPACITY, image.sectors());
        c.putInt(CFG_SEG_MAX, QUEUE_SIZE - 2); // the header and status take two descriptors (QEMU's default)
        c.putInt(CFG_BLK_SIZE, BlockImage.SECTOR);
        // SeaBIOS takes the BIOS disk geometry from here (src/hw/virtio-blk.c), so it must not be zero.
        long cylinders = Math.clamp(image.sectors() / (HEADS * SECTORS_PER_TRACK), MIN_CYLINDERS, MAX_CYLINDERS);
        c.putShort(CFG_CYLINDERS, (short) cylinders);
        c.put(CFG_HEADS, (byte) HEADS);
        c.put(CFG_SECTORS, (byte) SECTORS_PER_TRACK);
    }

    public BlockImage image() { return image; }

    /** Told of the first host I/O error (the guest sees VIRTIO_BLK_S_IOERR for each), e.g. to print a warning. */
    public void setHostErrorListener(Consumer<String> l) { hostErrors = java.util.Objects.requireNonNull(l, "listener"); }

    private int hostError(String what, IOException e) {
        if (!hostErrorReported) {
            hostErrorReported = true;
            hostErrors.accept(image.path() + ": " + what + " failed (" + e.getMessage() + "); the guest gets I/O errors");
        }
        return S_IOERR;
    }

    @Override public int deviceId() { return Virtio.ID_BLOCK; }

    @Override public long deviceFeatures() {
        long f = Virtio.bit(F_SEG_MAX) | Virtio.bit(F_GEOMETRY) | Virtio.bit(F_BLK_SIZE) | Virtio.bit(F_FLUSH);
        return image.readOnly() ? f | Virtio.bit(F_RO) : f;
    }

    @Override public int queueCount() { return 1; }

    @Override public int queueMaxSize(int index) { return QUEUE_SIZE; }

    @Override public int configSize() { return CONFIG_SIZE; }

    @Override public int readConfig(int offset) { return offset >= 0 && offset < CONFIG_SIZE ? config[offset] & 0xff : 0; }

    /** A driver that did not accept VIRTIO_BLK_F_FLUSH cannot flush, so every write is made durable at once. */
    @Override public void activate(long features) { writeThrough = !Virtio.has(features, F_FLUSH); }

    @Override public void reset() { writeThrough = true; }

    @Override public boolean process(int index, SplitQueue queue, GuestMemory memory) throws VirtqueueException {
        boolean any = false;
        for (Optional<DescriptorChain> c = queue.pop(); c.isPresent(); c = queue.pop()) {
            DescriptorChain chain = c.get();
            queue.addUsed(chain.head(), serve(chain, memory));
            any = true;
        }
        return any;
    }

    /** Serves one request; returns the bytes written into its writable part (data plus status). */
    long serve(DescriptorChain chain, GuestMemory memory) throws VirtqueueException {
        Buffers in = chain.readable(), out = chain.writable();
        if (in.length() < HEADER || out.length() < 1)
            throw new VirtqueueException("virtio-blk request " + chain.head() + " has no 16-byte header or no status byte");
        ByteBuffer h = ByteBuffer.wrap(in.read(memory, 0, HEADER)).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0);
        long sector = h.getLong(8);
        Buffers status = out.sub(out.length() - 1, 1);
        long written = 1;
        int result;
        switch (type) {
            case T_IN -> {
                Buffers data = out.sub(0, out.length() - 1);
                result = transfer(data, sector, memory, false);
                if (result == S_OK) written += data.length();
            }
            case T_OUT -> result = image.readOnly() ? S_IOERR : transfer(in.sub(HEADER, in.length() - HEADER), sector, memory, true);
            case T_FLUSH -> result = flush();
            case T_GET_ID -> {
                int n = (int) Math.min(ID_BYTES, out.length() - 1);
                out.write(memory, 0, Arrays.copyOf(id, n));
                written += n;
                result = S_OK;
            }
            default -> result = S_UNSUPP;
        }
        status.write(memory, 0, new byte[] {(byte) result});
        return written;
    }

    /** Moves whole sectors between the image and the guest pieces of {@code data}. */
    private int transfer(Buffers data, long sector, GuestMemory memory, boolean toImage) {
        long len = data.length();
        if (len % BlockImage.SECTOR != 0 || sector < 0 || sector > image.sectors()
                || len / BlockImage.SECTOR > image.sectors() - sector) return S_IOERR;
        long pos = sector * BlockImage.SECTOR;
        try {
            for (Buffers.Piece p : data.pieces()) {
                if (toImage) image.write(pos, memory.slice(p.gpa(), p.len()));
                else image.read(pos, memory.slice(p.gpa(), p.len()));
                pos += p.len();
            }
            if (toImage && writeThrough) image.flush();
            return S_OK;
        } catch (IOException e) {
            return hostError(toImage ? "writing sector " + sector : "reading sector " + sector, e);
        }
    }

    private int flush() {
        try {
            image.flush();
            return S_OK;
        } catch (IOException e) {
            return hostError("flushing", e);
        }
    }
}
