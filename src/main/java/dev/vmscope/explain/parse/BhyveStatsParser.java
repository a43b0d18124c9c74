package dev.vmscope.explain.parse;

import java.util.List;

/** "bhyvectl --get-stats": "vcpuN stats:" then "%-40s\t%ld" lines (see {@link VmStatLines}). */
public final class BhyveStatsParser implements DumpParser {
    @Override
    public Format format() { return Format.BHYVE_STATS; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            if (VmStatLines.header(l.text()) >= 0) n += 5;
            else if (l.text().contains("\t") && VmStatLines.stat(0, l) != null) n++;
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> lines) {
        // Same line shapes as the statistics section of --get-all; stats-only files start in that section.
        return BhyvectlParser.parse(file, lines, Format.BHYVE_STATS, true);
    }
}
