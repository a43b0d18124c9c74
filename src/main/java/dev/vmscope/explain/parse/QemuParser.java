package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * QEMU x86 register dumps: x86_cpu_dump_state() in target/i386/cpu-dump.c ("RAX=%016x RBX=...", "RIP=... RFL=%08x
 * [flags] CPL=..", segment lines "%-3s=%04x %016x %08x %08x", "CR0=.. CR2=.. CR3=.. CR4=..", "EFER=%016x", "Code=")
 * as printed after "KVM internal error. Suberror: %d" / "extra data[%d]: 0x%016x" (accel/kvm/kvm-all.c) or
 * "KVM: entry failed, hardware error 0x%x" (target/i386/kvm/kvm.c), and by the monitor's "info registers".
 */
public final class QemuParser implements DumpParser {
    static final String EXPECTED = "a QEMU register dump line such as 'RAX=... RBX=...' or 'ES =0000 ...'";
    private static final Set<String> SEGMENTS = Set.of("ES", "CS", "SS", "DS", "FS", "GS", "LDT", "TR");

    @Override
    public Format format() { return Format.QEMU_REGS; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            String s = l.text();
            if (s.startsWith("KVM internal error. Suberror:") || s.startsWith("KVM: entry failed")) n += 10;
            else if (s.startsWith("RAX=") || s.startsWith("EAX=") || s.startsWith("RIP=") || s.startsWith("EIP=")
                    || s.startsWith("CR0=") || s.startsWith("EFER=") || s.startsWith("ES =")) {
                n += 4;
            }
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> lines) {
        Map<String, Long> regs = new LinkedHashMap<>();
        List<QemuDump.Segment> segs = new ArrayList<>();
        List<Long> extra = new ArrayList<>();
        List<Unparsed> bad = new ArrayList<>();
        Integer suberror = null;
        Long hwError = null;
        String flags = null, code = null;
        boolean advice = false;
        for (Line l : lines) {
            String s = l.text().strip();
            // target/i386/kvm/kvm.c follows hardware error 0x80000021 with a fixed paragraph about unrestricted mode.
            if (s.startsWith("If you're running a guest on an Intel machine")) advice = true;
            if (s.isEmpty()) advice = false;
            if (advice || s.isEmpty() || s.matches("CPU#\\d+") || s.equals("emulation failure")) continue;
            if (s.startsWith("KVM internal error. Suberror:")) {
                Long v = Text.number(s.substring(29).strip());
                if (v != null && v >= 0 && v <= Integer.MAX_VALUE) {
                    suberror = v.intValue();
                    continue;
                }
            } else if (s.startsWith("extra data[") && s.contains("]:")) {
                String v = s.substring(s.indexOf("]:") + 2).strip();
                Long n = Text.hexAny(v);
                if (n != null) {
                    extra.add(n);
                    continue;
                }
            } else if (s.startsWith("KVM: entry failed, hardware error ")) {
                hwError = Text.number(s.substring(34).strip().split(" ")[0]);
                if (hwError != null) continue;
            } else if (s.startsWith("Code=")) {
                code = s.substring(5).strip();
                continue;
            } else if (segment(l, s, segs)) {
                continue;
            } else if (s.startsWith("GDT=") || s.startsWith("IDT=")) {
                String[] w = s.substring(4).strip().split("\\s+");
                Long base = w.length == 2 ? Text.hex(w[0]) : null, limit = w.length == 2 ? Text.hex(w[1]) : null;
                if (base != null && limit != null) {
                    regs.put(s.substring(0, 3) + ".base", base);
                    regs.put(s.substring(0, 3) + ".limit", limit);
                    continue;
                }
            } else {
                int b = s.indexOf('['), e = s.indexOf(']');
                if ((s.startsWith("RIP=") || s.startsWith("EIP=")) && b > 0 && e > b) flags = s.substring(b + 1, e);
                if (assignments(s, regs)) continue;
            }
            bad.add(new Unparsed(l.number(), l.text(), EXPECTED));
        }
        return new QemuDump(file, regs, flags, segs, suberror, extra, hwError, code, bad);
    }

    /** "NAME=HEX NAME=HEX ..." (with "R8 =" spacing and a bracketed flag string tolerated). */
    private static boolean assignments(String s, Map<String, Long> regs) {
        String norm = s.replaceAll("\\b(R\\d) =", "$1=").replaceAll("\\[[^\\]]*\\]", " ");
        Map<String, Long> got = new LinkedHashMap<>();
        for (String tok : norm.split("\\s+")) {
            int eq = tok.indexOf('=');
            if (eq <= 0) continue; // e.g. the second half of "XMM00=... ..." or "FPR0=... 0000"
            String name = tok.substring(0, eq);
            if (!name.matches("[A-Z][A-Za-z0-9]*")) return false;
            Long v = Text.hex(tok.substring(eq + 1));
            if (v == null) v = Text.number(tok.substring(eq + 1));
            if (v == null) return false;
            got.put(name, v);
        }
        if (got.isEmpty()) return false;
        regs.putAll(got);
        return true;
    }

    private static boolean segment(Line l, String s, List<QemuDump.Segment> segs) {
        int eq = s.indexOf('=');
        if (eq <= 0 || !SEGMENTS.contains(s.substring(0, eq).strip())) return false;
        String[] w = s.substring(eq + 1).strip().split("\\s+", 5);
        if (w.length < 4) return false;
        Long sel = Text.hex(w[0]), base = Text.hex(w[1]), limit = Text.hex(w[2]), fl = Text.hex(w[3]);
        if (sel == null || base == null || limit == null || fl == null || sel > 0xffff) return false;
        segs.add(new QemuDump.Segment(s.substring(0, eq).strip(), sel.intValue(), base, limit, fl,
                w.length > 4 ? w[4].strip() : "", l.number()));
        return true;
    }
}
