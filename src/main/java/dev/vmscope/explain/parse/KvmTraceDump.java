package dev.vmscope.explain.parse;

import java.util.List;
import java.util.Map;

/** A KVM trace (trace-cmd report / perf script) reduced to statistics by explain.stats. */
public record KvmTraceDump(String file, Vendor vendor, Map<String, Object> stats, long eventLines,
        List<Unparsed> unparsed, long unparsedTotal, TraceEvents.Result story) implements ParsedDump {
    @Override
    public Format format() { return Format.KVM_TRACE; }

    @Override
    public int recognized() { return (int) Math.min(Integer.MAX_VALUE, eventLines); }
}
