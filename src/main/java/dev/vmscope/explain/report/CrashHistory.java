package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.VmscopeCrashDump;
import dev.vmscope.util.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The flight recorder's last exits, the exit statistics and the memory map of a crash report. */
final class CrashHistory {
    static final String RECORDER = "Flight recorder", STATS = "Exit statistics", MEMORY = "Memory map", HOST = "Host";
    /** FlightRecorder.Entry.describe() for IO: "IO out port 0x3f8 size 1 data 0x74". */
    private static final Pattern IO = Pattern.compile("IO (in|out) port 0x([0-9a-f]+) size (\\d+) data 0x([0-9a-f]+)");

    private final VmscopeCrashDump d;
    private final Report.Builder r;

    CrashHistory(VmscopeCrashDump d, Report.Builder r) {
        this.d = d;
        this.r = r;
    }

    void explain() {
        host();
        for (VmscopeCrashDump.Recorder rec : d.recorders()) recorder(rec);
        if (d.recorders().isEmpty()) r.fact(RECORDER, "no flight-recorder entries in the report", Cite.CRASH, 0);
        stats();
        for (VmscopeCrashDump.Ram m : d.memory()) {
            r.fact(MEMORY, m.kind().toUpperCase(java.util.Locale.ROOT) + " guest-physical 0x" + Long.toHexString(m.start()) + "-0x" + Long.toHexString(m.end()) + " ("
                    + (m.end() - m.start() + 1) / 1024 + " KiB)", Cite.CRASH + " (memory regions)", m.line());
        }
    }

    /** Where the VM ran: the CPU vendor says whether the host's exits were VMX or SVM ones. */
    private void host() {
        Map<String, String> h = d.host();
        if (h.isEmpty()) return;   // reports written before vmscope recorded the host
        String vendor = h.getOrDefault("cpu_vendor", "unknown");
        String kind = switch (d.hostVendor()) {
            case INTEL -> "Intel VT-x (VMX)";
            case AMD -> "AMD-V (SVM)";
            case ARM64 -> "arm64 virtualization (EL2)";
            case UNKNOWN -> "unknown virtualization extensions";
        };
        String virt = h.getOrDefault("cpu_flags_virt", "");
        r.fact(HOST, "ran on " + h.getOrDefault("cpu_model", "an unknown CPU") + " (" + vendor + ", " + kind
                + (virt.contains("hypervisor") ? ", itself a guest: nested virtualization" : "") + "), Linux "
                + h.getOrDefault("kernel", "unknown") + ", vmscope " + h.getOrDefault("vmscope", "unknown") + " on Java "
                + h.getOrDefault("java", "unknown"), Cite.CRASH + " (host)", 0, new LinkedHashMap<String, Object>(h));
    }

