package dev.vmscope.arch.x86.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A little-endian byte builder for firmware tables, with in-place patching and 8-bit checksums. */
final class TableBuffer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private byte[] patched;   // materialised on first patch

    int size() { return patched != null ? patched.length : out.size(); }

    TableBuffer u8(int v) { materialise(false); out.write(v); return this; }

    TableBuffer u16(int v) { return u8(v).u8(v >>> 8); }

    TableBuffer u32(long v) { return u16((int) v).u16((int) (v >>> 16)); }

    TableBuffer u64(long v) { return u32(v).u32(v >>> 32); }

    TableBuffer bytes(byte[] b) { for (byte x : b) u8(x); return this; }

    /** ASCII, space padded (or truncated) to {@code len}. */
    TableBuffer ascii(String s, int len) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < len; i++) u8(i < b.length ? b[i] : ' ');
        return this;
    }

    TableBuffer zeros(int n) { for (int i = 0; i < n; i++) u8(0); return this; }

    TableBuffer alignTo(int a) { while (size() % a != 0) u8(0); return this; }

    private void materialise(boolean forPatch) {
        if (patched != null && !forPatch) {   // appending after a patch: move the patched bytes back
            out.reset();
            out.writeBytes(patched);
            patched = null;
        } else if (forPatch && patched == null) {
            patched = out.toByteArray();
        }
    }

    void put8(int off, int v) { materialise(true); patched[off] = (byte) v; }

    void put16(int off, int v) { put8(off, v); put8(off + 1, v >>> 8); }

    void put32(int off, long v) { put16(off, (int) v); put16(off + 2, (int) (v >>> 16)); }

    void put64(int off, long v) { put32(off, v); put32(off + 4, v >>> 32); }

    byte[] toArray() { return patched != null ? patched.clone() : out.toByteArray(); }

    /** The byte that makes {@code b[start, start+len)} sum to zero when stored at {@code at} (initially 0). */
    static void fixChecksum(byte[] b, int at, int start, int len) {
        b[at] = 0;
        b[at] = (byte) -sum(b, start, len);
    }

    static int sum(byte[] b, int start, int len) {
        int s = 0;
        for (int i = start; i < start + len; i++) s += b[i];
        return s & 0xff;
    }
}
