package dev.vmscope.explain.parse;

import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;

/** Splitting input bytes into lines and reading numbers without exceptions. */
public final class Text {
    private Text() {}

    /**
     * Splits into lines. NUL bytes become spaces (bhyvectl --get-memmap prints a NUL before the first flag), CR is
     * dropped and invalid UTF-8 is replaced, so every byte sequence gives some lines.
     */
    public static List<Line> lines(byte[] data) {
        String s;
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            s = dec.decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            s = new String(data, StandardCharsets.ISO_8859_1);
        }
        List<Line> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int n = 1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                out.add(new Line(n++, cur.toString()));
                cur.setLength(0);
            } else if (c == '\0') {
                cur.append(' ');
            } else if (c != '\r') {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) out.add(new Line(n, cur.toString()));
        return out;
    }

    /** Sentinel-free number parsing: returns null when {@code s} is not a number. Accepts 0x hex and decimal. */
    public static Long number(String s) {
        if (s == null) return null;
        s = s.strip();
        if (s.startsWith("0x") || s.startsWith("0X")) return hex(s.substring(2));
        if (s.isEmpty()) return null;
        boolean neg = s.charAt(0) == '-';
        String d = neg ? s.substring(1) : s;
        if (d.isEmpty() || d.length() > 19) return null;
        long v = 0;
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            if (c < '0' || c > '9') return null;
            v = v * 10 + (c - '0');
            if (v < 0) return null;
        }
        return neg ? -v : v;
    }

    /** Hex digits without prefix (at most 16), or null. */
    public static Long hex(String s) {
        if (s == null || s.isEmpty() || s.length() > 16) return null;
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) return null;
            v = (v << 4) | d;
        }
        return v;
    }

    /** Hex with optional 0x prefix, or null. */
    public static Long hexAny(String s) {
        if (s == null) return null;
        s = s.strip();
        if (s.startsWith("0x") || s.startsWith("0X")) s = s.substring(2);
        return hex(s);
    }
}
