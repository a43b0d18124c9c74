package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.BhyveExitDump;
import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.parse.KvmTraceDump;
import dev.vmscope.explain.parse.PerfKvmStatDump;
import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.Sources;
import dev.vmscope.util.Json;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Explainers for the smaller formats: bhyve exit messages, KVM traces, perf kvm stat and QEMU dumps. */
final class OtherExplainers {
    private OtherExplainers() {}

    static void bhyveExit(BhyveExitDump d, Report.Builder r) {
        java.util.EnumSet<NextStep> steps = java.util.EnumSet.noneOf(NextStep.class);
        ExitExplainer.bhyveExits(d.exits(), d.vendor(), r, steps);
        ExitExplainer.messages(d.messages(), r, steps);
    }

    @SuppressWarnings("unchecked")
    static void kvmTrace(KvmTraceDump d, Report.Builder r) {
        Map<String, Object> m = d.stats();
        r.fact("Trace", String.format(Locale.ROOT, "%s events, %s exits, %s entries; exit-to-entry latency is"
                + " measured per vCPU (kvm_exit to the next kvm_entry)", m.get("event_lines"), m.get("exits"),
                m.get("entries")), Cite.KVM_TRACE, 0, m);
        for (Object o : (List<Object>) m.get("reasons")) {
            Map<String, Object> x = (Map<String, Object>) o;
            String name = (String) x.get("reason");
            Map<String, Object> lat = (Map<String, Object>) x.get("latency_ns");
            String known = kvmReasonMeaning(name, d.vendor());
            r.fact("Exit reasons", String.format(Locale.ROOT, "%s: %s exits (%s%% of exits, %s%% of handling time,"
                    + " p50 %sns, p99 %sns)%s", name, x.get("count"), x.get("count_pct"), x.get("time_pct"),
                    lat.getOrDefault("p50", "-"), lat.getOrDefault("p99", "-"), known),
                    Cite.KVM_TRACE + " (kvm_exit)" + (known.isEmpty() ? "" : "; " + (d.vendor() == Vendor.AMD
                            ? Sources.LINUX_SVM : Sources.LINUX_VMX)), 0, x);
            kvmHandling(name, d.vendor(), r, "Exit reasons", 0);
        }
        for (String k : List.of("top_ports", "top_mmio", "top_msrs", "top_rips")) {
            for (Object o : (List<Object>) m.get(k)) {
                Map<String, Object> x = (Map<String, Object>) o;
                String name = "", src = Cite.KVM_TRACE;
                if (x.containsKey("port")) {
                    var p = Knowledge.port(Long.decode((String) x.get("port")));
                    name = p.map(v -> " (" + v.name() + ": " + v.meaning() + ")").orElse("");
                    src += p.map(v -> "; " + v.source()).orElse("");
                } else if (x.containsKey("msr")) {
                    var p = Knowledge.msr(Long.decode((String) x.get("msr")));
                    name = p.map(v -> " (" + v.name() + ": " + v.meaning() + ")").orElse("");
                    src += p.map(v -> "; " + v.source()).orElse("");
                }
                r.fact("Hot spots", k.substring(4) + " " + Json.writeCompact(o) + name, src, 0, x);
            }
        }
        new TraceStory(d.story(), r).tell();
    }

    /** Appends " - meaning" when the trace's symbolic reason matches a table entry (VMX: EXIT_REASON_x, SVM: SVM_EXIT_x). */
    private static String kvmReasonMeaning(String name, Vendor v) {
        Optional<ExitCodeInfo> e = v == Vendor.AMD ? Knowledge.svmByName("SVM_EXIT_" + svmName(name))
                : v == Vendor.INTEL ? Knowledge.vmxByName("EXIT_REASON_" + name) : Optional.empty();
        return e.map(x -> " - " + x.meaning()).orElse("");
    }

