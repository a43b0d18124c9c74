package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Undoes what pasting does to a dump before any parser sees it: Markdown fences, "> " mail quoting, log prefixes
 * (syslog, journal, dmesg timestamps, "kvm_intel: ", "(XEN) ", "qemu-system-x86_64: "), JSON log records whose
 * message holds escaped newlines, and mail-wrapped continuation lines. Line numbers stay those of the input, so
 * every finding still points at file:line. Tabs and indentation are kept: bhyve blocks depend on them.
 */
public final class Paste {
    private Paste() {}

    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~).*$");
    private static final Pattern QUOTE = Pattern.compile("^(\\s?>)+ ?");
    /** "Sep  8 22:52:20 host kernel: ", "Jan 13 00:03:50 ubuntu kernel: ", "Feb 06 17:05:30: " (vm-bhyve). */
    private static final Pattern SYSLOG = Pattern.compile(
            "^[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)?( [\\w.-]+ [\\w./-]+(\\[\\d+\\])?)?: ");
    /** "[10639.238026] " (dmesg), "[2023-08-30T21:14:46.959Z] ", "2016-04-14T19:17:47.314698+00:00 host kvm: ". */
    private static final Pattern STAMP = Pattern.compile(
            "^(\\[\\s*\\d+[.,]\\d+\\]|\\[\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z?\\]|\\d{4}-\\d\\d-\\d\\dT[\\d:.]+([+-]\\d\\d:\\d\\d|Z)?( [\\w.-]+ [\\w./-]+:)?) ?");
    /** Prefixes that only name who printed the line (the module name is kept as vendor evidence elsewhere). */
    private static final Pattern WHO = Pattern.compile(
            "^(\\(XEN\\) |kvm_intel: |kvm_amd: |qemu-system-[\\w-]+: |qemu-kvm: |qemu: |kvm: (?=\\[\\d)|bash\\[\\d+\\]: |km: (?=KVM)|\\d+ \\| )");
    private static final Pattern JSON_MSG = Pattern.compile("\"(msg|message|log|MESSAGE)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The lines as the printing program wrote them. */
    public static List<Line> normalize(List<Line> in) {
        List<Line> out = new ArrayList<>(in.size());
        boolean prevWrapped = false;
        for (Line l : in) {
            String t = l.text();
            if (FENCE.matcher(t).matches()) {
                String rest = t.strip().replaceFirst("^(```|~~~)[\\w-]*", "");
                if (rest.isEmpty()) continue;
                t = rest; // "```(XEN) d12v0 vmentry failure ..." keeps its text
            }
            t = QUOTE.matcher(t).replaceFirst("");
            boolean prefixed = false;
            for (int i = 0; i < 4; i++) {
                String s = strip(t);
                if (s.equals(t)) break;
                t = s;
                prefixed = true;
            }
            Matcher j = t.contains("\\n") ? JSON_MSG.matcher(t) : null;
            if (j != null && j.find()) {
                for (String part : unescape(j.group(2)).split("\n", -1)) out.add(new Line(l.number(), strip(part)));
                prevWrapped = false;
                continue;
            }
            if (prevWrapped && !prefixed && !out.isEmpty() && !t.isBlank() && !t.startsWith("\t")) {
                // A mail client broke a log line: "... guest rIP: 0xfff...\nunhandled rdmsr: 0x611".
                Line prev = out.removeLast();
                out.add(new Line(prev.number(), prev.text() + " " + t.strip()));
                prevWrapped = false;
                continue;
            }
            out.add(new Line(l.number(), t));
            prevWrapped = prefixed && wrapped(t);
        }
        return out;
    }

    private static String strip(String t) {
        String s = SYSLOG.matcher(t).replaceFirst("");
        s = STAMP.matcher(s).replaceFirst("");
        s = WHO.matcher(s).replaceFirst("");
        return s;
    }

    /** A log line that visibly continues on the next line. */
    private static boolean wrapped(String t) {
        String s = t.stripTrailing();
        return s.endsWith(",") || s.matches(".*guest rIP: 0x[0-9a-fA-F]+$");
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> { }
                case 'u' -> {
                    if (i + 4 < s.length() && s.substring(i + 1, i + 5).matches("[0-9a-fA-F]{4}")) {
                        b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                }
                default -> b.append(n);
            }
        }
        return b.toString();
    }
}
