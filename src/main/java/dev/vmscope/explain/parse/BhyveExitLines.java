package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Line-by-line reader for bhyve's exit diagnostics, shared by the bhyve-exit and bhyvectl parsers. Formats from
 * usr.sbin/bhyve/amd64/vmexit.c (vmexit_svm/vmexit_vmx "vm exit[%d]" blocks with "\tkey\t\tvalue" lines,
 * vmexit_inst_emul "Failed to emulate instruction sequence [ %02x... ] at 0x%lx", "Unhandled memory access to
 * 0x%lx", vmexit_inout "Unhandled %s%c 0x%04x at 0x%lx", rdmsr/wrmsr warnings) and usr.sbin/bhyve/bhyverun.c
 * ("vm_loop: unexpected exitcode 0x%x").
 */
final class BhyveExitLines {
    final List<BhyveExitDump.Exit> exits = new ArrayList<>();
    final List<BhyveExitDump.Message> messages = new ArrayList<>();
    private int vcpu = -1, blockLine;
    private Map<String, String> values;

    /** True if the line belongs to this format (and was recorded). */
    boolean accept(Line l) {
        String t = l.text();
        String s = t.strip();
        if (s.startsWith("vm exit[") && s.endsWith("]")) {
            close();
            Long v = Text.number(s.substring(8, s.length() - 1));
            vcpu = v == null || v < 0 || v > Integer.MAX_VALUE ? -1 : v.intValue();
            values = new LinkedHashMap<>();
            blockLine = l.number();
            return true;
        }
        if (values != null && (t.startsWith("\t") || t.startsWith("    ")) && !s.isEmpty()) {
            int sp = 0;
            while (sp < s.length() && !Character.isWhitespace(s.charAt(sp))) sp++;
            String key = s.substring(0, sp);
            String val = s.substring(sp).strip();
            if (key.endsWith(":")) key = key.substring(0, key.length() - 1);
            values.merge(key, val, (a, b) -> a + "; " + b);
            return true;
        }
        close();
        return message(l, s);
    }

    private boolean message(Line l, String s) {
        // "Failed to emulate instruction sequence [ 0f01f9 ] at 0x..." (vmexit.c since 2019) or, before,
        // "Failed to emulate instruction [0x0f 0xae 0x3b ...] at 0x..." (bhyverun.c vmexit_inst_emul).
        if (s.startsWith("Failed to emulate instruction")) {
            int a = s.indexOf('['), b = s.indexOf(']');
            String bytes = a >= 0 && b > a ? s.substring(a + 1, b).strip() : null;
            messages.add(new BhyveExitDump.Message("emulation-failure", s, afterAt(s), bytes, l.number()));
            return true;
        }
        if (s.startsWith("Unhandled memory access to ")) {
            Long addr = Text.number(s.substring("Unhandled memory access to ".length()).strip());
            messages.add(new BhyveExitDump.Message("unhandled-mmio", s, addr, null, l.number()));
            return true;
        }
        if (s.matches("Unhandled (in|out)[bwl] 0x[0-9a-fA-F]+ at 0x[0-9a-fA-F]+")) {
            messages.add(new BhyveExitDump.Message("unhandled-io", s, afterAt(s), null, l.number()));
            return true;
        }
        if (s.startsWith("vm_loop: unexpected exitcode ")) {
            Long code = Text.number(s.substring("vm_loop: unexpected exitcode ".length()).strip());
            messages.add(new BhyveExitDump.Message("unexpected-exitcode", s, code, null, l.number()));
            return true;
        }
        if ((s.startsWith("rdmsr to register ") || s.startsWith("wrmsr to register ")) && s.contains(" on vcpu ")) {
            String v = s.substring(18).split("[ (]", 2)[0];
            messages.add(new BhyveExitDump.Message(s.startsWith("rd") ? "rdmsr" : "wrmsr", s, Text.number(v), null,
                    l.number()));
            return true;
        }
        return false;
    }

    private static Long afterAt(String s) {
        int at = s.lastIndexOf(" at ");
        return at < 0 ? null : Text.number(s.substring(at + 4).strip());
    }

    /** Ends the current block, if any. */
    void close() {
        if (values == null) return;
        String reason = values.getOrDefault("reason", "?");
        exits.add(new BhyveExitDump.Exit(vcpu, reason, Collections.unmodifiableMap(values), blockLine));
        values = null;
    }

    Vendor vendor() {
        for (BhyveExitDump.Exit e : exits) {
            if (e.reason().equals("SVM")) return Vendor.AMD;
            if (e.reason().equals("VMX")) return Vendor.INTEL;
        }
        return Vendor.UNKNOWN;
    }
}