    /** KVM's handler for a trace/perf reason name (VMX: EXIT_REASON_x, SVM: SVM_EXIT_x), when the tables know it. */
    private static void kvmHandling(String name, Vendor v, Report.Builder r, String section, int line) {
        Optional<ExitCodeInfo> e = v == Vendor.AMD ? Knowledge.svmByName("SVM_EXIT_" + svmName(name))
                : v == Vendor.INTEL ? Knowledge.vmxByName("EXIT_REASON_" + name) : Optional.empty();
        e.ifPresent(x -> ExitExplainer.handling(Format.Hypervisor.KVM, v, x.name(), line, r, section));
    }

    /** "npf" (SVM_EXIT_REASONS) or "EXIT_NPF" (newer kernels print SVM_EXIT_* without the SVM_ prefix) -> "NPF". */
    private static String svmName(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return n.startsWith("EXIT_") ? n.substring(5) : n;
    }

    static void perf(PerfKvmStatDump d, Report.Builder r) {
        String kind = d.eventKind() == null ? "event" : d.eventKind();
        String evidence = switch (d.vendor()) {
            case ARM64 -> "the event names are arm64 exception classes (DABT_LOW, WFx, HVC64...), so this is KVM on arm64";
            case INTEL -> d.isa() != null ? "perf says 'on VMX'" : "upper-case names are perf's VMX_EXIT_REASONS table";
            case AMD -> d.isa() != null ? "perf says 'on SVM'" : "lower-case names are perf's SVM_EXIT_REASONS table";
            case UNKNOWN -> "the table does not settle it";
        };
        if ("VM-EXIT".equals(kind)) r.fact("perf kvm stat", "host: " + d.vendor().label + " (evidence: " + evidence + ")",
                Cite.PERF_KVM + "; " + (d.vendor() == Vendor.ARM64 ? dev.vmscope.facts.Arm64ExitClasses.SOURCE
                : "tools/perf/arch/x86/util/kvm-stat.c"), 0);
        for (long c : d.unknownCodes()) {
            r.fact("perf kvm stat", "exit code " + c + " (0x" + Long.toHexString(c) + ") has no name in perf's " + d.isa()
                    + " table: " + ("VMX".equals(d.isa()) && c > 0xffff ? "it is not a VMX basic exit reason (those fit in"
                    + " bits 15:0); a modified KVM (here: PVM) reports its own codes" : "not a reason perf knows"),
                    Cite.PERF_KVM + " (\"unknown kvm exit code\"); " + Sources.SDM_EXIT, 0);
        }
        for (PerfKvmStatDump.Row row : d.rows()) {
            Map<String, Object> data = Json.obj();
            data.put("event", row.event());
            data.put("samples", row.samples());
            data.put("samples_pct", row.samplesPct());
            data.put("time_pct", row.timePct());
            data.put("avg_us", row.avgUs());
            String meaning = !kind.equals("VM-EXIT") ? "" : d.vendor() == Vendor.ARM64
                    ? dev.vmscope.facts.Arm64ExitClasses.meaning(row.event()).map(x -> " - " + x).orElse("")
                    : kvmReasonMeaning(row.event(), d.vendor());
            r.fact("perf kvm stat", String.format(Locale.ROOT, "%s %s: %d samples (%.2f%%), %.2f%% of handling time,"
                    + " avg %.2fus, min %.2fus, max %.2fus%s", kind, row.event(), row.samples(), row.samplesPct(),
                    row.timePct(), row.avgUs(), row.minUs(), row.maxUs(), meaning), Cite.PERF_KVM, row.line(), data);
            if (kind.equals("VM-EXIT")) kvmHandling(row.event(), d.vendor(), r, "perf kvm stat", row.line());
        }
        if (d.totalSamples() != null) {
            long sum = d.rows().stream().mapToLong(PerfKvmStatDump.Row::samples).sum();
            r.fact("perf kvm stat", "total samples " + d.totalSamples() + (sum == d.totalSamples() ? " (rows add up)"
                    : " (rows add up to " + sum + ": the table was truncated or filtered)"), Cite.PERF_KVM, 0);
        }
    }

}
