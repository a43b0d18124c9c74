package dev.vmscope.explain.decode;

/** Number parsing for decode: 0x-prefixed hex, decimal, or bare hex when it contains a-f. */
public final class Values {
    private Values() {}

    public static long parse(String what, String text) {
        String t = text.strip().replace("_", "");
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                String h = t.substring(2);
                if (h.isEmpty() || h.length() > 16) throw new NumberFormatException();
                return Long.parseUnsignedLong(h, 16);
            }
            if (t.matches("-?[0-9]+")) {
                return t.startsWith("-") ? Long.parseLong(t) : Long.parseUnsignedLong(t);
            }
            if (t.matches("[0-9a-fA-F]+") && t.length() <= 16) return Long.parseUnsignedLong(t, 16);
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new DecodeException("bad " + what + " '" + text + "': expected 0x-hex, decimal, or bare hex (digits a-f)");
    }

    /** Parses and checks {@code 0 <= v <= max} (unsigned). */
    public static long parse(String what, String text, long max) {
        long v = parse(what, text);
        if (Long.compareUnsigned(v, max) > 0) {
            throw new DecodeException(what + " '" + text + "' out of range (maximum 0x" + Long.toHexString(max) + ")");
        }
        return v;
    }
}
