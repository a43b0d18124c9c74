package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The "cause" of a crash report, from the text title line or from the JSON object (dev.vmscope.debug.CrashReport.cause). */
final class CrashCauses {
    private CrashCauses() {}

    private static final Pattern VCPU = Pattern.compile("(.*) \\(vCPU (\\d+)\\)");
    private static final Pattern ENTRY = Pattern.compile("VM entry failed: hardware reason 0x([0-9a-f]+) on host CPU (-?\\d+)");
    /** Sub-error names as CrashReport.InternalError.title() spells them (linux include/uapi/linux/kvm.h order). */
    private static final List<String> SUBERRORS = List.of("emulation failure", "simultaneous exceptions",
            "delivery event error", "unexpected exit reason");

    static VmscopeCrashDump.Cause fromTitle(String text, int line) {
        int vcpu = -1;
        String title = text.strip();
        Matcher m = VCPU.matcher(title);
        if (m.matches()) {
            Long v = Text.number(m.group(2));
            if (v != null && v <= Integer.MAX_VALUE) {
                vcpu = v.intValue();
                title = m.group(1);
            }
        }
        String kind = "unknown";
        Integer sub = null;
        Long hw = null;
        Integer host = null;
        String exit = null;
        if (title.equals("triple fault (KVM_EXIT_SHUTDOWN)")) {
            kind = "TripleFault";
        } else if (title.startsWith("KVM internal error: ")) {
            kind = "InternalError";
            String s = title.substring(20);
            int i = SUBERRORS.indexOf(s);
            Long n = s.startsWith("suberror ") ? Text.number(s.substring(9)) : null;
            sub = i >= 0 ? Integer.valueOf(i + 1) : n != null && n >= 0 && n <= Integer.MAX_VALUE ? n.intValue() : null;
        } else if ((m = ENTRY.matcher(title)).matches()) {
            kind = "EntryFailure";
            hw = Text.hex(m.group(1));
            Long h = Text.number(m.group(2));
            host = h == null || Math.abs(h) > Integer.MAX_VALUE ? null : h.intValue();
        } else if (title.startsWith("unhandled exit ")) {
            kind = "UnhandledExit";
            String r = title.substring(15);
            exit = r.contains(":") ? r.substring(0, r.indexOf(':')) : r;
        } else if (title.startsWith("vmscope internal error: ")) {
            kind = "VmscopeError";
        }
        return new VmscopeCrashDump.Cause(kind, title, vcpu, sub, List.of(), null, hw, host, exit, List.of(), line);
    }

    /** The JSON object; missing or mistyped members stay null rather than failing. */
    static VmscopeCrashDump.Cause fromJson(Map<?, ?> m, int line) {
        String kind = m.get("kind") instanceof String s ? s : "unknown";
        String title = m.get("title") instanceof String s ? s : "";
        int vcpu = CrashJsonReader.integer(m.get("vcpu"), -1);
        Integer sub = m.containsKey("suberror") ? CrashJsonReader.integer(m.get("suberror"), -1) : null;
        List<Long> data = new ArrayList<>();
        if (m.get("data") instanceof List<?> l) for (Object o : l) {
            Long v = CrashJsonReader.number(o);
            if (v != null) data.add(v);
        }
        String insn = m.get("insn_bytes") instanceof String s ? s : null;
        Long hw = CrashJsonReader.number(m.get("hardware_entry_failure_reason"));
        Integer host = m.containsKey("host_cpu") ? CrashJsonReader.integer(m.get("host_cpu"), -1) : null;
        String exit = m.get("exit_reason") instanceof String s ? s : null;
        List<String> stack = new ArrayList<>();
        if (m.get("stack") instanceof List<?> l) for (Object o : l) stack.add(String.valueOf(o));
        return new VmscopeCrashDump.Cause(kind, title, vcpu, sub, data, insn, hw, host, exit, stack, line);
    }
}
