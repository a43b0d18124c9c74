package dev.vmscope.cli;

/**
 * Text from a dump or trace is untrusted: an ESC or BEL byte reaching the terminal could retitle the window,
 * clear the screen or move the cursor. Text output shows control characters as visible escapes instead;
 * newline and tab stay as they are (the reports are made of them).
 */
final class Untrusted {
    private Untrusted() {}

    static String escape(String s) {
        int i = 0;
        while (i < s.length() && !control(s.charAt(i))) i++;
        if (i == s.length()) return s;
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!control(c)) sb.append(c);
            else if (c == '\r') sb.append("\\r");
            else if (c == 0x1b) sb.append("\\e");
            else sb.append(c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
        }
        return sb.toString();
    }

    /** C0 controls but newline and tab, DEL, C1 controls (0x9b is a one-byte CSI), and the bidi overrides. */
    private static boolean control(char c) {
        return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }
}
