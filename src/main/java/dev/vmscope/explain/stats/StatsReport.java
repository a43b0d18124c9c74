package dev.vmscope.explain.stats;

import dev.vmscope.util.Json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders {@link TraceStats} as structured data (for --json) and as a text table; both carry the same facts. */
public final class StatsReport {
    private static final int TOP = 10;

    private StatsReport() {}

    public static Map<String, Object> toMap(TraceStats st, TraceScanner sc) {
        Map<String, Object> m = Json.obj();
        m.put("format", st.vmscopeLines == 0 ? "kvm-tracepoints" : st.vmscopeLines == sc.eventLines() ? "vmscope-trace" : "mixed");
        m.put("lines", sc.lines());
        m.put("event_lines", sc.eventLines());
        m.put("unrecognized_lines", sc.badLines());
        m.put("exits", st.exits);
        m.put("entries", st.entries);
        m.put("exits_without_entry", st.unmatchedExits);
        m.put("span_ns", st.firstTs == Long.MIN_VALUE ? 0 : st.lastTs - st.firstTs);
        // Integer timestamps (trace-cmd -C counter / x86-tsc) have no unit vmscope can know: every *_ns value is ticks.
        m.put("time_unit", st.tickClock ? "ticks" : "ns");
        m.put("vendor_hint", vendorHint(st));
        long totalTime = st.latency.sum();
        List<Object> reasons = new ArrayList<>();
        for (int r : byCount(st.reasonCount, st.reasons.size())) {
            Map<String, Object> o = Json.obj();
            o.put("reason", st.reasons.name(r));
            o.put("count", st.reasonCount[r]);
            o.put("count_pct", pct(st.reasonCount[r], st.exits));
            o.put("time_ns", st.reasonTime[r]);
            o.put("time_pct", pct(st.reasonTime[r], totalTime));
            o.put("latency_ns", latency(st.reasonHist[r]));
            reasons.add(o);
        }
        m.put("reasons", reasons);
        List<Object> vcpus = new ArrayList<>();
        for (int v = 0; v < st.vcpus; v++) {
            Map<String, Object> o = Json.obj();
            o.put(st.vcpuByThread[v] ? "thread" : "vcpu", st.vcpuKey[v]);
            o.put("exits", st.vcpuExits[v]);
            o.put("exits_pct", pct(st.vcpuExits[v], st.exits));
            o.put("time_ns", st.vcpuTime[v]);
            o.put("time_pct", pct(st.vcpuTime[v], totalTime));
            vcpus.add(o);
        }
        m.put("vcpus", vcpus);
        m.put("latency_ns", latency(st.latency));
        m.put("events", counts(st.events, st.eventCount));
        m.put("injected_exceptions", counts(st.exceptions, st.exceptionCount));
        m.put("apic_registers", counts(st.apicRegs, st.apicCount));
        m.put("top_cpuid_leaves", top(st.cpuid, "leaf", false));
        m.put("top_ports", top(st.ports, "port", true));
        m.put("top_mmio", top(st.mmio, "gpa", false));
        m.put("top_msrs", top(st.msrs, "msr", true));
        m.put("top_rips", top(st.rips, "rip", false));
        return m;
    }

    /** kvm_exit reason names are upper case for VMX and lower case for SVM (arch/x86/include/uapi/asm/{vmx,svm}.h). */
    static String vendorHint(TraceStats st) {
        if (st.vmxNames > st.svmNames) return "intel";
        if (st.svmNames > st.vmxNames) return "amd";
        return "unknown";
    }

    private static Map<String, Object> latency(LatencyHistogram h) {
        Map<String, Object> o = Json.obj();
        o.put("samples", h == null ? 0 : h.count());
        if (h == null || h.count() == 0) return o;
        o.put("min", h.min());
        o.put("mean", Math.round(h.mean()));
        o.put("p50", h.percentile(0.50));
        o.put("p99", h.percentile(0.99));
        o.put("max", h.max());
        return o;
    }

    private static List<Object> counts(NameTable names, long[] counts) {
        List<Object> out = new ArrayList<>();
        for (int i : byCount(counts, names.size())) {
            Map<String, Object> o = Json.obj();
            o.put("name", names.name(i));
            o.put("count", counts[i]);
            out.add(o);
        }
        return out;
    }

    private static List<Object> top(LongCounter c, String key, boolean rw) {
        List<Object> out = new ArrayList<>();
        long total = c.total();
        for (LongCounter.Entry e : c.top(TOP)) {
            Map<String, Object> o = Json.obj();
            long k = rw ? e.key() & 0xffffffffL : e.key();
            o.put(key, "0x" + Long.toHexString(k));
            if (rw) o.put("access", (e.key() >>> 32) != 0 ? "write" : "read");
            o.put("count", e.count());
            o.put("pct", pct(e.count(), total));
            out.add(o);
        }
        return out;
    }

