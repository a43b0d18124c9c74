package dev.vmscope.cli;

import dev.vmscope.bench.BenchResults;
import dev.vmscope.bench.ExitBench;
import dev.vmscope.bench.IpiBench;
import dev.vmscope.bench.StartupBench;

import java.io.PrintStream;
import java.util.List;

/** {@code vmscope bench}: exit costs (vs QEMU with --vs-qemu), start-up time and peak RSS. */
public final class Bench implements Command {
    public String name() { return "bench"; }

    public String summary() { return "measure exit costs, start-up and RSS (optionally against QEMU)"; }

    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Integer itersOpt = null, repeatsOpt = null;
        int runs = 5, rounds = 1;
        boolean vsQemu = false, exits = true, startup = true, ipi = false;
        Options o = new Options(args);
        for (String opt; (opt = o.next()) != null; ) {
            switch (opt) {
                case "iters" -> itersOpt = Options.intIn(opt, o.value(opt), 1, 100_000_000);
                case "repeats" -> repeatsOpt = Options.intIn(opt, o.value(opt), 1, 1000);
                case "startup-runs" -> runs = Options.intIn(opt, o.value(opt), 1, 1000);
                case "rounds" -> rounds = Options.intIn(opt, o.value(opt), 1, 1000);
                case "vs-qemu" -> { o.noValue(opt); vsQemu = true; }
                case "exits-only" -> { o.noValue(opt); startup = false; }
                case "startup-only" -> { o.noValue(opt); exits = false; }
                case "ipi" -> { o.noValue(opt); ipi = true; }
                case "h", "help" -> {
                    out.println("usage: vmscope bench [--iters N] [--repeats R] [--vs-qemu [--rounds K]] [--startup-runs N] [--exits-only|--startup-only]");
                    out.println("       --rounds K   alternate vmscope and QEMU K times; ratios as the median of the rounds' ratios");
                    out.println("       vmscope bench --ipi [--iters N] [--repeats R]   IPI and EOI cost, in-kernel vs user irqchip");
                    return 0;
                }
                default -> throw new CliException("unknown option --" + opt + " for 'bench'");
            }
        }
        if (ipi) {
            // The IPI guest runs in ring 0, which the host may emulate: smaller defaults.
            int n = itersOpt != null ? itersOpt : 2000, r = repeatsOpt != null ? repeatsOpt : 3;
            if (!IpiBench.print(n, r, out, err)) throw new CliException("the IPI benchmark guest reported no results", 6);
            return 0;
        }
        int iters = itersOpt != null ? itersOpt : 200_000, repeats = repeatsOpt != null ? repeatsOpt : 5;
        String qemu = vsQemu ? ExitBench.qemu() : null;
        if (vsQemu && qemu == null) err.println("vmscope: note: qemu-system-x86_64 not installed; measuring vmscope only");
        if (exits && qemu != null && rounds > 1) {
            rounds(iters, repeats, rounds, qemu, out, err);
        } else if (exits) {
            BenchResults v = ExitBench.runVmscope(iters, repeats, err);
            if (v.isEmpty()) throw new CliException("the benchmark guest reported no results", 6);
            BenchResults q = qemu != null ? ExitBench.runQemu(qemu, iters, repeats) : null;
            out.printf("exit cost in guest TSC cycles per operation (%d iterations x %d repeats)%n", iters, repeats);
            out.printf("  %-10s %10s %10s %10s", "operation", "min", "median", "max");
            if (q != null) out.printf(" %12s %8s", "qemu median", "ratio");
            out.println();
            for (BenchResults.Summary s : v.summaries()) {
                out.printf("  %-10s %10d %10d %10d", s.op(), s.min(), s.median(), s.max());
                BenchResults.Summary qs = q == null ? null : q.get(s.op());
                if (qs != null) out.printf(" %12d %7.2fx", qs.median(), (double) s.median() / qs.median());
                out.println();
            }
            if (q != null && q.isEmpty()) err.println("vmscope: note: the QEMU run reported no results");
        }
        if (startup) {
            if (qemu == null) qemu = ExitBench.qemu();
            out.printf("start-up (median of %d runs)%n", runs);
            out.printf("  %-36s %14s %10s %12s%n", "what", "first byte ms", "exit ms", "peak RSS MB");
            for (StartupBench.Row r : StartupBench.run(runs, qemu))
                out.printf("  %-36s %14.1f %10.1f %12.1f%n", r.what(), r.firstByteMedMs(), r.exitMedMs(), r.rssMedKb() / 1024.0);
        }
        return 0;
    }

    /**
     * On a noisy host (a nested VM whose exit cost drifts by tens of percent from minute to minute) one
     * vmscope run against one QEMU run says little. Alternating them and comparing each pair cancels the
     * drift that both see; the median and range of the pairs' ratios are reported.
     */
    private static void rounds(int iters, int repeats, int rounds, String qemu, PrintStream out, PrintStream err) throws Exception {
        java.util.Map<String, List<long[]>> pairs = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rounds; i++) {
            BenchResults v = ExitBench.runVmscope(iters, repeats, err);
            BenchResults q = ExitBench.runQemu(qemu, iters, repeats);
            if (v.isEmpty()) throw new CliException("the benchmark guest reported no results", 6);
            for (BenchResults.Summary s : v.summaries()) {
                BenchResults.Summary qs = q.get(s.op());
                if (qs != null) pairs.computeIfAbsent(s.op(), k -> new java.util.ArrayList<>()).add(new long[] {s.median(), qs.median()});
            }
        }
        out.printf("exit cost in guest TSC cycles per operation (%d iterations x %d repeats; %d rounds, each a vmscope run"
                + " then a QEMU run)%n", iters, repeats, rounds);
        out.printf("  %-10s %14s %12s %14s %18s%n", "operation", "vmscope median", "qemu median", "ratio (median)", "ratio (min - max)");
        pairs.forEach((op, l) -> {
            double[] ratio = l.stream().mapToDouble(p -> (double) p[0] / p[1]).sorted().toArray();
            long[] vm = l.stream().mapToLong(p -> p[0]).sorted().toArray(), qm = l.stream().mapToLong(p -> p[1]).sorted().toArray();
            out.printf("  %-10s %14d %12d %13.2fx %10.2fx - %.2fx%n", op, vm[vm.length / 2], qm[qm.length / 2],
                    ratio.length % 2 == 1 ? ratio[ratio.length / 2] : (ratio[ratio.length / 2 - 1] + ratio[ratio.length / 2]) / 2,
                    ratio[0], ratio[ratio.length - 1]);
        });
        if (pairs.isEmpty()) err.println("vmscope: note: the QEMU runs reported no results");
    }
}
