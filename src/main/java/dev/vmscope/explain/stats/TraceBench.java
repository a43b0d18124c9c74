package dev.vmscope.explain.stats;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

/**
 * Throughput benchmark for {@link TraceScanner}: generates synthetic trace-cmd style text in memory (exit/entry
 * pairs on 4 vCPUs plus pio, mmio and msr events, fields as in linux arch/x86/kvm/trace.h) and times one scan.
 */
public final class TraceBench {
    private TraceBench() {}

    /** The largest block generated in memory. */
    static final int BLOCK_MB = 64;

    public record Result(long bytes, long lines, double seconds, double mbPerSecond, TraceStats stats) {}

    private static final String[] REASONS = {"EXTERNAL_INTERRUPT", "MSR_WRITE", "EPT_MISCONFIG", "HLT", "IO_INSTRUCTION",
            "EPT_VIOLATION", "PREEMPTION_TIMER", "CPUID", "PAUSE_INSTRUCTION", "APIC_WRITE"};

    /** Synthetic trace text of about {@code mb} MiB, deterministic for a given size. */
    public static byte[] generate(int mb) {
        long target = (long) mb << 20;
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, target + 4096));
        Random rnd = new Random(42);
        StringBuilder sb = new StringBuilder(512);
        long ts = 1_000_000_000L; // microseconds
        while (out.size() < target) {
            sb.setLength(0);
            int vcpu = rnd.nextInt(4);
            String comm = "CPU " + vcpu + "/KVM-" + (4321 + vcpu);
            String reason = REASONS[Math.min(REASONS.length - 1, (int) Math.abs(rnd.nextGaussian() * 3))];
            long rip = 0xffffffff81000000L + rnd.nextInt(4096) * 16L;
            line(sb, comm, vcpu, ts, "kvm_exit", String.format(Locale.ROOT, "vcpu %d reason %s rip 0x%x info1"
                    + " 0x0000000000000000 info2 0x0000000000000000 intr_info 0x800000ec error_code 0x00000000",
                    vcpu, reason, rip));
            ts += 1;
            switch (reason) {
                case "IO_INSTRUCTION" -> line(sb, comm, vcpu, ts, "kvm_pio", String.format(Locale.ROOT,
                        "pio_write at 0x%x size 1 count 1 val 0x%x ", 0x3f8 + rnd.nextInt(8), rnd.nextInt(256)));
                case "MSR_WRITE" -> line(sb, comm, vcpu, ts, "kvm_msr", String.format(Locale.ROOT,
                        "msr_write %x = 0x%x", rnd.nextBoolean() ? 0x6e0 : 0x830, rnd.nextLong() >>> 20));
                case "EPT_MISCONFIG" -> line(sb, comm, vcpu, ts, "kvm_mmio", String.format(Locale.ROOT,
                        "mmio write len 4 gpa 0x%x val 0x%x", 0xfebd0000L + rnd.nextInt(16) * 4, rnd.nextInt()));
                default -> { }
            }
            ts += 1 + rnd.nextInt(20);
            line(sb, comm, vcpu, ts, "kvm_entry", String.format(Locale.ROOT, "vcpu %d, rip 0x%x", vcpu, rip));
            ts += 1 + rnd.nextInt(50);
            out.writeBytes(sb.toString().getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static void line(StringBuilder sb, String comm, int cpu, long tsUs, String event, String payload) {
        sb.append(String.format(Locale.ROOT, "%16s [%03d] %d.%06d: %-20s %s%n", comm, cpu, tsUs / 1_000_000,
                tsUs % 1_000_000, event + ":", payload));
    }

    /**
     * Generates {@code mb} MiB and times {@code runs} full scans after one warm-up scan (so the JIT has compiled the
     * scanner); returns the fastest run, the usual way to report throughput on a shared machine.
     */
    public static Result run(int mb, int runs) { return run(mb, runs, BLOCK_MB); }

    /** Sizes above one block scan the same block again: memory stays at {@code blockMb} whatever the size asked. */
    static Result run(int mb, int runs, int blockMb) {
        byte[] data = generate(Math.min(mb, blockMb));
        int times = Math.max(1, (int) (((long) mb + blockMb - 1) / blockMb));
        new TraceScanner(new TraceStats()).scan(data);
        Result best = null;
        for (int i = 0; i < Math.max(1, runs); i++) {
            TraceStats st = new TraceStats();
            TraceScanner sc = new TraceScanner(st);
            long t0 = System.nanoTime();
            for (int k = 0; k < times; k++) sc.scan(data);
            double s = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            long bytes = (long) data.length * times;
            Result r = new Result(bytes, sc.lines(), s, bytes / 1048576.0 / s, st);
            if (best == null || r.seconds() < best.seconds()) best = r;
        }
        return best;
    }
}
