package dev.vmscope.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes in another encoding (UTF-16 as Windows PowerShell writes it) as a stream of UTF-8 bytes, so every
 * parser sees one encoding. Malformed input becomes U+FFFD, never an exception.
 */
final class Utf8Transcoder extends InputStream {
    private final Reader reader;
    private final CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final CharBuffer chars = CharBuffer.allocate(8192);
    private final ByteBuffer bytes = ByteBuffer.allocate(8192 * 3 + 16);
    private boolean eof;

    Utf8Transcoder(InputStream in, Charset from) {
        this.reader = new InputStreamReader(in, from.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
        bytes.flip();
        chars.flip();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (!bytes.hasRemaining()) {
            if (eof && !chars.hasRemaining()) return -1;
            fill();
        }
        int n = Math.min(len, bytes.remaining());
        bytes.get(b, off, n);
        return n;
    }

    private void fill() throws IOException {
        chars.compact();
        int r = eof ? -1 : reader.read(chars);
        if (r < 0) eof = true;
        chars.flip();
        bytes.clear();
        enc.encode(chars, bytes, eof);
        if (eof && !chars.hasRemaining()) enc.flush(bytes);
        bytes.flip();
    }

    @Override
    public void close() throws IOException { reader.close(); }
}
