package dev.vmscope.virtio.queue;

import dev.vmscope.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The device-readable or device-writable half of a descriptor chain: guest-physical pieces seen as one
 * byte stream (virtio 1.x has no fixed framing, spec 2.6.4 "Message Framing"). Every piece was checked to
 * lie in guest RAM when the chain was read, so copies cannot leave guest RAM; offsets beyond
 * {@link #length()} are the caller's bug and throw IndexOutOfBoundsException.
 */
public record Buffers(List<Piece> pieces) {
    /** {@code len} bytes of guest RAM at {@code gpa}. */
    public record Piece(long gpa, long len) { }

    public static final Buffers EMPTY = new Buffers(List.of());

    public Buffers { pieces = List.copyOf(pieces); }

    public long length() {
        long n = 0;
        for (Piece p : pieces) n += p.len();
        return n;
    }

    /** The pieces covering [offset, offset + len) of the stream. */
    public Buffers sub(long offset, long len) {
        if (offset < 0 || len < 0 || offset + len > length())
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + len) + ") of " + length());
        List<Piece> out = new ArrayList<>();
        for (Piece p : pieces) {
            if (len == 0) break;
            if (offset >= p.len()) { offset -= p.len(); continue; }
            long n = Math.min(p.len() - offset, len);
            out.add(new Piece(p.gpa() + offset, n));
            offset = 0;
            len -= n;
        }
        return new Buffers(out);
    }

    /** Copies {@code len} bytes from stream offset {@code offset}. */
    public byte[] read(GuestMemory memory, long offset, int len) {
        byte[] out = new byte[len];
        int at = 0;
        for (Piece p : sub(offset, len).pieces()) {
            byte[] part = memory.read(p.gpa(), (int) p.len());
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** Copies {@code src} to stream offset {@code offset}. */
    public void write(GuestMemory memory, long offset, byte[] src) {
        int at = 0;
        for (Piece p : sub(offset, src.length).pieces()) {
            memory.write(p.gpa(), src, at, (int) p.len());
            at += (int) p.len();
        }
    }
}