    private static List<Integer> byCount(long[] counts, int n) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n && i < counts.length; i++) if (counts[i] > 0) ids.add(i);
        ids.sort(Comparator.comparingLong((Integer i) -> counts[i]).reversed().thenComparing(i -> i));
        return ids;
    }

    static double pct(long part, long whole) {
        return whole == 0 ? 0 : Math.round(part * 10000.0 / whole) / 100.0;
    }

    /** Text rendering of {@link #toMap}. */
    @SuppressWarnings("unchecked")
    public static String text(String file, Map<String, Object> m) {
        ticks = "ticks".equals(m.get("time_unit"));
        StringBuilder sb = new StringBuilder();
        boolean vmscope = !"kvm-tracepoints".equals(m.get("format"));
        sb.append(vmscope ? "vmscope trace statistics for " : "KVM trace statistics for ").append(file).append('\n');
        sb.append(String.format(Locale.ROOT, "  %d lines, %d events, %d exits, %d entries, span %s, vendor hint: %s%n",
                m.get("lines"), m.get("event_lines"), m.get("exits"), m.get("entries"), dur((Long) m.get("span_ns")),
                m.get("vendor_hint")));
        if (vmscope) {
            sb.append("  (source: vmscope run --trace lines, dev.vmscope.vcpu.ExitTrace: the userspace exits vmscope handled;"
                    + " they carry no exit-to-entry time, so latency columns are empty: the exit summary and --stats-json"
                    + " have the time)\n");
        }
        if (ticks) {
            sb.append("  (integer timestamps: trace-cmd's counter or x86-tsc clock; times are clock ticks ('t'), not seconds)\n");
        }
        if (!"vmscope-trace".equals(m.get("format"))) {
            sb.append("  (source: TP_printk formats in linux arch/x86/kvm/trace.h; latency = kvm_exit to next kvm_entry of"
                    + " the same vCPU)\n");
        }
        sb.append(String.format(Locale.ROOT, "%n  %-28s %10s %7s %7s %9s %9s %9s %9s %9s%n", "exit reason", "count",
                "count%", "time%", "min", "mean", "p50", "p99", "max"));
        for (Object o : (List<Object>) m.get("reasons")) {
            Map<String, Object> r = (Map<String, Object>) o;
            Map<String, Object> l = (Map<String, Object>) r.get("latency_ns");
            sb.append(String.format(Locale.ROOT, "  %-28s %10d %6.2f%% %6.2f%% %s%n", r.get("reason"), r.get("count"),
                    r.get("count_pct"), r.get("time_pct"), latencyCols(l)));
        }
        sb.append(String.format(Locale.ROOT, "  %-28s %10s %7s %7s %s%n", "all exits", m.get("exits"), "", "",
                latencyCols((Map<String, Object>) m.get("latency_ns"))));
        sb.append("\n  per vCPU:\n");
        for (Object o : (List<Object>) m.get("vcpus")) {
            Map<String, Object> v = (Map<String, Object>) o;
            String who = v.containsKey("vcpu") ? "vcpu " + v.get("vcpu") : "thread " + v.get("thread");
            if ("vmscope-trace".equals(m.get("format"))) {
                sb.append(String.format(Locale.ROOT, "    %-16s %10d exits (%6.2f%%)%n", who, v.get("exits"), v.get("exits_pct")));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "    %-16s %10d exits (%6.2f%%), %s handling (%6.2f%%)%n", who,
                    v.get("exits"), v.get("exits_pct"), dur((Long) v.get("time_ns")), v.get("time_pct")));
        }
        topText(sb, vmscope ? "top I/O ports (kvm_pio, io exits)" : "top I/O ports (kvm_pio)", (List<Object>) m.get("top_ports"), "port");
        topText(sb, vmscope ? "top MMIO addresses (kvm_mmio, mmio exits)" : "top MMIO addresses (kvm_mmio)",
                (List<Object>) m.get("top_mmio"), "gpa");
        topText(sb, "top MSRs (kvm_msr)", (List<Object>) m.get("top_msrs"), "msr");
        topText(sb, "top exit RIPs (kvm_exit, guest-virtual)", (List<Object>) m.get("top_rips"), "rip");
        topText(sb, "top CPUID leaves (kvm_cpuid)", (List<Object>) m.get("top_cpuid_leaves"), "leaf");
        namedText(sb, "APIC register accesses (kvm_apic)", (List<Object>) m.get("apic_registers"));
        namedText(sb, "injected exceptions (kvm_inj_exception)", (List<Object>) m.get("injected_exceptions"));
        namedText(sb, "events", (List<Object>) m.get("events"));
        return sb.toString();
    }

    private static void namedText(StringBuilder sb, String title, List<Object> rows) {
        if (rows.isEmpty()) return;
        sb.append("\n  ").append(title).append(":\n");
        for (Object o : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Object> x = (Map<String, Object>) o;
            sb.append(String.format(Locale.ROOT, "    %-20s %10d%n", x.get("name"), x.get("count")));
        }
    }

    private static void topText(StringBuilder sb, String title, List<Object> rows, String key) {
        if (rows.isEmpty()) return;
        sb.append("\n  ").append(title).append(":\n");
        for (Object o : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) o;
            String acc = r.containsKey("access") ? " " + r.get("access") : "";
            sb.append(String.format(Locale.ROOT, "    %-20s %10d (%6.2f%%)%n", r.get(key) + acc, r.get("count"),
                    r.get("pct")));
        }
    }

    private static String latencyCols(Map<String, Object> l) {
        if (((Number) l.get("samples")).longValue() == 0) return String.format("%9s", "-");
        return String.format(Locale.ROOT, "%9s %9s %9s %9s %9s", dur((Long) l.get("min")), dur((Long) l.get("mean")),
                dur((Long) l.get("p50")), dur((Long) l.get("p99")), dur((Long) l.get("max")));
    }

    /** Set per rendering by {@link #text}: times are clock ticks. Rendering is single-threaded. */
    private static boolean ticks;

    static String dur(long ns) {
        if (ticks) return ns + "t";
        if (ns < 10_000) return ns + "ns";
        if (ns < 10_000_000) return String.format(Locale.ROOT, "%.1fus", ns / 1e3);
        if (ns < 10_000_000_000L) return String.format(Locale.ROOT, "%.1fms", ns / 1e6);
        return String.format(Locale.ROOT, "%.1fs", ns / 1e9);
    }
}
