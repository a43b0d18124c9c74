package dev.vmscope.explain.parse;

import java.util.List;
import java.util.Optional;

/** Picks the parser for a file: the format whose signature lines are most frequent in the first lines. */
public final class Detector {
    static final int SNIFF_LINES = 400;

    public static final List<DumpParser> PARSERS = List.of(new BhyvectlParser(), new BhyveStatsParser(),
            new BhyveExitParser(), new KvmTraceParser(), new PerfKvmStatParser(), new QemuParser(), new VmscopeCrashParser(),
            new ExitCountsParser());

    private Detector() {}

    public static DumpParser parser(Format f) {
        for (DumpParser p : PARSERS) if (p.format() == f) return p;
        throw new IllegalStateException("no parser for " + f);
    }

    /** The best-scoring format, or empty when no parser recognises anything. */
    public static Optional<Format> detect(List<Line> lines) {
        List<Line> head = lines.size() > SNIFF_LINES ? lines.subList(0, SNIFF_LINES) : lines;
        Format best = null;
        int bestScore = 0;
        for (DumpParser p : PARSERS) {
            int sc = p.sniff(head);
            if (sc > bestScore) {
                best = p.format();
                bestScore = sc;
            }
        }
        return Optional.ofNullable(best);
    }
}
