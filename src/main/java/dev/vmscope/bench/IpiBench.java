package dev.vmscope.bench;

import dev.vmscope.machine.BuiltinGuests;
import dev.vmscope.machine.Machine;
import dev.vmscope.machine.MachineBuilder;
import dev.vmscope.machine.MachineConfig;
import dev.vmscope.machine.MachineConfig.IrqchipMode;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * IPI and EOI cost (guests/ipi_bench.S on 2 vCPUs) with KVM's in-kernel local APIC and with vmscope's
 * Java one: cycles per ICR write (send only), per EOI write, per self-IPI round trip and per IPI to the
 * other vCPU and back. The guest runs in ring 0, which some hosts' KVM emulates instruction by
 * instruction; the numbers are reported as measured either way.
 */
public final class IpiBench {
    private IpiBench() {}

    /** One irqchip mode's results and the guest TSC frequency (0 if KVM would not say). */
    public record Run(IrqchipMode mode, BenchResults results, long tscKhz, String stopMessage) {}

    public static String append(int iters, int repeats) { return "cpus=2 iters=" + iters + " reps=" + repeats; }

    public static Run run(IrqchipMode mode, int iters, int repeats, PrintStream diag) throws InterruptedException {
        MachineConfig d = MachineConfig.defaults();
        MachineConfig cfg = new MachineConfig(64L << 20, 2, mode, BuiltinGuests.extract("ipi_bench"), append(iters, repeats),
                List.of(), null, false, 600_000, null, false, d.debug(), null);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Machine m = MachineBuilder.build(cfg, console, OutputStream.nullOutputStream(), diag);
        long khz = 0;
        try {
            m.run();
            try { khz = m.vcpus().get(0).cpu().tscHz() / 1000; } catch (RuntimeException e) { khz = 0; }
        } finally {
            m.close();
        }
        return new Run(mode, BenchResults.parse(console.toString(StandardCharsets.ISO_8859_1)), khz, m.stopMessage());
    }

    /** Runs both modes and prints the table. Returns false when a mode reported nothing. */
    public static boolean print(int iters, int repeats, PrintStream out, PrintStream diag) throws InterruptedException {
        Run kernel = run(IrqchipMode.KERNEL, iters, repeats, diag);
        Run user = run(IrqchipMode.USER, iters, repeats, diag);
        out.printf("IPI and EOI cost, median of %d repeats x %d iterations, guest TSC cycles (and us at the guest TSC rate)%n",
                repeats, iters);
        out.println("  note: the guest runs in ring 0; where KVM emulates ring-0 code these include that emulation");
        out.printf("  %-12s %14s %10s %14s %10s%n", "operation", "kernel cycles", "kernel us", "user cycles", "user us");
        for (String op : List.of("ipi-send", "eoi", "self-ipi", "remote-ipi")) {
            BenchResults.Summary k = kernel.results().get(op), u = user.results().get(op);
            out.printf("  %-12s %14s %10s %14s %10s%n", op, cycles(k), micros(k, kernel.tscKhz()), cycles(u), micros(u, user.tscKhz()));
        }
        for (Run r : List.of(kernel, user))
            if (r.results().isEmpty()) diag.println("vmscope: ipi bench (" + r.mode().name().toLowerCase() + "): no results; " + r.stopMessage());
        return !kernel.results().isEmpty() && !user.results().isEmpty();
    }

    private static String cycles(BenchResults.Summary s) { return s == null ? "-" : Long.toString(s.median()); }

    private static String micros(BenchResults.Summary s, long khz) {
        return s == null || khz <= 0 ? "-" : String.format("%.2f", s.median() * 1000.0 / khz);
    }
}
