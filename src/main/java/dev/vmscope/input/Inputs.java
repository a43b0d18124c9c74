package dev.vmscope.input;

import io.airlift.compress.zstd.ZstdInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens what the user named as text: see {@link dev.vmscope.input}. */
public final class Inputs {
    /** The name of standard input. */
    public static final String STDIN = "-";
    /** xz decoder memory limit: enough for every preset (xz -9 needs 65 MiB), refused above. */
    private static final int XZ_MEMORY_KIB = 100 << 10;

    private Inputs() {}

    /**
     * Opens {@code name} ({@code "-"} = {@code stdin}) and returns its text; more than {@code cap} text bytes make
     * reading fail with an {@link InputException} whose message is {@code tooLarge}.
     */
    public static TextInput open(String name, InputStream stdin, long cap, String tooLarge) throws IOException {
        InputStream raw = name.equals(STDIN) ? new NoClose(stdin) : file(name);
        long size = -1;
        if (!name.equals(STDIN)) {
            try {
                Path p = Path.of(name);
                if (Files.isRegularFile(p)) size = Files.size(p);
            } catch (IOException | InvalidPathException e) { /* a device or FIFO: size unknown */ }
        }
        CountingInputStream counter = new CountingInputStream(raw);
        BufferedInputStream in = new BufferedInputStream(counter, 1 << 16);
        byte[] head = peek(in, 16);
        Magic m = Magic.of(head, head.length);
        String decoding = "";
        InputStream text = in;
        try {
            switch (m) {
                case GZIP -> { text = new GZIPInputStream(in, 1 << 16); decoding = "gzip"; }
                case XZ -> { text = new XZInputStream(in, XZ_MEMORY_KIB); decoding = "xz"; }
                case ZSTD -> { text = new ZstdInputStream(in); decoding = "zstd"; }
                case NONE -> { }
                default -> throw new InputException(name + ": " + m.advice(name));
            }
        } catch (InputException e) {
            in.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw new InputException(name + ": " + decoding(m) + " data is damaged: " + e.getMessage());
        }
        text = new BufferedInputStream(new Damage(new CappedInputStream(text, cap, tooLarge), name, decoding), 1 << 16);
        if (!decoding.isEmpty()) {
            byte[] inner = peek((BufferedInputStream) text, 16);
            Magic im = Magic.of(inner, inner.length);
            if (im != Magic.NONE) throw new InputException(name + ": " + decoding + " holding " + im.advice(name));
        }
        Encoding.Detected enc = Encoding.detect((BufferedInputStream) text);
        if (enc.transcodeFrom() != null) text = new Utf8Transcoder(text, enc.transcodeFrom());
        if (!enc.label().isEmpty()) decoding = decoding.isEmpty() ? enc.label() : decoding + ", " + enc.label();
        return new TextInput(name, text, size, decoding, counter);
    }

    private static String decoding(Magic m) { return m.name().toLowerCase(java.util.Locale.ROOT); }

    private static InputStream file(String name) throws InputException {
        Path p;
        try {
            p = Path.of(name);
        } catch (InvalidPathException e) {
            throw new InputException(name + ": not a valid file name in this locale (" + e.getReason()
                    + "); run vmscope with a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
        }
        if (Files.isDirectory(p)) throw new InputException(name + ": cannot read: is a directory");
        try {
            return Files.newInputStream(p);
        } catch (NoSuchFileException e) {
            throw new InputException(name + ": cannot read: no such file");
        } catch (AccessDeniedException e) {
            throw new InputException(name + ": cannot read: permission denied");
        } catch (IOException e) {
            throw new InputException(name + ": cannot read: " + e.getMessage());
        }
    }

    static byte[] peek(BufferedInputStream in, int n) throws IOException {
        in.mark(n);
        byte[] b = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(b, got, n - got);
            if (r < 0) break;
            got += r;
        }
        in.reset();
        return got == n ? b : java.util.Arrays.copyOf(b, got);
    }

    /** Quotes a file name for a command shown to the user. */
    static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9_./:=+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** Standard input must stay open for other readers of the process. */
    private static final class NoClose extends FilterInputStream {
        NoClose(InputStream in) { super(in); }

        @Override
        public void close() { }
    }

    /** A damaged compressed stream (truncated, bad checksum) is an input problem, said once, with the name. */
    private static final class Damage extends FilterInputStream {
        private final String name, decoding;

        Damage(InputStream in, String name, String decoding) {
            super(in);
            this.name = name;
            this.decoding = decoding;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (InputException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new InputException(name + ": " + (decoding.isEmpty() ? "cannot read" : decoding + " data is damaged")
                        + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }
    }

    static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;
}
