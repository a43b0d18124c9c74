package dev.vmscope.vcpu;

import dev.vmscope.util.Json;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The exit summary table printed when a VM stops, and the same as JSON for --stats-json. */
public final class ExitSummary {
    private ExitSummary() {}

    /** A bus's accesses nothing claimed and the exceptions of its devices (each device's first is also reported at once). */
    public record BusCounters(String bus, long unclaimedReads, long unclaimedWrites, Map<String, Long> faultsByDevice) {
        boolean any() { return unclaimedReads + unclaimedWrites > 0 || !faultsByDevice.isEmpty(); }

        Map<String, Object> toJson() {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("bus", bus);
            o.put("unclaimed_reads", unclaimedReads);
            o.put("unclaimed_writes", unclaimedWrites);
            o.put("device_faults", new LinkedHashMap<>(faultsByDevice));
            return o;
        }
    }

    public static void print(PrintStream out, List<ExitStats> all, long wallNanos) { print(out, all, wallNanos, List.of()); }

    public static void print(PrintStream out, List<ExitStats> all, long wallNanos, List<BusCounters> buses) {
        long total = 0;
        for (ExitStats s : all) total += s.total();
        out.printf("exit summary: %d exits on %d vCPU(s) in %.1f ms%n", total, all.size(), wallNanos / 1e6);
        table(out, "exit reason", merge(all, ExitStats::reasons), total);
        Map<String, ExitStats.Counter> ports = merge(all, ExitStats::ports);
        if (!ports.isEmpty()) table(out, "port", ports, total);
        Map<String, ExitStats.Counter> mmio = merge(all, ExitStats::mmio);
        if (!mmio.isEmpty()) table(out, "mmio device", mmio, total);
        Map<String, ExitStats.Counter> ipis = merge(all, ExitStats::ipis);
        if (!ipis.isEmpty()) table(out, "ipi (delivery mode)", ipis, total);
        kernel(out, all, total);
        instructions(out, all, wallNanos);
        for (BusCounters b : buses) {
            if (!b.any()) continue;
            out.printf("  %s: %d unclaimed reads, %d unclaimed writes%s%n", b.bus(), b.unclaimedReads(), b.unclaimedWrites(),
                    b.faultsByDevice().isEmpty() ? "" : "; device faults " + b.faultsByDevice());
        }
        if (all.size() > 1) {
            out.printf("  %-26s %10s%n", "per vCPU", "exits");
            for (ExitStats s : all) out.printf("  %-26s %10d%n", "vcpu" + s.vcpu(), s.total());
        }
    }

    /** Rows shown per table; the rest are folded into one line (--stats-json keeps them all). */
    static final int MAX_ROWS = 16;

