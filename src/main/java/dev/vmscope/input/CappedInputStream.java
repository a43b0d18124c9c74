package dev.vmscope.input;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Fails with {@link InputException} as soon as more than {@code cap} bytes have been read, so /dev/zero, a
 * FIFO that never ends or a decompression bomb costs at most the cap, never all memory.
 */
final class CappedInputStream extends FilterInputStream {
    private final long cap;
    private final String what;
    private long count;

    CappedInputStream(InputStream in, long cap, String what) {
        super(in);
        this.cap = cap;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) add(1);
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, (int) Math.min(len, room()));
        if (n > 0) add(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(Math.min(n, room()));
        if (s > 0) add(s);
        return s;
    }

    /** One byte more than the cap allows, so reaching past it is noticed; never overflows. */
    private long room() { return cap - count >= Long.MAX_VALUE - 1 ? Long.MAX_VALUE : cap - count + 1; }

    private void add(long n) throws InputException {
        count += n;
        if (count > cap) throw new InputException(what);
    }
}
