package dev.vmscope.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Value conversions shared by the commands; every malformed value is a {@link CliException} naming the option. */
final class Options {
    /** How the user wrote an option back to them: "-m", "--kernel". */
    static String spell(String opt) { return (opt.length() == 1 ? "-" : "--") + opt; }

    /** QEMU -m: a number with optional K/M/G/T suffix (and optional trailing B); a bare number is MiB. */
    static long size(String opt, String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) s = s.substring(0, s.length() - 1);
        long mul = 1L << 20;
        if (!s.isEmpty()) {
            char c = s.charAt(s.length() - 1);
            int shift = switch (c) { case 'K' -> 10; case 'M' -> 20; case 'G' -> 30; case 'T' -> 40; default -> -1; };
            if (shift >= 0) { mul = 1L << shift; s = s.substring(0, s.length() - 1); }
        }
        try {
            long n = Long.parseLong(s);
            if (n <= 0 || n > (1L << 50) / mul) throw new NumberFormatException();
            return n * mul;
        } catch (NumberFormatException e) {
            throw new CliException(spell(opt) + ": '" + v + "' is not a memory size (e.g. 128M, 2G)");
        }
    }

    static int intIn(String opt, String v, int min, int max) {
        try {
            int n = Integer.decode(v.trim());
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new CliException(spell(opt) + ": '" + v + "' is not a number from " + min + " to " + max);
        }
    }

    static long address(String opt, String v) {
        try {
            return Long.decode(v.trim());
        } catch (NumberFormatException e) {
            throw new CliException(spell(opt) + ": '" + v + "' is not an address (e.g. 0x7c00)");
        }
    }

    /** Durations: "5" or "5s" seconds, "500ms", "2m". */
    static long millis(String opt, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        long mul = 1000;
        if (s.endsWith("ms")) { mul = 1; s = s.substring(0, s.length() - 2); }
        else if (s.endsWith("s")) s = s.substring(0, s.length() - 1);
        else if (s.endsWith("m")) { mul = 60_000; s = s.substring(0, s.length() - 1); }
        try {
            double d = Double.parseDouble(s);
            if (!(d > 0) || d * mul > Long.MAX_VALUE / 2) throw new NumberFormatException();
            return Math.max(1, (long) (d * mul));
        } catch (NumberFormatException e) {
            throw new CliException(spell(opt) + ": '" + v + "' is not a duration (e.g. 10s, 500ms)");
        }
    }

    static Path readableFile(String opt, String v) {
        Path p = OutputPaths.path(spell(opt), v);
        if (!Files.exists(p)) throw new CliException(spell(opt) + ": " + v + ": no such file");
        if (!Files.isRegularFile(p)) throw new CliException(spell(opt) + ": " + v + ": not a regular file");
        if (!Files.isReadable(p)) throw new CliException(spell(opt) + ": " + v + ": permission denied");
        return p;
    }

    static List<String> splitComma(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) if (!s.isBlank()) out.add(s.trim());
        return out;
    }
}
