package dev.vmscope.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The software-CPU benchmark (issue 9, "Speed"): integer and load/store MIPS of guests/cpubench.S on each
 * engine, and the time SeaBIOS with 4 CPUs takes to reach "No bootable device" on vmscope-emu and QEMU TCG.
 * A loop's time is its run's time minus a 0-iteration run's (start-up, BIOS, shutdown), so
 * MIPS = iterations x instructions per iteration / (t(N) - t(0)). Unless fixed, N is scaled per engine in the
 * first round until the loop takes at least {@code minSeconds}. SeaBIOS's time is process start to the text
 * minus process start to exit with a firmware that powers off at once (guests/exitrom.S).
 */
public final class CpuBench {
    public enum Loop { INTEGER, LOADSTORE }

    /** One engine's medians over the rounds (NaN: not measured) and the failures, in order. */
    public record Row(String engine, String skipped, double intMips, double memMips, double seabiosSeconds,
                      long intIters, long memIters, List<String> failures) {}

    public record Options(int rounds, long fixedIters, double minSeconds, Path seabios) {}

    private static final long MAX_ITERS = 0xffff_ffffL;
    /** Instructions outside the loop that a counted-loop run may add over the 0-iteration run (the loop's prologue). */
    static final long PROLOGUE_SLACK = 64;

    private CpuBench() {}

    /** MIPS of {@code iters} iterations of {@code insns} instructions taking {@code seconds}; NaN when not positive. */
    public static double mips(long iters, int insns, double seconds) {
        return seconds > 0 && iters > 0 ? iters * (double) insns / seconds / 1e6 : Double.NaN;
    }

    public static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (a.length == 0) return Double.NaN;
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** Checks an engine's instruction counts, when it has them, against the assembly's count. Null when they agree. */
    static String countProblem(CpuEngine.LoopRun zero, CpuEngine.LoopRun loop, long iters, int insns) {
        if (zero.instructions() < 0 || loop.instructions() < 0) return null;
        long delta = loop.instructions() - zero.instructions(), want = iters * insns;
        if (delta < want || delta > want + PROLOGUE_SLACK)
            return "retired " + delta + " more instructions than the 0-iteration run, expected " + want + " (+ up to " + PROLOGUE_SLACK + ")";
        return null;
    }

