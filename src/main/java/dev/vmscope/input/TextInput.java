package dev.vmscope.input;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An opened input as UTF-8 text bytes: decompressed, BOM removed, UTF-16 transcoded, capped.
 *
 * @param name       what the user called it ("-" for stdin), for messages
 * @param text       the text bytes
 * @param sourceSize bytes of the source when known (a regular file), else -1; progress is measured against it
 * @param decoding   what was undone to get text ("gzip", "UTF-16LE", "gzip, UTF-8 BOM"), or "" for plain text
 */
public record TextInput(String name, InputStream text, long sourceSize, String decoding, CountingInputStream counter)
        implements Closeable {

    /** Bytes read from the source so far (compressed bytes for a compressed file). */
    public long sourceBytesRead() { return counter.count(); }

    /** Everything, up to the cap the input was opened with. */
    public byte[] readAll() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sourceSize > 0 ? (int) Math.min(sourceSize, 1 << 24) : 8192);
        text.transferTo(out);
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException { text.close(); }
}
