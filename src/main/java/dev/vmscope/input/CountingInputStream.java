package dev.vmscope.input;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the bytes read from the source itself (before decompression): what progress is measured in. */
final class CountingInputStream extends FilterInputStream {
    private volatile long count;

    CountingInputStream(InputStream in) { super(in); }

    long count() { return count; }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) count++;
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) count += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        if (s > 0) count += s;
        return s;
    }
}
