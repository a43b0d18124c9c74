package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.BhyveExitDump;
import dev.vmscope.explain.parse.BhyvectlDump;
import dev.vmscope.explain.parse.Detector;
import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.parse.KvmTraceDump;
import dev.vmscope.explain.parse.Line;
import dev.vmscope.explain.parse.ParsedDump;
import dev.vmscope.explain.parse.PerfKvmStatDump;
import dev.vmscope.explain.parse.QemuDump;
import dev.vmscope.explain.parse.Text;
import dev.vmscope.explain.parse.Unparsed;
import dev.vmscope.explain.parse.VmscopeCrashDump;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Entry point of vmscope explain: bytes of one file in, {@link Report} out. Never throws on input. */
public final class Explainer {
    /** The start of a line of dev.vmscope.vcpu.ExitTrace: "%11.6f vcpu%d KIND". */
    private static final java.util.regex.Pattern VMSCOPE_TRACE = java.util.regex.Pattern.compile("^\\s*\\d+\\.\\d+ vcpu\\d+ [a-z_0-9]+( |$)");

    /** Messages of KVM's other architectures (Linux arch/{mips,s390,riscv,powerpc,loongarch}/kvm). */
    private static final java.util.regex.Pattern OTHER_ARCH =
            java.util.regex.Pattern.compile("\\b(kvm_mips|kvm-s390|kvm_riscv|kvmppc|kvm_loongarch)");

    private Explainer() {}

    private static String arch(String prefix) {
        return switch (prefix) {
            case "kvm_mips" -> "MIPS";
            case "kvm-s390" -> "s390";
            case "kvm_riscv" -> "RISC-V";
            case "kvmppc" -> "POWER";
            default -> "LoongArch";
        };
    }

    public static Report explain(String file, byte[] data, Optional<Format> forced) {
        List<Line> lines = dev.vmscope.explain.parse.Paste.normalize(Text.lines(data));
        if (lines.stream().allMatch(l -> l.text().isBlank())) {
            return unreadable(file, file + ":1: empty file (expected one of: " + Format.ids() + ")");
        }
        Optional<Format> fmt = forced.isPresent() ? forced : Detector.detect(lines);
        if (fmt.isEmpty()) {
            Line first = lines.stream().filter(l -> !l.text().isBlank()).findFirst().orElse(lines.getFirst());
            if (VMSCOPE_TRACE.matcher(first.text()).find()) {
                // Exits as vmscope handled them, one per line: a trace to aggregate, not a dump to explain.
                return unreadable(file, file + ":" + first.number() + ": this is a vmscope run --trace log ('"
                        + clip(first.text()) + "'); for its exit statistics run: vmscope stats " + file);
            }
            for (Line l : lines) {
                java.util.regex.Matcher m = OTHER_ARCH.matcher(l.text());
                if (m.find()) {
                    return unreadable(file, file + ":" + l.number() + ": this is KVM on " + arch(m.group(1)) + " ('" + clip(l.text())
                            + "'); vmscope explain reads x86 KVM and bhyve pastes (and arm64 perf kvm stat tables)");
                }
            }
            return unreadable(file, file + ":" + first.number() + ": unknown format: '" + clip(first.text())
                    + "' (expected bhyvectl --get-all/--get-stats output, a bhyve 'vm exit[N]' report, trace-cmd"
                    + " report / perf script KVM events, perf kvm stat report, a QEMU register dump or a vmscope crash report; use --format "
                    + Format.ids() + ")");
        }
        ParsedDump dump = Detector.parser(fmt.get()).parse(file, data, lines);
        Report.Builder r = new Report.Builder();
        try {
            switch (dump) {
                case BhyvectlDump d -> new BhyvectlExplainer(d, r).explain();
                case BhyveExitDump d -> OtherExplainers.bhyveExit(d, r);
                case KvmTraceDump d -> OtherExplainers.kvmTrace(d, r);
                case PerfKvmStatDump d -> OtherExplainers.perf(d, r);
                case QemuDump d -> new KvmEventExplainer(d, r).explain();
                case dev.vmscope.explain.parse.ExitCountsDump d -> ExitCountsExplainer.explain(d, r);
                case VmscopeCrashDump d -> new CrashExplainer(d, r).explain();
            }
        } catch (RuntimeException e) {
            // A decoder bug must not hide what was already decoded; report it as an uninterpreted part.
            r.notInterpreted(0, "explaining stopped early: " + e);
        }
        List<String> bad = new ArrayList<>();
        for (Unparsed u : dump.unparsed()) bad.add(u.describe(file));
        if (dump instanceof KvmTraceDump k && k.unparsedTotal() > k.unparsed().size()) {
            bad.add(file + ": ... and " + (k.unparsedTotal() - k.unparsed().size()) + " more lines not interpreted");
        }
        for (String s : r.notInterpreted) bad.add(file + ":" + s.stripLeading());
        String hv = dump.format().hypervisor.label;
        if (dump.recognized() == 0) {
            bad.addFirst(file + ":1: no " + dump.format().id + " content found (expected " + dump.format().source + ")");
            return new Report(file, dump.format().id, dump.format().source, hv, dump.vendor().label, r.sections(), bad, 2);
        }
        return new Report(file, dump.format().id, dump.format().source, hv, dump.vendor().label, r.sections(), bad,
                bad.isEmpty() ? 0 : 1);
    }

    private static Report unreadable(String file, String why) {
        return new Report(file, "unknown", "", "unknown", "unknown", List.of(), List.of(why), 2);
    }

    private static String clip(String s) { return s.length() > 60 ? s.substring(0, 57) + "..." : s; }
}
