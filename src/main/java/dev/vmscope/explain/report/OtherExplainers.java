package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.BhyveExitDump;
import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.parse.KvmTraceDump;
import dev.vmscope.explain.parse.PerfKvmStatDump;
import dev.vmscope.explain.parse.QemuDump;
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
        ExitExplainer.bhyveExits(d.exits(), d.vendor(), r);
        ExitExplainer.messages(d.messages(), r);
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
    }

    /** Appends " - meaning" when the trace's symbolic reason matches a table entry (VMX: EXIT_REASON_x, SVM: SVM_EXIT_x). */
    private static String kvmReasonMeaning(String name, Vendor v) {
        Optional<ExitCodeInfo> e = v == Vendor.AMD ? Knowledge.svmByName("SVM_EXIT_" + name.toUpperCase(Locale.ROOT))
                : v == Vendor.INTEL ? Knowledge.vmxByName("EXIT_REASON_" + name) : Optional.empty();
        return e.map(x -> " - " + x.meaning()).orElse("");
    }

    /** KVM's handler for a trace/perf reason name (VMX: EXIT_REASON_x, SVM: SVM_EXIT_x), when the tables know it. */
    private static void kvmHandling(String name, Vendor v, Report.Builder r, String section, int line) {
        Optional<ExitCodeInfo> e = v == Vendor.AMD ? Knowledge.svmByName("SVM_EXIT_" + name.toUpperCase(Locale.ROOT))
                : v == Vendor.INTEL ? Knowledge.vmxByName("EXIT_REASON_" + name) : Optional.empty();
        e.ifPresent(x -> ExitExplainer.handling(Format.Hypervisor.KVM, v, x.name(), line, r, section));
    }

    static void perf(PerfKvmStatDump d, Report.Builder r) {
        String kind = d.eventKind() == null ? "event" : d.eventKind();
        for (PerfKvmStatDump.Row row : d.rows()) {
            Map<String, Object> data = Json.obj();
            data.put("event", row.event());
            data.put("samples", row.samples());
            data.put("samples_pct", row.samplesPct());
            data.put("time_pct", row.timePct());
            data.put("avg_us", row.avgUs());
            String meaning = kind.equals("VM-EXIT") ? kvmReasonMeaning(row.event(), d.vendor()) : "";
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

    static void qemu(QemuDump d, Report.Builder r) {
        if (d.suberror() != null) {
            Optional<ExitCodeInfo> e = Knowledge.kvmInternalError(d.suberror());
            r.fact("Exit", "KVM internal error, suberror " + d.suberror() + e.map(x -> ": " + x.name() + " - "
                    + x.meaning()).orElse(" (unknown suberror)"), e.map(ExitCodeInfo::source).orElse(Sources.LINUX_KVM)
                    + "; " + Cite.QEMU_KVM, 0);
            e.ifPresent(x -> r.fact("Exit", "typical cause: " + x.typicalCause(), x.source(), 0));
            for (int i = 0; i < d.extraData().size(); i++) {
                r.fact("Exit", "extra data[" + i + "] = 0x" + Long.toHexString(d.extraData().get(i)), Cite.QEMU_KVM, 0);
            }
        }
        if (d.hardwareError() != null) {
            long hw = d.hardwareError();
            r.fact("Exit", "KVM_EXIT_FAIL_ENTRY, hardware error 0x" + Long.toHexString(hw) + ": a VMX exit reason;"
                    + ((hw & 0x80000000L) != 0 ? " bit 31 set = VM-entry failure;" : ""), Cite.QEMU_I386_KVM + "; "
                    + Sources.SDM_EXIT, 0);
            ExitExplainer.hardwareExit(Format.Hypervisor.KVM, Vendor.INTEL, hw & 0xffff, "basic exit reason", 0, r, "Exit");
        }
        Map<String, Long> g = d.registers();
        reg(r, g, "RFL", Knowledge::rflags);
        reg(r, g, "EFL", Knowledge::rflags);
        reg(r, g, "CR0", Knowledge::cr0);
        reg(r, g, "CR4", Knowledge::cr4);
        reg(r, g, "EFER", Knowledge::efer);
        Long rip = g.containsKey("RIP") ? g.get("RIP") : g.get("EIP");
        if (rip != null) {
            boolean paging = g.containsKey("CR0") && (g.get("CR0") & 0x80000000L) != 0;
            r.fact("Registers", "RIP 0x" + Long.toHexString(rip) + (paging ? " is guest-virtual (CR0.PG=1): a page"
                    + " walk from CR3 0x" + Long.toHexString(g.getOrDefault("CR3", 0L)) + " is needed to find its"
                    + " guest-physical address" : " (paging off: CS.base + RIP is guest-physical)"), Cite.PAGING, 0);
        }
        for (QemuDump.Segment s : d.segments()) {
            r.fact("Registers", String.format("%s selector 0x%04x base 0x%x limit 0x%x flags 0x%08x %s", s.name(),
                    s.selector(), s.base(), s.limit(), s.flags(), s.decoded()), Cite.QEMU_DUMP, s.line());
        }
        if (d.code() != null) {
            r.fact("Registers", "code bytes around RIP (the <..> byte is at RIP): " + d.code(), Cite.QEMU_DUMP, 0);
        }
    }

    private static void reg(Report.Builder r, Map<String, Long> g, String name, java.util.function.LongFunction<Decoded> f) {
        Long v = g.get(name);
        if (v == null) return;
        Decoded d = f.apply(v);
        r.fact("Registers", name + " 0x" + Long.toHexString(v) + ": set " + Bits.setBits(d), d.source(), 0, Bits.data(d));
    }
}
