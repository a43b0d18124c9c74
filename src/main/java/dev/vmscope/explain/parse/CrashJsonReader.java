package dev.vmscope.explain.parse;

import dev.vmscope.util.Json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON twin of a vmscope crash report (dev.vmscope.debug.CrashReport.write and CrashSections: "format",
 * "time", "pid", "cause", "vcpus", "memory", "recent_exits", "stats"). Members of unexpected type are skipped and
 * reported, never thrown on.
 */
final class CrashJsonReader {
    private static final Set<String> TOP = Set.of("format", "time", "pid", "cause", "host", "vcpus", "memory", "recent_exits",
            "stats");
    private static final List<String> FLAGGED = List.of("rflags", "cr0", "cr4", "efer", "dr6");
    private static final List<String> PLAIN = List.of("cr2", "cr3", "cr8", "dr7", "kernel_gs_base");
    private static final Pattern OFFSET = Pattern.compile("at offset (\\d+)");

    private final List<Line> lines;
    private final List<Unparsed> bad = new ArrayList<>();

    private CrashJsonReader(List<Line> lines) { this.lines = lines; }

    static VmscopeCrashDump read(String file, byte[] data, List<Line> lines) {
        return new CrashJsonReader(lines).read(file, new String(data, StandardCharsets.UTF_8));
    }

