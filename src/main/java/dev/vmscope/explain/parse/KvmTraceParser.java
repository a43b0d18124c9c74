package dev.vmscope.explain.parse;

import dev.vmscope.explain.stats.StatsReport;
import dev.vmscope.explain.stats.TraceScanner;
import dev.vmscope.explain.stats.TraceStats;

import java.util.List;
import java.util.Map;

/** KVM tracepoint text from trace-cmd report or perf script; the byte-level work is done by {@link TraceScanner}. */
public final class KvmTraceParser implements DumpParser {
    /** "12.345678: kvm_exit:" (trace-cmd) or "12.345678: kvm:kvm_exit:" (perf script), any padding. */
    private static final java.util.regex.Pattern EVENT =
            java.util.regex.Pattern.compile("\\d\\.\\d+:\\s+(kvm:)?kvm_[a-z_]+:");

    @Override
    public Format format() { return Format.KVM_TRACE; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            String t = l.text();
            int rb = t.indexOf("] ");
            if (rb > 0 && t.indexOf('[') < rb && EVENT.matcher(t).find()) n += 2;
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> lines) {
        TraceStats st = new TraceStats();
        TraceScanner sc = new TraceScanner(st);
        sc.scan(data);
        Map<String, Object> m = StatsReport.toMap(st, sc);
        // The vendor comes from the exit names' spelling (TraceEvents), not from the statistics' hint.
        TraceEvents.Result story = TraceEvents.read(Paste.normalize(lines));
        return new KvmTraceDump(file, story.vendor(), m, sc.eventLines(), sc.unparsed().stream()
                .map(u -> new Unparsed(u.line(), u.text(), u.expected())).toList(), sc.badLines(), story);
    }
}