    private static void table(PrintStream out, String title, Map<String, ExitStats.Counter> rows, long total) {
        out.printf("  %-26s %10s %7s %12s %12s%n", title, "count", "share", "guest ms", "handle us/op");
        var sorted = rows.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().count, a.getValue().count)).toList();
        sorted.stream().limit(MAX_ROWS)
                .forEach(e -> {
                    ExitStats.Counter c = e.getValue();
                    out.printf("  %-26s %10d %6.1f%% %12.3f %12.2f%n", e.getKey(), c.count,
                            total == 0 ? 0.0 : 100.0 * c.count / total, c.guestNanos / 1e6,
                            c.count == 0 ? 0.0 : c.handleNanos / 1e3 / c.count);
                });
        if (sorted.size() > MAX_ROWS) {
            long rest = sorted.subList(MAX_ROWS, sorted.size()).stream().mapToLong(e -> e.getValue().count).sum();
            out.printf("  %-26s %10d %6.1f%%%n", "(" + (sorted.size() - MAX_ROWS) + " more)", rest,
                    total == 0 ? 0.0 : 100.0 * rest / total);
        }
    }

    /** Counters KVM_GET_STATS_FD reports, to show the exits KVM handled without coming to userspace. */
    static final String[] KERNEL_COUNTERS = {"halt_exits", "io_exits", "mmio_exits", "irq_exits", "irq_window_exits",
            "nmi_window_exits", "signal_exits", "request_irq_exits", "insn_emulation", "insn_emulation_fail",
            "hypercalls", "irq_injections", "nmi_injections", "halt_wakeup"};

    private static void kernel(PrintStream out, List<ExitStats> all, long userspace) {
        Map<String, Long> sum = new TreeMap<>();
        for (ExitStats s : all) s.kernelCounters().forEach((k, v) -> sum.merge(k, v, Long::sum));
        Long exits = sum.get("exits");
        if (exits == null) return;
        out.printf("  in KVM (KVM_GET_STATS_FD): %d exits, %d of them handled in the kernel without reaching vmscope%n",
                exits, Math.max(0, exits - userspace));
        StringBuilder sb = new StringBuilder();
        for (String k : KERNEL_COUNTERS) {
            Long v = sum.get(k);
            if (v != null && v != 0) sb.append(sb.length() == 0 ? "    " : ", ").append(k).append(' ').append(v);
        }
        if (sb.length() > 0) out.println(sb);
    }

    /** The software CPU counts retired instructions: per vCPU, with MIPS over the run's wall time. */
    private static void instructions(PrintStream out, List<ExitStats> all, long wallNanos) {
        if (all.stream().noneMatch(s -> s.kernelCounters().containsKey("instructions"))) return;
        long sum = 0;
        StringBuilder sb = new StringBuilder();
        for (ExitStats s : all) {
            long n = s.kernelCounters().getOrDefault("instructions", 0L);
            sum += n;
            sb.append(String.format("%s vcpu%d %d (%.1f MIPS)", sb.length() == 0 ? "" : ",", s.vcpu(), n, mips(n, wallNanos)));
        }
        out.printf("  instructions: %d (%.1f MIPS) %s%n", sum, mips(sum, wallNanos), all.size() > 1 ? "=" + sb : "");
    }

    private static double mips(long n, long nanos) { return nanos <= 0 ? 0 : n * 1e3 / nanos; }

    interface Pick { Map<String, ExitStats.Counter> of(ExitStats s); }

    private static Map<String, ExitStats.Counter> merge(List<ExitStats> all, Pick pick) {
        Map<String, ExitStats.Counter> m = new TreeMap<>();
        for (ExitStats s : all) {
            for (Map.Entry<String, ExitStats.Counter> e : pick.of(s).entrySet()) {
                ExitStats.Counter t = m.computeIfAbsent(e.getKey(), k -> new ExitStats.Counter());
                t.count += e.getValue().count;
                t.guestNanos += e.getValue().guestNanos;
                t.handleNanos += e.getValue().handleNanos;
            }
        }
        return m;
    }

    public static Map<String, Object> json(List<ExitStats> all, long wallNanos, int status, String stopReason) {
        return json(all, wallNanos, status, stopReason, List.of());
    }

    public static Map<String, Object> json(List<ExitStats> all, long wallNanos, int status, String stopReason,
                                           List<BusCounters> buses) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("format", "vmscope-stats-v1");
        o.put("status", status);
        o.put("stop_reason", stopReason);
        o.put("wall_ns", wallNanos);
        List<Object> v = new ArrayList<>();
        for (ExitStats s : all) v.add(s.toJson());
        o.put("vcpus", v);
        List<Object> b = new ArrayList<>();
        for (BusCounters c : buses) b.add(c.toJson());
        o.put("buses", b);
        return o;
    }

    public static String jsonText(List<ExitStats> all, long wallNanos, int status, String stopReason) {
        return Json.write(json(all, wallNanos, status, stopReason));
    }

    public static String jsonText(List<ExitStats> all, long wallNanos, int status, String stopReason, List<BusCounters> buses) {
        return Json.write(json(all, wallNanos, status, stopReason, buses));
    }
}
