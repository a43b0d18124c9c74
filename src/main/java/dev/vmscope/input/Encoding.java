package dev.vmscope.input;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The text encoding of an input, from its byte-order mark (Unicode 15 section 23.8) or, without one, from
 * the NUL bytes that UTF-16 puts beside every ASCII character. A UTF-8 BOM is skipped; UTF-16 is transcoded.
 */
final class Encoding {
    private Encoding() {}

    record Detected(String label, Charset transcodeFrom) {}

    static Detected detect(BufferedInputStream in) throws IOException {
        byte[] h = Inputs.peek(in, 512);
        int n = h.length;
        if (n >= 3 && (h[0] & 0xff) == 0xef && (h[1] & 0xff) == 0xbb && (h[2] & 0xff) == 0xbf) {
            in.skipNBytes(3);
            return new Detected("UTF-8 BOM", null);
        }
        if (n >= 2 && (h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xfe) {
            in.skipNBytes(2);
            return new Detected("UTF-16LE", StandardCharsets.UTF_16LE);
        }
        if (n >= 2 && (h[0] & 0xff) == 0xfe && (h[1] & 0xff) == 0xff) {
            in.skipNBytes(2);
            return new Detected("UTF-16BE", StandardCharsets.UTF_16BE);
        }
        // No BOM: ASCII text in UTF-16 has a NUL in every other byte.
        int pairs = n / 2, le = 0, be = 0;
        for (int i = 0; i + 1 < n; i += 2) {
            if (h[i] != 0 && h[i + 1] == 0) le++;
            if (h[i] == 0 && h[i + 1] != 0) be++;
        }
        if (pairs >= 4 && le * 10 >= pairs * 9) return new Detected("UTF-16LE", StandardCharsets.UTF_16LE);
        if (pairs >= 4 && be * 10 >= pairs * 9) return new Detected("UTF-16BE", StandardCharsets.UTF_16BE);
        return new Detected("", null);
    }
}
