package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * "perf kvm stat report" output (linux tools/perf/builtin-kvm.c: print_result() prints a header
 * "EVENT Samples Samples% Time% Min Time Max Time Avg time", one row per event with times in "us" and
 * "( +- N% )", then "Total Samples:N, Total events handled time:Xus.").
 */
public final class PerfKvmStatParser implements DumpParser {
    /** tools/perf/util/kvm-stat.c: "unknown kvm exit code:%lld on %s\n" before the UNKNOWN row it belongs to. */
    private static final java.util.regex.Pattern UNKNOWN_CODE =
            java.util.regex.Pattern.compile("unknown kvm exit code:\\s*(\\d+) on (VMX|SVM)");
    static final String EXPECTED = "a perf kvm stat row 'EVENT SAMPLES PCT% PCT% MINus MAXus AVGus ( +- PCT% )'";

    @Override
    public Format format() { return Format.PERF_KVM_STAT; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            String s = l.text();
            if (s.contains("Samples%") && s.contains("Time%")) n += 10;
            else if (s.startsWith("Analyze events for")) n += 5;
            else if (s.contains("us ( +-")) n += 2;
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> lines) {
        List<PerfKvmStatDump.Row> rows = new ArrayList<>();
        List<Unparsed> bad = new ArrayList<>();
        String kind = null, isa = null;
        List<Long> unknown = new ArrayList<>();
        Long total = null;
        int upper = 0, lower = 0;
        for (Line l : lines) {
            String s = l.text().strip();
            if (s.isEmpty() || s.startsWith("Analyze events for")) continue;
            if (s.contains("Samples%") && s.contains("Time%")) {
                kind = s.substring(0, s.indexOf("Samples")).strip();
                continue;
            }
            java.util.regex.Matcher u = UNKNOWN_CODE.matcher(s);
            if (u.matches()) {
                Long c = Text.number(u.group(1));
                if (c != null) unknown.add(c);
                isa = u.group(2);
                continue;
            }
            if (s.startsWith("Total Samples:")) {
                String n = s.substring(14).split(",", 2)[0].strip();
                total = Text.number(n);
                continue;
            }
            PerfKvmStatDump.Row r = row(l.number(), s);
            if (r == null) {
                bad.add(new Unparsed(l.number(), l.text(), EXPECTED));
                continue;
            }
            rows.add(r);
            char c = r.event().charAt(0);
            if (Character.isUpperCase(c)) upper++;
            else if (Character.isLowerCase(c)) lower++;
        }
        // VM-EXIT names are VMX_EXIT_REASONS (upper case) on Intel and SVM_EXIT_REASONS (lower case) on AMD.
        // ... unless the names are arm64 exception classes, or perf said "on VMX"/"on SVM" (builtin-kvm.c).
        Vendor v = !"VM-EXIT".equals(kind) ? Vendor.UNKNOWN : upper > lower ? Vendor.INTEL
                : lower > upper ? Vendor.AMD : Vendor.UNKNOWN;
        if (rows.stream().anyMatch(r -> dev.vmscope.facts.Arm64ExitClasses.isArm64(r.event()))) v = Vendor.ARM64;
        else if ("VMX".equals(isa)) v = Vendor.INTEL;
        else if ("SVM".equals(isa)) v = Vendor.AMD;
        return new PerfKvmStatDump(file, v, kind, rows, total, bad, List.copyOf(unknown), isa);
    }

    private static PerfKvmStatDump.Row row(int line, String s) {
        String[] w = s.split("\\s+");
        int k = 1;
        while (k < w.length - 1 && !(Text.number(w[k]) != null && w[k + 1].endsWith("%"))) k++;
        if (k + 5 >= w.length) return null;
        String event = String.join(" ", java.util.Arrays.copyOfRange(w, 0, k));
        Long samples = Text.number(w[k]);
        double sp = pct(w[k + 1]), tp = pct(w[k + 2]), min = us(w[k + 3]), max = us(w[k + 4]), avg = us(w[k + 5]);
        if (samples == null || Double.isNaN(sp) || Double.isNaN(tp) || Double.isNaN(min) || Double.isNaN(max)
                || Double.isNaN(avg)) {
            return null;
        }
        return new PerfKvmStatDump.Row(event, samples, sp, tp, min, max, avg, line);
    }

    private static double pct(String s) { return s.endsWith("%") ? num(s.substring(0, s.length() - 1)) : Double.NaN; }

    private static double us(String s) { return s.endsWith("us") ? num(s.substring(0, s.length() - 2)) : Double.NaN; }

    private static double num(String s) {
        if (!s.matches("[0-9]+(\\.[0-9]+)?")) return Double.NaN;
        return Double.parseDouble(s);
    }
}