    private VmscopeCrashDump read(String file, String text) {
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            Matcher m = OFFSET.matcher(String.valueOf(e.getMessage()));
            int line = m.find() ? lineAt(text, m.group(1)) : 1;
            bad.add(new Unparsed(line, lineText(line), "valid JSON (" + e.getMessage() + ")"));
            return empty(file);
        }
        if (!(root instanceof Map<?, ?> top)) {
            bad.add(new Unparsed(1, lineText(1), "a JSON object"));
            return empty(file);
        }
        for (Object k : top.keySet()) {
            if (!TOP.contains(k)) bad.add(new Unparsed(lineOf("\"" + k + "\"", 1), lineText(lineOf("\"" + k + "\"", 1)),
                    "one of the vmscope-crash-v1 members " + TOP));
        }
        String time = top.get("time") instanceof String s ? s : null;
        VmscopeCrashDump.Cause cause = top.get("cause") instanceof Map<?, ?> c ? CrashCauses.fromJson(c, lineOf("\"cause\"", 1)) : null;
        List<VmscopeCrashDump.Cpu> cpus = new ArrayList<>();
        int from = 1;
        for (Object o : list(top.get("vcpus"))) {
            if (!(o instanceof Map<?, ?> m)) continue;
            int line = lineOf("\"vcpu\": " + integer(m.get("vcpu"), -1), from);
            from = Math.max(from, line + 1);
            cpus.add(cpu(m, line));
        }
        List<VmscopeCrashDump.Ram> ram = new ArrayList<>();
        for (Object o : list(top.get("memory"))) {
            if (o instanceof Map<?, ?> m && number(m.get("start")) != null && number(m.get("end")) != null) {
                ram.add(new VmscopeCrashDump.Ram(number(m.get("start")), number(m.get("end")),
                        "rom".equals(m.get("kind")) ? "rom" : "ram", lineOf("\"memory\"", 1)));
            }
        }
        List<VmscopeCrashDump.Recorder> recs = new ArrayList<>();
        int recLine = lineOf("\"recent_exits\"", 1);
        for (Object o : list(top.get("recent_exits"))) {
            if (!(o instanceof Map<?, ?> m)) continue;
            List<VmscopeCrashDump.Exit> exits = new ArrayList<>();
            for (Object e : list(m.get("exits"))) {
                if (e instanceof Map<?, ?> x && x.get("reason") instanceof String r) {
                    exits.add(new VmscopeCrashDump.Exit(orZero(number(x.get("nanos"))), r, orZero(number(x.get("rip"))),
                            x.get("detail") instanceof String d ? d : r, recLine));
                }
            }
            Long total = number(m.get("total"));
            recs.add(new VmscopeCrashDump.Recorder(integer(m.get("vcpu"), -1), total == null ? exits.size() : total, exits, recLine));
        }
        Map<String, String> stats = new LinkedHashMap<>();
        Map<String, Long> byReason = new LinkedHashMap<>();
        if (top.get("stats") instanceof Map<?, ?> st) {
            st.forEach((k, v) -> { if (!(v instanceof List)) stats.put(String.valueOf(k), String.valueOf(v)); });
            for (Object o : list(st.get("vcpus"))) {
                if (!(o instanceof Map<?, ?> vm)) continue;
                for (Object r : list(vm.get("by_reason"))) {
                    if (r instanceof Map<?, ?> rm && rm.get("key") instanceof String k && number(rm.get("count")) != null)
                        byReason.merge(k, number(rm.get("count")), Long::sum);
                }
            }
        } else if (top.get("stats") instanceof String s) {
            stats.put("stats", s);
        }
        List<VmscopeCrashDump.ReasonCount> rc = new ArrayList<>();
        byReason.forEach((k, v) -> rc.add(new VmscopeCrashDump.ReasonCount(k, v)));
        Map<String, String> host = new LinkedHashMap<>();
        if (top.get("host") instanceof Map<?, ?> h) h.forEach((k, v) -> { if (v instanceof String sv) host.put(String.valueOf(k), sv); });
        return new VmscopeCrashDump(file, true, time, cause, cpus, ram, recs, stats, rc, host, bad);
    }

    private VmscopeCrashDump.Cpu cpu(Map<?, ?> m, int line) {
        Map<String, Long> regs = new LinkedHashMap<>();
        if (m.get("gprs") instanceof Map<?, ?> g) g.forEach((k, v) -> put(regs, String.valueOf(k), number(v)));
        for (String f : FLAGGED) put(regs, f, m.get(f) instanceof Map<?, ?> x ? number(x.get("value")) : null);
        for (String p : PLAIN) put(regs, p, number(m.get(p)));
        List<?> dr = list(m.get("dr"));
        for (int i = 0; i < Math.min(4, dr.size()); i++) put(regs, "dr" + i, number(dr.get(i)));
        List<VmscopeCrashDump.Segment> segs = new ArrayList<>();
        if (m.get("segments") instanceof Map<?, ?> sm) sm.forEach((k, v) -> {
            if (v instanceof Map<?, ?> s && number(s.get("selector")) != null && number(s.get("base")) != null
                    && number(s.get("limit")) != null && number(s.get("attributes")) != null) {
                segs.add(new VmscopeCrashDump.Segment(String.valueOf(k), (int) (number(s.get("selector")) & 0xffff),
                        number(s.get("base")), number(s.get("limit")), (int) (number(s.get("attributes")) & 0xffffff), line));
            }
        });
        String events = m.get("events") instanceof Map<?, ?> e && e.get("summary") instanceof String s ? s : null;
        List<String> code = new ArrayList<>();
        String source = m.get("code_source") instanceof String s ? s : null;
        if (m.get("code") instanceof List<?> l) for (Object o : l) code.add(String.valueOf(o));
        else if (m.get("code") instanceof String s) source = s;
        String error = m.get("error") instanceof String s ? s : null;
        return new VmscopeCrashDump.Cpu(integer(m.get("vcpu"), -1), regs, segs, table(m.get("gdt")), table(m.get("idt")),
                events, null, null, code, source, error, line);
    }

    private static void put(Map<String, Long> regs, String k, Long v) { if (v != null) regs.put(k, v); }

    private static VmscopeCrashDump.Table table(Object o) {
        if (!(o instanceof Map<?, ?> m) || number(m.get("base")) == null || number(m.get("limit")) == null) return null;
        return new VmscopeCrashDump.Table(number(m.get("base")), number(m.get("limit")));
    }

    private static List<?> list(Object o) { return o instanceof List<?> l ? l : List.of(); }

    private static long orZero(Long v) { return v == null ? 0 : v; }

    /** "0x.." strings and JSON integers; anything else is null. */
    static Long number(Object o) {
        if (o instanceof Long l) return l;
        if (o instanceof Integer i) return (long) i;
        if (o instanceof String s) return Text.number(s);
        return null;
    }

    static int integer(Object o, int absent) {
        Long v = number(o);
        return v == null || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE ? absent : v.intValue();
    }

    private VmscopeCrashDump empty(String file) {
        return new VmscopeCrashDump(file, true, null, null, List.of(), List.of(), List.of(), Map.of(), List.of(), Map.of(), bad);
    }

    private int lineOf(String needle, int from) {
        for (Line l : lines) if (l.number() >= from && l.text().contains(needle)) return l.number();
        return 0;
    }

    private String lineText(int n) {
        for (Line l : lines) if (l.number() == n) return l.text();
        return "";
    }

    private static int lineAt(String text, String offset) {
        Long off = Text.number(offset);
        int line = 1;
        for (int i = 0; off != null && i < Math.min(off, text.length()); i++) if (text.charAt(i) == '\n') line++;
        return line;
    }
}
