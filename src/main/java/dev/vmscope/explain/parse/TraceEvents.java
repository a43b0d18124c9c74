package dev.vmscope.explain.parse;

import dev.vmscope.facts.SvmExitCodes;
import dev.vmscope.facts.VmxExitReasons;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * KVM tracepoint lines kept one by one for the story of a short trace (the statistics come from explain.stats):
 * trace-cmd report, perf script and /sys/kernel/debug/tracing/trace lines, formats from the TP_printk of Linux
 * arch/x86/kvm/trace.h. Also settles the vendor from the exit names, which differ per vendor: VMX reasons print
 * upper case without a prefix (EXTERNAL_INTERRUPT), SVM reasons lower case (npf) or, in recent kernels, as EXIT_*
 * (EXIT_WRITE_CR4); both tables come from the kernel's uapi vmx.h/svm.h.
 */
public final class TraceEvents {
    /** At most this many events are kept; longer traces are stories told by their statistics. */
    public static final int MAX = 20_000;
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(?<comm>\\S.*?)[- ](?<pid>\\d+)\\s+(?:\\(\\s*\\d+\\)\\s+)?\\[(?<cpu>\\d+)\\]\\s+(?:[\\w.]{4,5}\\s+)?"
            + "(?<ts>\\d+\\.\\d+):\\s+(?:kvm:)?(?<ev>kvm_\\w+):\\s*(?<body>.*)$");

    private static final Pattern REASON = Pattern.compile("(?:^|\\s)reason ([A-Za-z_0-9]+)");

    /** One event: who (pid), when (seconds), what (event name and body as printed). */
    public record Event(String comm, int pid, double ts, String name, String body, int line) {}

    public record Result(List<Event> events, Vendor vendor, String evidence, boolean truncated) {}

    private TraceEvents() {}

    public static Result read(List<Line> lines) {
        List<Event> out = new ArrayList<>();
        boolean cut = false;
        for (Line l : lines) {
            if (l.text().length() > 4096 || !l.text().contains("kvm_")) continue;
            Matcher m = LINE.matcher(l.text());
            if (!m.find()) continue;
            if (out.size() >= MAX) {
                cut = true;
                break;
            }
            Long pid = Text.number(m.group("pid"));
            double ts;
            try {
                ts = Double.parseDouble(m.group("ts"));
            } catch (NumberFormatException e) {
                continue;
            }
            out.add(new Event(m.group("comm").strip(), pid == null || pid > Integer.MAX_VALUE ? -1 : pid.intValue(), ts,
                    m.group("ev"), m.group("body").strip(), l.number()));
        }
        String[] v = vendor(out);
        return new Result(List.copyOf(out), Vendor.valueOf(v[0]), v[1], cut);
    }

    /** {vendor, evidence}: the first exit reason whose spelling belongs to one vendor's table only. */
    static String[] vendor(List<Event> events) {
        for (Event e : events) {
            if (!e.name().equals("kvm_exit")) continue;
            Matcher m = REASON.matcher(e.body());
            if (!m.find()) continue;
            String r = m.group(1);
            boolean lower = !r.equals(r.toUpperCase(Locale.ROOT));
            if (r.startsWith("EXIT_") && SvmExitCodes.table().byName("SVM_" + r).isPresent()) {
                return new String[] {"AMD", "kvm_exit reason " + r + " is SVM_" + r + " (Linux arch/x86/include/uapi/asm/svm.h);"
                        + " VMX reasons print without the EXIT_ prefix"};
            }
            if (lower && SvmExitCodes.table().byName("SVM_EXIT_" + r.toUpperCase(Locale.ROOT)).isPresent()) {
                return new String[] {"AMD", "kvm_exit reason '" + r + "' is an SVM_EXIT_REASONS name (lower case, Linux"
                        + " arch/x86/include/uapi/asm/svm.h)"};
            }
            if (!lower && VmxExitReasons.table().byName("EXIT_REASON_" + r).isPresent()) {
                return new String[] {"INTEL", "kvm_exit reason " + r + " is a VMX_EXIT_REASONS name (upper case, Linux"
                        + " arch/x86/include/uapi/asm/vmx.h)"};
            }
        }
        return new String[] {"UNKNOWN", ""};
    }
}
