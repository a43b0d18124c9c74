package dev.vmscope.cli;

import dev.vmscope.bench.BenchResults;
import dev.vmscope.bench.CpuBench;
import dev.vmscope.bench.ExitBench;
import dev.vmscope.bench.IpiBench;
import dev.vmscope.bench.StartupBench;

import java.io.PrintStream;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmscope bench}: exit costs (vs QEMU with --vs-qemu), start-up time and peak RSS (these need KVM); with
 * {@code --accel emu} the software CPU's speed beside QEMU TCG and Bochs (dev.vmscope.bench.CpuBench). */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure exit costs in guest TSC cycles, start-up time and peak RSS, optionally against QEMU.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:measured", "2:bad arguments", "6:no usable /dev/kvm (KVM benchmarks), or a benchmark guest or run failed", "70:a vmscope bug"})
public final class Bench extends CliCommand {
    @Option(names = "--iters", paramLabel = "N", description = "iterations per operation (default 200000; --ipi: 2000)")
    Integer itersOpt;
    @Option(names = "--repeats", paramLabel = "R", description = "repeats (default 5; --ipi: 3)")
    Integer repeatsOpt;
    @Option(names = "--startup-runs", paramLabel = "N", description = "start-up runs per row (default 5)")
    int runs = 5;
    @Option(names = "--rounds", paramLabel = "K", description = "with --vs-qemu: alternate vmscope and QEMU K times and report"
            + " the median and range of the pairs' ratios")
    int rounds = 1;
    @Option(names = "--vs-qemu", description = "compare with qemu-system-x86_64")
    boolean vsQemu;
    @Option(names = "--exits-only", description = "only the exit costs")
    boolean exitsOnly;
    @Option(names = "--startup-only", description = "only start-up and RSS")
    boolean startupOnly;
    @Option(names = "--ipi", description = "IPI and EOI cost with the in-kernel and the Java interrupt controllers")
    boolean ipi;
    @Option(names = "--accel", paramLabel = "kvm|emu", description = "emu: the software CPU's MIPS and SeaBIOS time beside"
            + " QEMU TCG and Bochs (no KVM needed; --iters fixes the iterations, --rounds K takes medians)")
    String accel = "kvm";
    @Option(names = "--linux", description = "boot Linux to a shell and power it off on vmscope (software CPU, and KVM"
            + " where usable) and QEMU (TCG, and KVM where usable): time to the shell marker, to exit, peak RSS")
    boolean linux;
    @Option(names = "--kernel", paramLabel = "FILE", description = "with --linux: the bzImage (default: the newest"
            + " vmlinuz-* in $VMSCOPE_VMLINUZ_DIR, ~/.cache/vmscope or /boot)")
    java.nio.file.Path kernel;
    @Option(names = "--initrd", paramLabel = "FILE", description = "with --linux: an initramfs that prints --marker and"
            + " runs a shell on ttyS0 (default: one built from a static busybox: /bin/busybox or busybox-static's .deb in the cache)")
    java.nio.file.Path initrd;
    @Option(names = "--marker", paramLabel = "TEXT", description = "with --linux: the console text that means the shell is up")
    String marker = dev.vmscope.bench.Initramfs.MARKER;
    @Option(names = "--smp", paramLabel = "N", description = "with --linux: vCPUs (default 1)")
    int smp = 1;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "with --linux: per boot (default 900)")
    int timeoutSeconds = 900;

    /** The command with its arguments, as from the command line (kept for callers outside the CLI). */
    public int run(List<String> args, PrintStream out, PrintStream err) {
        List<String> a = new java.util.ArrayList<>(List.of("bench"));
        a.addAll(args);
        return Main.run(a, out, err);
    }

    @Override
    protected int execute() throws Exception {
        check("iters", itersOpt, 1, 100_000_000);
        check("repeats", repeatsOpt, 1, 1000);
        check("startup-runs", runs, 1, 1000);
        check("rounds", rounds, 1, 1000);
        if (exitsOnly && startupOnly) throw new CliException("--exits-only and --startup-only exclude each other");
        boolean exits = !startupOnly, startup = !exitsOnly;
        if (linux) return LinuxBenchCommand.run(kernel, initrd, marker, smp, rounds, timeoutSeconds, out, err);
        if (accel.equals("emu")) {
            if (!CpuBench.measureAndPrint(itersOpt == null ? 0 : itersOpt, rounds, out, err))
                throw new CliException("some benchmark runs failed (see FAILED above)", 6);
            return 0;
        }
        if (!accel.equals("kvm")) throw new CliException("--accel: '" + accel + "' is not kvm or emu");
        requireKvm();
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
            List<StartupBench.Row> rows = StartupBench.run(runs, qemu);
            for (StartupBench.Row r : rows) {
                // A run that never printed has first byte -1: no number is better than an invented one.
                if (r.firstByteMedMs() < 0 || r.exitMedMs() <= 0)
                    throw new CliException("start-up runs of '" + r.what() + "' failed (no guest output); run it alone to see why", 6);
            }
            out.printf("start-up (median of %d runs)%n", runs);
            out.printf("  %-36s %14s %10s %12s%n", "what", "first byte ms", "exit ms", "peak RSS MB");
            for (StartupBench.Row r : rows)
                out.printf("  %-36s %14.1f %10.1f %12.1f%n", r.what(), r.firstByteMedMs(), r.exitMedMs(), r.rssMedKb() / 1024.0);
        }
        return 0;
    }

    private static void check(String opt, Integer v, int min, int max) {
        if (v != null && (v < min || v > max)) throw new CliException("--" + opt + ": " + v + " is not from " + min + " to " + max);
    }

    /** Every benchmark runs guests on KVM: without it say so (status 6) before any child is started. */
    static void requireKvm() {
        java.nio.file.Path kvm = java.nio.file.Path.of("/dev/kvm");
        if (!java.nio.file.Files.exists(kvm)) throw new CliException("bench needs KVM: /dev/kvm does not exist on this host", 6);
        if (!java.nio.file.Files.isReadable(kvm) || !java.nio.file.Files.isWritable(kvm))
            throw new CliException("bench needs KVM: /dev/kvm is not readable and writable by this user", 6);
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