    public static List<Row> run(List<CpuEngine> engines, CpuBenchImage image, Options o, PrintStream progress)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("vmscope-cpubench");
        try {
            Path exitRom = CpuEngine.write(dir, "exitrom.rom", resource("/guests/exitrom.rom"));
            Map<CpuEngine, State> states = new LinkedHashMap<>();
            for (CpuEngine e : engines) states.put(e, new State(e, o.fixedIters() > 0 ? o.fixedIters() : initialIters(e)));
            // Rounds alternate the engines, so drift on a shared host reaches all of them alike.
            for (int round = 0; round < o.rounds(); round++) {
                for (State s : states.values()) {
                    if (s.engine.missing() != null) continue;
                    Path d = Files.createDirectories(dir.resolve(s.engine.name()));
                    progress.printf("vmscope: bench: round %d/%d: %s%n", round + 1, o.rounds(), s.engine.name());
                    s.loops(image, d, round == 0 && o.fixedIters() <= 0, o.minSeconds());
                    if (s.engine.hasSeabios() && o.seabios() != null) s.seabios(o.seabios(), exitRom, d);
                }
            }
            List<Row> rows = new ArrayList<>();
            for (State s : states.values()) rows.add(s.row());
            return rows;
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** What SeaBIOS image the benchmark boots: Debian's. */
    public static final Path SEABIOS = Path.of("/usr/share/seabios/bios.bin");

    /**
     * {@code vmscope bench --accel emu}: every engine found on this host, Debian's SeaBIOS, the table on {@code out},
     * progress and skipped engines on {@code err}. Returns false when a run failed (the table says which).
     */
    public static boolean measureAndPrint(long fixedIters, int rounds, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        Path bios = Files.isReadable(SEABIOS) ? SEABIOS : null;
        if (bios == null) err.println("vmscope: note: " + SEABIOS + " is missing (Debian: apt-get install seabios); SeaBIOS times not measured");
        List<CpuEngine> engines = List.of(EmuEngine.self(), QemuEngine.find(), BochsEngine.find());
        for (CpuEngine e : engines)
            if (e.missing() != null) err.println("vmscope: note: skipping " + e.name() + ": " + e.missing());
        Options o = new Options(rounds, fixedIters, 1.5, bios);
        CpuBenchImage image = CpuBenchImage.builtin();
        return CpuBenchTable.print(run(engines, image, o, err), image, o, out);
    }

    /** First-round iteration counts that keep a slow engine's first run short (about 10^7 instructions). */
    static long initialIters(CpuEngine e) { return e instanceof QemuEngine ? 20_000_000 : 1_000_000; }

    private static byte[] resource(String name) throws IOException {
        try (var in = CpuBench.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("built-in guest " + name + " is missing from the build");
            return in.readAllBytes();
        }
    }

    /** One engine's samples across rounds. */
    private static final class State {
        final CpuEngine engine;
        final long[] iters = new long[2];
        final List<Double> intMips = new ArrayList<>(), memMips = new ArrayList<>(), seabios = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        State(CpuEngine e, long n) { engine = e; Arrays.fill(iters, n); }

        void loops(CpuBenchImage image, Path dir, boolean calibrate, double minSeconds) throws IOException, InterruptedException {
            CpuEngine.LoopRun zero = engine.runSector(image.patched(0, 0), dir);
            if (!zero.ok()) { failures.add("0-iteration run: " + zero.failure()); return; }
            List<long[]> samples = new ArrayList<>(); // {loop, iterations, nanos of the run}
            for (Loop loop : Loop.values()) {
                int i = loop.ordinal(), insns = loop == Loop.INTEGER ? image.intInsns() : image.memInsns();
                for (int attempt = 0; ; attempt++) {
                    long n = iters[i];
                    CpuEngine.LoopRun r = engine.runSector(loop == Loop.INTEGER ? image.patched(n, 0) : image.patched(0, n), dir);
                    if (!r.ok()) { failures.add(label(loop) + " run: " + r.failure()); break; }
                    String p = countProblem(zero, r, n, insns);
                    if (p != null) { failures.add(label(loop) + ": " + p); break; }
                    double dt = r.seconds() - zero.seconds();
                    if (calibrate && attempt < 4 && dt < minSeconds && n < MAX_ITERS) {
                        iters[i] = Math.min(MAX_ITERS, (long) (n * Math.min(100, 1.3 * minSeconds / Math.max(dt, 0.02))));
                        continue;
                    }
                    samples.add(new long[] {i, n, (long) (r.seconds() * 1e9)});
                    break;
                }
            }
            // Start-up noise only adds time: the smaller of a 0-iteration run before and one after the loops.
            CpuEngine.LoopRun after = engine.runSector(image.patched(0, 0), dir);
            double start = after.ok() ? Math.min(zero.seconds(), after.seconds()) : zero.seconds();
            for (long[] x : samples) {
                Loop loop = Loop.values()[(int) x[0]];
                double dt = x[2] / 1e9 - start;
                if (dt <= 0) { failures.add(label(loop) + ": the loop run took no longer than the 0-iteration run"); continue; }
                (loop == Loop.INTEGER ? intMips : memMips).add(mips(x[1], loop == Loop.INTEGER ? image.intInsns() : image.memInsns(), dt));
            }
        }

        void seabios(Path bios, Path exitRom, Path dir) throws IOException, InterruptedException {
            CpuEngine.LoopRun base = engine.baselineRun(exitRom, dir);
            if (!base.ok()) { failures.add("start-up baseline: " + base.failure()); return; }
            CpuEngine.LoopRun r = engine.seabiosRun(bios, dir);
            if (!r.ok()) { failures.add(r.failure()); return; }
            seabios.add(Math.max(0, r.seconds() - base.seconds()));
        }

        Row row() {
            return new Row(engine.name(), engine.missing(), median(intMips), median(memMips), median(seabios), iters[0], iters[1],
                    List.copyOf(failures));
        }

        private static String label(Loop l) { return l == Loop.INTEGER ? "integer loop" : "load/store loop"; }
    }
}
