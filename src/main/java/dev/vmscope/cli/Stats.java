package dev.vmscope.cli;

import dev.vmscope.explain.stats.StatsReport;
import dev.vmscope.explain.stats.TraceBench;
import dev.vmscope.explain.stats.TraceScanner;
import dev.vmscope.explain.stats.TraceStats;
import dev.vmscope.util.Json;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code vmscope stats TRACE [--json]} and {@code vmscope stats --bench [SIZE_MB]}; logic in explain.stats. */
public final class Stats implements Command {
    public String name() { return "stats"; }

    public String summary() { return "exit statistics and latencies of a KVM trace (trace-cmd report / perf script)"; }

    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (!args.isEmpty() && args.getFirst().equals("--bench")) {
            int mb = 64;
            if (args.size() > 1) {
                try {
                    mb = Integer.parseInt(args.get(1));
                } catch (NumberFormatException e) {
                    throw new CliException("--bench takes a size in MB, not '" + args.get(1) + "'");
                }
                if (mb < 1 || mb > 4096) throw new CliException("--bench size must be 1..4096 MB");
            }
            TraceBench.Result r = TraceBench.run(mb, 5);
            out.printf(Locale.ROOT, "scanned %d MB of synthetic trace (%d lines) in %.3f s: %.0f MB/s (best of 5 runs, one core)%n",
                    r.bytes() >> 20, r.lines(), r.seconds(), r.mbPerSecond());
            return 0;
        }
        boolean json = args.remove("--json");
        if (args.size() != 1 || args.getFirst().startsWith("-")) {
            throw new CliException("usage: vmscope stats TRACE [--json] | vmscope stats --bench [SIZE_MB]");
        }
        Path p = Path.of(args.getFirst());
        if (!Files.isRegularFile(p)) throw new CliException(p + ": no such file");
        long size = Files.size(p);
        TraceStats st = new TraceStats();
        TraceScanner sc = new TraceScanner(st);
        Console con = System.console();
        boolean bar = con != null && con.isTerminal() && size > (16 << 20);
        long[] shown = {-1};
        sc.scan(p, !bar ? null : done -> {
            long pct = size == 0 ? 100 : done * 100 / size;
            if (pct != shown[0]) {
                shown[0] = pct;
                err.print("\r[" + "#".repeat((int) (pct / 5)) + " ".repeat(20 - (int) (pct / 5)) + "] " + pct + "%");
                err.flush();
            }
        });
        if (bar) err.print("\r" + " ".repeat(30) + "\r");
        Map<String, Object> m = StatsReport.toMap(st, sc);
        if (json) {
            m.put("file", p.toString());
            m.put("not_interpreted", sc.unparsed().stream().map(u -> u.describe(p.toString())).toList());
            out.println(Json.write(m));
        } else {
            out.print(StatsReport.text(p.toString(), m));
            for (var u : sc.unparsed()) out.println("  " + u.describe(p.toString()));
            if (sc.badLines() > sc.unparsed().size()) {
                out.println("  ... and " + (sc.badLines() - sc.unparsed().size()) + " more lines not interpreted");
            }
        }
        if (sc.eventLines() == 0) {
            err.println("vmscope: " + p + ":1: no KVM trace events found (expected trace-cmd report or perf script"
                    + " text with kvm_exit/kvm_entry lines)");
            return 2;
        }
        return sc.badLines() == 0 ? 0 : 1;
    }
}
