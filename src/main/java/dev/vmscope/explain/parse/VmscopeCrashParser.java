package dev.vmscope.explain.parse;

import java.util.List;

/**
 * vmscope's own crash reports (dev.vmscope.debug.CrashReport): the JSON twin, recognised by its
 * {@code "format": "vmscope-crash-v1"} member, or the text report, recognised by its
 * "vmscope crash report TIME" heading.
 */
public final class VmscopeCrashParser implements DumpParser {
    /** Must equal dev.vmscope.debug.CrashReport.FORMAT (not imported: explain stays independent of the VMM). */
    public static final String FORMAT_MARKER = "vmscope-crash-v1";

    @Override
    public Format format() { return Format.VMSCOPE_CRASH; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            String s = l.text().strip();
            if (s.startsWith("\"format\"") && s.contains("\"" + FORMAT_MARKER + "\"")) n += 100;
            else if (s.startsWith("vmscope crash report ")) n += 100;
            else if (s.startsWith("== vCPU ") || s.equals("== last exits (flight recorder) ==")) n += 5;
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> lines) {
        for (Line l : lines) {
            String s = l.text().strip();
            if (s.isEmpty()) continue;
            return s.startsWith("{") ? CrashJsonReader.read(file, data, lines) : new CrashTextReader().read(file, lines);
        }
        return new CrashTextReader().read(file, lines);
    }
}
