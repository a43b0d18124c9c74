package dev.vmscope.explain.parse;

import java.util.List;

/** A "perf kvm stat report" table (tools/perf/builtin-kvm.c print_result()). Times are microseconds. */
public record PerfKvmStatDump(String file, Vendor vendor, String eventKind, List<Row> rows, Long totalSamples,
        List<Unparsed> unparsed, List<Long> unknownCodes, String isa) implements ParsedDump {

    public record Row(String event, long samples, double samplesPct, double timePct, double minUs, double maxUs,
            double avgUs, int line) {}

    @Override
    public Format format() { return Format.PERF_KVM_STAT; }

    @Override
    public int recognized() { return rows.size(); }
}
