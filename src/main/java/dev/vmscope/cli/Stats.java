package dev.vmscope.cli;

import dev.vmscope.explain.stats.StatsReport;
import dev.vmscope.explain.stats.TraceBench;
import dev.vmscope.explain.stats.TraceScanner;
import dev.vmscope.explain.stats.TraceStats;
import dev.vmscope.input.InputException;
import dev.vmscope.input.Inputs;
import dev.vmscope.input.TextInput;
import dev.vmscope.util.Json;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vmscope stats TRACE} and {@code vmscope stats --bench [SIZE_MB]}; logic in explain.stats. The trace is
 * streamed through {@link Inputs} (stdin, FIFOs, gzip/xz/zstd, UTF-16), so memory does not grow with its size.
 */
@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Exit statistics and latencies of a KVM trace (trace-cmd report / perf script text) or of",
                "vmscope run --trace output. TRACE may be - (stdin), a FIFO, or gzip/xz/zstd compressed."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every line understood", "1:some lines were not interpreted (listed)",
                "2:bad arguments, or an unreadable or binary input, or no KVM trace events in it", "70:a vmscope bug"})
public final class Stats extends CliCommand {
    static final String SCHEMA = "vmscope-trace-stats";
    static final int SCHEMA_VERSION = 1;

    @Parameters(paramLabel = "TRACE", arity = "0..1", description = "the trace; - is standard input")
    String trace;
    @Option(names = "--json", description = "JSON output, schema vmscope-trace-stats v1")
    boolean json;
    @Option(names = "--name", paramLabel = "NAME", description = "the name the report gives the input (default: TRACE), e.g."
            + " the file a pipe came from: zcat t.gz | vmscope stats --name t.gz -")
    String label;
    @Option(names = "--progress", negatable = true, description = "show progress on stderr (default: when stderr is a terminal)")
    Boolean progress;
    @Option(names = "--bench", arity = "0..1", paramLabel = "SIZE_MB", fallbackValue = "64",
            description = "measure the scanner's throughput on SIZE_MB (1-4096, default 64) of synthetic trace")
    Integer bench;

    @Override
    protected int execute() throws IOException {
        if (bench != null) {
            if (trace != null || json) throw new CliException("--bench takes no TRACE and no --json");
            if (bench < 1 || bench > 4096) throw new CliException("--bench size must be 1..4096 MB, not " + bench);
            TraceBench.Result r = TraceBench.run(bench, 5);
            out.printf(Locale.ROOT, "scanned %d MB of synthetic trace (%d lines) in %.3f s: %.0f MB/s (best of 5 runs, one core)%n",
                    r.bytes() >> 20, r.lines(), r.seconds(), r.mbPerSecond());
            return 0;
        }
        if (trace == null) throw new ParameterException(self, "missing TRACE (or --bench SIZE_MB)");
        TraceStats st = new TraceStats();
        TraceScanner sc = new TraceScanner(st);
        String name = label != null ? label : trace;
        try (TextInput t = Inputs.open(trace, in, Long.MAX_VALUE, name + ": too large");
             Progress p = new Progress(err, progress, t.sourceSize(), "vmscope stats " + name)) {
            sc.scan(t.text(), p.on() ? done -> p.update(t.sourceBytesRead()) : null);
        } catch (InputException e) {
            throw new CliException(e.getMessage());
        }
        Map<String, Object> m = StatsReport.toMap(st, sc);
        if (json) {
            Map<String, Object> j = Json.obj();
            j.put("schema", SCHEMA);
            j.put("schema_version", SCHEMA_VERSION);
            j.put("file", name);
            j.putAll(m);
            j.put("not_interpreted", sc.unparsed().stream().map(u -> u.describe(name)).toList());
            out.println(Json.write(j));
        } else {
            StringBuilder sb = new StringBuilder(StatsReport.text(name, m));
            for (var u : sc.unparsed()) sb.append("  ").append(u.describe(name)).append('\n');
            if (sc.badLines() > sc.unparsed().size()) {
                sb.append("  ... and ").append(sc.badLines() - sc.unparsed().size()).append(" more lines not interpreted\n");
            }
            out.print(Untrusted.escape(sb.toString()));
        }
        if (sc.eventLines() == 0) {
            err.println("vmscope: " + Untrusted.escape(name) + ":1: no KVM trace events found (expected trace-cmd report or"
                    + " perf script text with kvm_exit/kvm_entry lines, or vmscope run --trace output)");
            return 2;
        }
        return sc.badLines() == 0 ? 0 : 1;
    }
}
