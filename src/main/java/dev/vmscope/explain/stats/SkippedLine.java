package dev.vmscope.explain.stats;

/** A trace line the scanner could not interpret, with what it expected there (explain turns it into its Unparsed). */
public record SkippedLine(int line, String text, String expected) {
    public String describe(String file) {
        String t = text.length() > 80 ? text.substring(0, 77) + "..." : text;
        return file + ":" + line + ": not interpreted: '" + t + "' (expected " + expected + ")";
    }
}
