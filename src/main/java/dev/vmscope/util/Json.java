package dev.vmscope.util;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON (RFC 8259) writer and reader, so vmscope needs no runtime dependency. Values are
 * Map&lt;String,?&gt; (insertion-ordered), List, String, Number, Boolean and null.
 */
public final class Json {
    private Json() {}

    /** An insertion-ordered object, for building output. */
    public static Map<String, Object> obj() { return new LinkedHashMap<>(); }

    public static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, 0, true);
        return sb.toString();
    }

    public static String writeCompact(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, 0, false);
        return sb.toString();
    }

    private static void nl(StringBuilder sb, int indent, boolean pretty) {
        if (!pretty) return;
        sb.append('\n');
        sb.append("  ".repeat(indent));
    }

    private static void write(StringBuilder sb, Object v, int ind, boolean pretty) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> quote(sb, s);
            case Boolean b -> sb.append(b);
            case Double d when d.isNaN() || d.isInfinite() -> sb.append("null");
            case Float f when f.isNaN() || f.isInfinite() -> sb.append("null");
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    nl(sb, ind + 1, pretty);
                    quote(sb, String.valueOf(e.getKey()));
                    sb.append(pretty ? ": " : ":");
                    write(sb, e.getValue(), ind + 1, pretty);
                }
                if (!m.isEmpty()) nl(sb, ind, pretty);
                sb.append('}');
            }
            case Iterable<?> it -> {
                sb.append('[');
                boolean first = true;
                for (Object o : it) {
                    if (!first) sb.append(',');
                    first = false;
                    nl(sb, ind + 1, pretty);
                    write(sb, o, ind + 1, pretty);
                }
                if (!first) nl(sb, ind, pretty);
                sb.append(']');
            }
            default -> quote(sb, v.toString());
        }
    }

    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** Parses one JSON value; throws {@link IllegalArgumentException} naming the offset on bad input. */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.i != text.length()) throw p.err("trailing characters");
        return v;
    }

    private static final class Parser {
        final String s;
        int i;

        Parser(String s) { this.s = s; }

        IllegalArgumentException err(String what) {
            return new IllegalArgumentException("JSON: " + what + " at offset " + i);
        }

        void ws() { while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++; }

        char peek() { if (i >= s.length()) throw err("unexpected end"); return s.charAt(i); }

        Object value(int depth) {
            if (depth > 512) throw err("nesting too deep");
            char c = peek();
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek() == '}') { i++; return m; }
                    while (true) {
                        ws();
                        if (peek() != '"') throw err("expected string key");
                        String k = string();
                        ws();
                        if (peek() != ':') throw err("expected ':'");
                        i++;
                        ws();
                        m.put(k, value(depth + 1));
                        ws();
                        char d = peek();
                        i++;
                        if (d == '}') return m;
                        if (d != ',') throw err("expected ',' or '}'");
                    }
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek() == ']') { i++; return l; }
                    while (true) {
                        ws();
                        l.add(value(depth + 1));
                        ws();
                        char d = peek();
                        i++;
                        if (d == ']') return l;
                        if (d != ',') throw err("expected ',' or ']'");
                    }
                }
                case '"': return string();
                case 't': return lit("true", Boolean.TRUE);
                case 'f': return lit("false", Boolean.FALSE);
                case 'n': return lit("null", null);
                default: return number();
            }
        }

        Object lit(String w, Object v) {
            if (!s.startsWith(w, i)) throw err("bad literal");
            i += w.length();
            return v;
        }

        Object number() {
            int st = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String t = s.substring(st, i);
            if (t.isEmpty()) throw err("unexpected character");
            try {
                if (t.contains(".") || t.contains("e") || t.contains("E")) return Double.parseDouble(t);
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw err("bad number");
            }
        }

        String string() {
            i++;
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') return b.toString();
                if (c != '\\') { b.append(c); continue; }
                char e = peek();
                i++;
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (i + 4 > s.length()) throw err("bad escape");
                        try { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); }
                        catch (NumberFormatException x) { throw err("bad escape"); }
                        i += 4;
                    }
                    default -> b.append(e);
                }
            }
        }
    }
}