    private void recorder(VmscopeCrashDump.Recorder rec) {
        List<VmscopeCrashDump.Exit> ex = rec.exits();
        Map<String, Integer> byReason = new LinkedHashMap<>();
        for (VmscopeCrashDump.Exit e : ex) byReason.merge(e.reason(), 1, Integer::sum);
        StringBuilder sb = new StringBuilder();
        byReason.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(" x").append(v));
        Map<String, Object> data = Json.obj();
        data.put("vcpu", rec.vcpu());
        data.put("total", rec.total());
        data.put("kept", ex.size());
        data.put("by_reason", byReason);
        r.fact(RECORDER, "vCPU " + rec.vcpu() + ": " + rec.total() + " exits in all, the last " + ex.size() + " kept: "
                + (sb.isEmpty() ? "none" : sb), Cite.RECORDER, rec.line(), data);
        ports(rec);
        if (ex.isEmpty()) return;
        VmscopeCrashDump.Exit last = ex.getLast();
        var info = Knowledge.kvmExitByName("KVM_EXIT_" + last.reason());
        VmscopeCrashDump.Cpu cpu = d.cpu(rec.vcpu());
        Long rip = cpu == null ? null : cpu.regs().get("rip");
        r.fact(RECORDER, "last exit: " + last.detail() + " at rip 0x" + Long.toHexString(last.rip())
                + info.map(x -> " (" + x.name() + ": " + x.meaning() + ")").orElse("")
                + (rip == null ? "" : rip == last.rip() ? "; same RIP as the vCPU state above" : "; the vCPU state shows"
                + " RIP 0x" + Long.toHexString(rip) + " (it ran on after this exit)"),
                Cite.RECORDER + info.map(x -> "; " + x.source()).orElse(""), last.line());
        if (ex.size() >= 2) {
            VmscopeCrashDump.Exit prev = ex.get(ex.size() - 2);
            r.fact(RECORDER, "exit before it: " + prev.detail() + " at rip 0x" + Long.toHexString(prev.rip()) + ", "
                    + String.format("%.3f", (last.nanos() - prev.nanos()) / 1e6) + " ms earlier", Cite.RECORDER, prev.line());
        }
    }

    /** Port I/O by port; bytes written one at a time are shown as text (a serial console, usually). */
    private void ports(VmscopeCrashDump.Recorder rec) {
        Map<String, Integer> count = new LinkedHashMap<>();
        Map<String, StringBuilder> text = new LinkedHashMap<>();
        for (VmscopeCrashDump.Exit e : rec.exits()) {
            Matcher m = IO.matcher(e.detail());
            if (!m.matches()) continue;
            String key = m.group(2) + " " + m.group(1);
            count.merge(key, 1, Integer::sum);
            Long data = dev.vmscope.explain.parse.Text.hex(m.group(4));
            if (m.group(1).equals("out") && m.group(3).equals("1") && data != null)
                text.computeIfAbsent(key, k -> new StringBuilder()).append((char) (data & 0xff));
        }
        count.forEach((key, n) -> {
            String[] w = key.split(" ");
            Long port = dev.vmscope.explain.parse.Text.hex(w[0]);
            var p = port == null ? java.util.Optional.<dev.vmscope.facts.IoPorts.Port>empty() : Knowledge.port(port);
            StringBuilder t = text.get(key);
            String shown = t == null ? "" : "; bytes written: \"" + printable(t) + "\"";
            r.fact(RECORDER, "vCPU " + rec.vcpu() + ": " + n + " x " + w[1] + " port 0x" + w[0]
                    + p.map(x -> " (" + x.name() + ": " + x.meaning() + ")").orElse("") + shown,
                    Cite.RECORDER + p.map(x -> "; " + x.source()).orElse(""), rec.line());
        });
    }

    private static String printable(CharSequence s) {
        StringBuilder o = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\n') o.append("\\n");
            else if (ch == '\r') o.append("\\r");
            else if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') o.append(ch);
            else o.append(String.format("\\x%02x", (int) ch));
        }
        return o.toString();
    }

    private void stats() {
        Map<String, String> s = d.stats();
        if (s.containsKey("stop_reason")) r.fact(STATS, "stop reason: " + s.get("stop_reason").replace("\n", " ").replaceAll("\\s+", " "),
                Cite.CRASH + " (ExitSummary)", 0);
        if (s.containsKey("status")) r.fact(STATS, "exit status " + s.get("status") + " (even = a vmscope status, odd ="
                + " (isa-debug-exit value << 1) | 1)", Cite.CRASH + " (vcpu.ExitStatus)", 0);
        if (s.containsKey("wall_ns")) {
            Long ns = dev.vmscope.explain.parse.Text.number(s.get("wall_ns"));
            if (ns != null) r.fact(STATS, String.format("the VM ran %.3f ms", ns / 1e6), Cite.CRASH + " (ExitSummary)", 0);
        }
        for (VmscopeCrashDump.ReasonCount rc : d.statsByReason()) {
            var info = Knowledge.kvmExitByName(rc.reason());
            r.fact(STATS, rc.reason() + ": " + rc.count() + " exits" + info.map(x -> " - " + x.meaning()).orElse(""),
                    Cite.CRASH + info.map(x -> "; " + x.source()).orElse(""), 0);
        }
    }
}
