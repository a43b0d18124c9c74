package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * QEMU x86 register dumps: x86_cpu_dump_state() in target/i386/cpu-dump.c ("RAX=%016x RBX=...", "RIP=... RFL=%08x
 * [flags] CPL=..", segment lines "%-3s=%04x %016x %08x %08x", "CR0=.. CR2=.. CR3=.. CR4=..", "EFER=%016x", "Code=")
 * with the KVM messages around them ({@link KvmLogLines}: internal errors, entry failures, dump_vmcs, MSR
 * warnings, other VMMs' messages). Several dumps in one paste: registers keep the last value printed.
 */
public final class QemuParser implements DumpParser {
    static final String EXPECTED = "a QEMU register dump line such as 'RAX=... RBX=...' or 'ES =0000 ...', or a KVM message";
    private static final Set<String> SEGMENTS = Set.of("ES", "CS", "SS", "DS", "FS", "GS", "LDT", "TR");

    @Override
    public Format format() { return Format.QEMU_REGS; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            String s = l.text().strip();
            if (s.contains("KVM internal error.") || s.contains("KVM: entry failed") || s.contains("KVM_EXIT_FAIL_ENTRY")
                    || s.contains("KVM_EXIT_INTERNAL_ERROR") || s.contains("FailEntry(") || s.contains("vmentry failure")
                    || s.contains("*** Guest State ***") || s.contains("FAILED VMRUN") || s.contains("Failed to put registers")
                    || s.contains("kvm: unhandled exit") || s.contains("kvm run failed") || s.matches(".*[Uu]nhandled (rdmsr|wrmsr|RDMSR|WRMSR).*")) {
                n += 10;
            } else if (s.startsWith("RAX=") || s.startsWith("EAX=") || s.startsWith("RIP=") || s.startsWith("EIP=")
                    || s.startsWith("CR0=") || s.startsWith("EFER=") || s.startsWith("ES =") || s.startsWith("extra data[")
                    || s.matches("(rax|rip|cr0|cr3|rflags): 0x[0-9a-f]+")) {
                n += 4;
            }
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> raw) {
        List<Line> lines = Paste.normalize(raw);
        Map<String, Long> regs = new LinkedHashMap<>(), extra = new LinkedHashMap<>();
        List<QemuDump.Segment> segs = new ArrayList<>();
        Set<String> truncated = new LinkedHashSet<>();
        List<Unparsed> bad = new ArrayList<>();
        KvmLogLines log = new KvmLogLines(regs, segs, extra);
        String flags = null, code = null;
        boolean advice = false;
        for (Line l : lines) {
            String s = l.text().strip();
            // target/i386/kvm/kvm.c follows hardware error 0x80000021 with a fixed paragraph about unrestricted mode.
            if (s.startsWith("If you're running a guest on an Intel machine")) advice = true;
            if (s.isEmpty()) advice = false;
            if (advice || s.isEmpty() || s.matches("CPU#\\d+") || s.equals("emulation failure")) continue;
            if (log.accept(l, s)) continue;
            if (s.startsWith("Code=")) {
                code = s.substring(5).strip();
                continue;
            }
            if (segment(l, s, segs)) continue;
            if (s.startsWith("GDT=") || s.startsWith("IDT=")) {
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
                if (assignments(s, regs, truncated)) continue;
            }
            bad.add(new Unparsed(l.number(), l.text(), EXPECTED));
        }
        log.flushInternal();
        if (code == null) code = log.code();
        boolean xen = new String(data, 0, Math.min(data.length, 1 << 16), java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("(XEN)");
        List<KvmEvent> events = log.events.stream().map(e -> xen && e instanceof KvmEvent.VmcsDump v
                ? new KvmEvent.VmcsDump(v.cpu(), "Xen", v.line()) : e).toList();
        KvmEvent.InternalError ie = (KvmEvent.InternalError) events.stream().filter(e -> e instanceof KvmEvent.InternalError)
                .findFirst().orElse(null);
        Long hw = events.stream().map(e -> e instanceof KvmEvent.EntryFailed f ? f.reason()
                : e instanceof KvmEvent.UnhandledExit u ? (Long) u.value() : null).filter(x -> x != null).findFirst().orElse(null);
        KvmVendor.Verdict v = KvmVendor.of(events, extra, data);
        return new QemuDump(file, regs, flags, segs, ie == null ? null : ie.suberror(), ie == null ? List.of() : ie.data(),
                hw, code, bad, events, extra, truncated, v.vendor(), v.evidence());
    }

    /** "NAME=HEX NAME=HEX ..." (with "R8 =" spacing and a bracketed flag string tolerated). */
    private static boolean assignments(String s, Map<String, Long> regs, Set<String> truncated) {
        String norm = s.replaceAll("\\b(R\\d) =", "$1=").replaceAll("\\[[^\\]]*\\]", " ");
        Map<String, Long> got = new LinkedHashMap<>();
        int widest = 0;
        String last = null;
        int lastWidth = 0;
        for (String tok : norm.split("\\s+")) {
            int eq = tok.indexOf('=');
            if (eq <= 0) continue; // e.g. the second half of "XMM00=... ..." or "FPR0=... 0000"
            String name = tok.substring(0, eq);
            if (!name.matches("[A-Z][A-Za-z0-9]*")) return false;
            String digits = tok.substring(eq + 1);
            Long v = Text.hex(digits);
            if (v == null) v = Text.number(digits);
            if (v == null) return false;
            got.put(name, v);
            if (digits.length() >= 8) widest = Math.max(widest, digits.length());
            last = name;
            lastWidth = digits.length();
        }
        if (got.isEmpty()) return false;
        // A paste cut off mid-line leaves the last value with fewer digits than its neighbours.
        if (last != null && widest >= 8 && lastWidth > 1 && lastWidth < widest && got.size() > 1) truncated.add(last);
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
        String decoded = w.length > 4 ? w[4].strip() : "";
        // "DPL=0 DS   [-WA" or "DPL=0 TSS32-": the paste ends inside QEMU's decoded text.
        boolean cut = decoded.contains("[") && !decoded.contains("]") || decoded.endsWith("-");
        segs.add(new QemuDump.Segment(s.substring(0, eq).strip(), sel.intValue(), base, limit, fl, decoded, l.number(), cut));
        return true;
    }
}
