package dev.vmscope.bench;

import java.io.PrintStream;
import java.util.List;

/**
 * The software-CPU benchmark's table: one row per engine, and the ratios issue 9 sets as targets (vmscope-emu's
 * MIPS at least Bochs's, its SeaBIOS time at most 3x QEMU TCG's). A cell that was not measured says why in a
 * note under the table; nothing is estimated.
 */
public final class CpuBenchTable {
    private CpuBenchTable() {}

    /** Prints the table; returns true when every engine that could run gave every number asked of it. */
    public static boolean print(List<CpuBench.Row> rows, CpuBenchImage image, CpuBench.Options o, PrintStream out) {
        out.printf("software CPU speed: guests/cpubench.S (integer loop %d instructions/iteration, load/store loop %d),"
                + " median of %d round(s)%n", image.intInsns(), image.memInsns(), o.rounds());
        out.printf("  %-12s %14s %16s %26s %24s%n", "engine", "integer MIPS", "load/store MIPS",
                "SeaBIOS -smp 4 to \"" + CpuEngine.NO_BOOTABLE_DEVICE + "\"", "iterations (int / mem)");
        boolean complete = true;
        StringBuilder notes = new StringBuilder();
        for (CpuBench.Row r : rows) {
            if (r.skipped() != null) {
                out.printf("  %-12s %14s %16s %26s %24s%n", r.engine(), "skipped", "skipped", "skipped", "-");
                notes.append("  ").append(r.engine()).append(": skipped: ").append(r.skipped()).append('\n');
                continue;
            }
            boolean seabiosAsked = o.seabios() != null && !r.engine().equals("bochs");
            out.printf("  %-12s %14s %16s %26s %24s%n", r.engine(), num(r.intMips(), "%.1f"), num(r.memMips(), "%.1f"),
                    seabiosAsked ? num(r.seabiosSeconds(), "%.2f s") : "not measured", r.intIters() + " / " + r.memIters());
            for (String f : r.failures()) notes.append("  ").append(r.engine()).append(": FAILED: ").append(f).append('\n');
            if (!r.failures().isEmpty()) complete = false;
        }
        if (!notes.isEmpty()) out.print(notes);
        CpuBench.Row emu = find(rows, "vmscope-emu"), bochs = find(rows, "bochs"), tcg = find(rows, "qemu-tcg");
        out.println("targets (issue 9):");
        out.printf("  vmscope-emu integer MIPS / Bochs:       %s (target >= 1)%n", ratio(emu == null ? Double.NaN : emu.intMips(), bochs == null ? Double.NaN : bochs.intMips()));
        out.printf("  vmscope-emu load/store MIPS / Bochs:    %s (target >= 1)%n", ratio(emu == null ? Double.NaN : emu.memMips(), bochs == null ? Double.NaN : bochs.memMips()));
        out.printf("  vmscope-emu SeaBIOS time / QEMU TCG's:  %s (target <= 3)%n", ratio(emu == null ? Double.NaN : emu.seabiosSeconds(), tcg == null ? Double.NaN : tcg.seabiosSeconds()));
        return complete;
    }

    private static CpuBench.Row find(List<CpuBench.Row> rows, String engine) {
        for (CpuBench.Row r : rows) if (r.engine().equals(engine) && r.skipped() == null) return r;
        return null;
    }

    static String num(double v, String fmt) { return Double.isNaN(v) ? "failed" : String.format(fmt, v); }

    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "n/a (not measured)" : String.format("%.2fx", a / b);
    }
}
