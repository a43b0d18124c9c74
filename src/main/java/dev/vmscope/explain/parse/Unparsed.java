package dev.vmscope.explain.parse;

/** A line the parser could not interpret, with what it expected there. */
public record Unparsed(int line, String text, String expected) {
    public String describe(String file) {
        String t = text.length() > 80 ? text.substring(0, 77) + "..." : text;
        return file + ":" + line + ": not interpreted: '" + t + "' (expected " + expected + ")";
    }
}
