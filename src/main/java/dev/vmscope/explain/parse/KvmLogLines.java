package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises KVM-related messages and non-QEMU register dumps in pasted lines (sources in {@link KvmEvent}); feeds
 * {@link QemuParser}. Messages are found anywhere in a line, so one quoted in prose or in backticks still counts.
 */
final class KvmLogLines {
    private static final int F = Pattern.CASE_INSENSITIVE;
    private static final Pattern ENTRY = Pattern.compile("KVM: entry failed, hardware error (0x[0-9a-f]+)", F);
    private static final Pattern FAIL_REASON = Pattern.compile("hardware_entry_failure_reason\\s*=\\s*(0x[0-9a-f]+)", F);
    private static final Pattern FAIL_CH = Pattern.compile("FailEntry\\((\\d+), (\\d+)\\)");
    private static final Pattern FAIL_BARE = Pattern.compile("\\bKVM_EXIT_FAIL_ENTRY\\b");
    private static final Pattern XEN_ENTRY = Pattern.compile("vmentry failure \\(reason (0x[0-9a-f]+)\\)", F);
    private static final Pattern UNHANDLED_EXIT = Pattern.compile("kvm: unhandled exit ([0-9a-f]+)\\b", F);
    private static final Pattern RUN_ERRNO = Pattern.compile("kvm_run returned (-\\d+)");
    private static final Pattern RUN_FAILED = Pattern.compile("kvm run failed (.+)$");
    /** Register dumps of other VMMs on KVM ("rax: 0x00000800", "cr0: 0x0000000060000011"). */
    private static final Pattern LOWER_REG = Pattern.compile(
            "^(rax|rbx|rcx|rdx|rsi|rdi|rsp|rbp|r8|r9|r10|r11|r12|r13|r14|r15|rip|rflags|cr0|cr2|cr3|cr4|cr8|efer):\\s+(0x[0-9a-f]{1,16})$");
    private static final Pattern INTERNAL = Pattern.compile("KVM internal error\\.\\s*Suberror:\\s*(\\d+)", F);
    private static final Pattern INTERNAL_BARE = Pattern.compile("\\bKVM_EXIT_INTERNAL_ERROR\\b");
    private static final Pattern EXTRA = Pattern.compile("extra data\\[(\\d+)\\]:\\s*(?:0x)?([0-9a-f]{1,16})\\b", F);
    private static final Pattern PUT_REGS = Pattern.compile("Failed to (put|get) registers[^:]*:\\s*(.*)");
    private static final Pattern SET_IOCTL = Pattern.compile("\\b(KVM_SET_[A-Z_0-9]+)( failed)?:\\s*(.*)");
    private static final Pattern MSR_OLD = Pattern.compile(
            "vcpu(\\d+),?\\s*(?:guest rIP: (0x[0-9a-f]+)\\s*)?unhandled (rdmsr|wrmsr): (0x[0-9a-f]+)(?: data (?:0x)?([0-9a-f]+))?", F);
    private static final Pattern MSR_NEW = Pattern.compile(
            "vcpu(\\d+), guest rIP: (0x[0-9a-f]+) Unhandled (RDMSR|WRMSR)\\((0x[0-9a-f]+)\\)(?: = (0x[0-9a-f]+))?", F);
    private static final Pattern MSR_BARE = Pattern.compile("unhandled (rdmsr|wrmsr): (0x[0-9a-f]+)(?: data (?:0x)?([0-9a-f]+))?", F);
    private static final Pattern VMCS_CPU = Pattern.compile("last attempted VM-entry on CPU (\\d+)");
    private static final Pattern CR_SHADOW = Pattern.compile("^(CR[04]): actual=(0x[0-9a-f]+),?\\s*shadow=(0x[0-9a-f]+)", F);
    private static final Pattern CR_ACTUAL = Pattern.compile("^(CR[04]): actual=(0x[0-9a-f]+),?\\s*$", F);
    private static final Pattern EQ = Pattern.compile("\\b(CR3|RSP|RIP|RFLAGS|DR7|EFER)\\s*=\\s*(0x[0-9a-f]+)", F);
    private static final Pattern VMCS_SEG = Pattern.compile(
            "^(CS|DS|SS|ES|FS|GS|GDTR|IDTR|LDTR|TR):\\s+sel=(0x[0-9a-f]+), attr=(0x[0-9a-f]+), limit=(0x[0-9a-f]+), base=(0x[0-9a-f]+)", F);
    private static final Pattern XEN_SEG = Pattern.compile(
            "^(CS|DS|SS|ES|FS|GS|LDTR|TR): ([0-9a-f]{4}) ([0-9a-f]{5}) ([0-9a-f]{8}) ([0-9a-f]{16})$");
    private static final Pattern VMCB_SAVE = Pattern.compile("^(cpl|efer|cr0|cr2|cr3|cr4|rip|rsp|rflags):\\s*([0-9a-f]+)\\b");
    private static final Pattern VMCB_ALL = Pattern.compile("\\b(cpl|efer|cr0|cr2|cr3|cr4|rip|rsp|rflags):\\s*([0-9a-f]+)\\b");
    private static final Pattern KM_REG = Pattern.compile("\\b(R[A-Z0-9]{1,5}):\\s+(0x[0-9a-f]+)");
    private static final Pattern KM_SEG = Pattern.compile(
            "^(CS|DS|SS|ES|FS|GS|TR|LDT)\\s+base: (0x[0-9a-f]+)\\s+limit:(0x[0-9a-f]+) selector: (0x[0-9a-f]+) type: (0x[0-9a-f]+) present: (0x[0-9a-f]+)");
    private static final Pattern KM_SEG2 = Pattern.compile(
            "^dpl:(0x[0-9a-f]+) db:(0x[0-9a-f]+) s:(0x[0-9a-f]+) l:(0x[0-9a-f]+) g:(0x[0-9a-f]+) avl:(0x[0-9a-f]+) unusable:(0x[0-9a-f]+)");
    private static final Pattern KM_CODE = Pattern.compile("^0x([0-9a-f]+)\\s*:((?:\\s+0x[0-9a-f]{2})+)\\s*$");
    private static final Pattern CPUINFO = Pattern.compile("^(vendor_id|flags)\\s*:\\s*(.*)$");

    final List<KvmEvent> events = new ArrayList<>();
    private final Map<String, Long> regs;
    private final List<QemuDump.Segment> segs;
    private final Map<String, Long> extra;
    private InternalBuilder internal;
    private String code;
    private long[] kmSeg; // base, limit, selector, type, present while waiting for the second km line
    private String kmSegName;
    private String vendorId;

    KvmLogLines(Map<String, Long> regs, List<QemuDump.Segment> segs, Map<String, Long> extra) {
        this.regs = regs;
        this.segs = segs;
        this.extra = extra;
    }

    private record InternalBuilder(Integer suberror, List<Long> data, int line) {}

    /** True if the line was recognised (and recorded). */
    boolean accept(Line l, String s) {
        int n = l.number();
        Matcher m;
        if ((m = EXTRA.matcher(s)).find() && s.startsWith("extra data")) {
            if (internal == null) internal = new InternalBuilder(null, new ArrayList<>(), n);
            Long v = Text.hex(m.group(2));
            if (v != null) internal.data().add(v);
            return true;
        }
        flushInternal();
        if ((m = INTERNAL.matcher(s)).find()) {
            Long sub = Text.number(m.group(1));
            internal = new InternalBuilder(sub == null || sub > Integer.MAX_VALUE ? null : sub.intValue(), new ArrayList<>(), n);
            return true;
        }
        if ((m = ENTRY.matcher(s)).find()) return add(new KvmEvent.EntryFailed(Text.hexAny(m.group(1)), null, "QEMU", n));
        if ((m = FAIL_REASON.matcher(s)).find()) return add(new KvmEvent.EntryFailed(Text.hexAny(m.group(1)), null, "VMM", n));
        if ((m = FAIL_CH.matcher(s)).find()) {
            Long cpu = Text.number(m.group(2));
            return add(new KvmEvent.EntryFailed(Text.number(m.group(1)), cpu == null || cpu > 65535 ? null : cpu.intValue(),
                    "cloud-hypervisor", n));
        }
        if ((m = XEN_ENTRY.matcher(s)).find()) return add(new KvmEvent.EntryFailed(Text.hexAny(m.group(1)), null, "Xen", n));
        if ((m = UNHANDLED_EXIT.matcher(s)).find() && Text.hex(m.group(1)) != null) {
            return add(new KvmEvent.UnhandledExit(Text.hex(m.group(1)), n));
        }
        if ((m = RUN_ERRNO.matcher(s)).find() && Text.number(m.group(1)) != null) {
            return add(new KvmEvent.RunErrno(-Text.number(m.group(1)), "", n));
        }
        if ((m = RUN_FAILED.matcher(s)).find()) {
            String t = m.group(1).strip();
            long e = t.startsWith("Invalid argument") ? 22 : t.startsWith("Bad address") ? 14 : t.startsWith("Operation not"
                    + " permitted") ? 1 : t.startsWith("Input/output error") ? 5 : t.startsWith("Cannot allocate memory") ? 12 : 0;
            return add(new KvmEvent.RunErrno(e, t, n));
        }
        if ((m = PUT_REGS.matcher(s)).find()) return add(new KvmEvent.StateRejected("registers", m.group(2).strip(), n));
        if ((m = SET_IOCTL.matcher(s)).find()) return add(new KvmEvent.StateRejected(m.group(1), m.group(3).strip(), n));
        if (msr(s, n)) return true;
        if (s.contains("FAILED VMRUN WITH VMCB")) return add(new KvmEvent.VmcbDump(n));
        if ((m = VMCS_CPU.matcher(s)).find()) {
            Long cpu = Text.number(m.group(1));
            return add(new KvmEvent.VmcsDump(cpu == null || cpu > 65535 ? null : cpu.intValue(), "Linux", n));
        }
        if (s.contains("*** Guest State ***")) {
            if (!events.isEmpty() && events.getLast() instanceof KvmEvent.VmcsDump) return true;
            return add(new KvmEvent.VmcsDump(null, "Linux", n));
        }
        if (s.contains("VMCS Area") || s.matches("\\s*sel\\s+attr\\s+limit\\s+base\\s*")) return true;
        if (FAIL_BARE.matcher(s).find()) return add(new KvmEvent.EntryFailed(null, null, "VMM", n));
        if (INTERNAL_BARE.matcher(s).find()) return add(new KvmEvent.InternalError(null, List.of(), n));
        return state(l, s) || cpuinfo(s, n);
    }

    private boolean msr(String s, int n) {
        Matcher m;
        if ((m = MSR_NEW.matcher(s)).find() && Text.hexAny(m.group(4)) != null) {
            return add(new KvmEvent.UnhandledMsr(m.group(3).equalsIgnoreCase("WRMSR"), Text.hexAny(m.group(4)),
                    m.group(5) == null ? null : Text.hexAny(m.group(5)), vcpu(m.group(1)), Text.hexAny(m.group(2)), n));
        }
        if ((m = MSR_OLD.matcher(s)).find() && Text.hexAny(m.group(4)) != null) {
            return add(new KvmEvent.UnhandledMsr(m.group(3).equalsIgnoreCase("wrmsr"), Text.hexAny(m.group(4)),
                    m.group(5) == null ? null : Text.hex(m.group(5)), vcpu(m.group(1)),
                    m.group(2) == null ? null : Text.hexAny(m.group(2)), n));
        }
        if ((m = MSR_BARE.matcher(s)).find() && Text.hexAny(m.group(2)) != null) {
            return add(new KvmEvent.UnhandledMsr(m.group(1).equalsIgnoreCase("wrmsr"), Text.hexAny(m.group(2)),
                    m.group(3) == null ? null : Text.hex(m.group(3)), null, null, n));
        }
        return false;
    }

    /** dump_vmcs, Xen's VMCS dump, dump_vmcb's save area and kontain km's KVM_GET_REGS/SREGS lines. */
    private boolean state(Line l, String s) {
        Matcher m;
        if ((m = CR_SHADOW.matcher(s)).find()) {
            put(regs, m.group(1).toUpperCase(), m.group(2));
            put(extra, m.group(1).toUpperCase() + ".shadow", m.group(3));
            return true;
        }
        if ((m = CR_ACTUAL.matcher(s)).find()) { // mail-wrapped: "shadow=..." follows on the next line
            put(regs, m.group(1).toUpperCase(), m.group(2));
            return true;
        }
        if (s.startsWith("shadow=")) {
            Long v = Text.hexAny(s.substring(7).split(",")[0]);
            if (v != null) extra.put(regs.containsKey("CR4") ? "CR4.shadow" : "CR0.shadow", v);
            return v != null;
        }
        if ((m = VMCS_SEG.matcher(s)).find()) {
            String name = m.group(1).toUpperCase();
            if (name.endsWith("DTR") && !name.equals("LDTR")) return true;
            seg(name.equals("LDTR") ? "LDT" : name, m.group(2), m.group(5), m.group(4), Text.hexAny(m.group(3)), l);
            return true;
        }
        if ((m = XEN_SEG.matcher(s)).find()) {
            seg(m.group(1).equals("LDTR") ? "LDT" : m.group(1), m.group(2), m.group(5), m.group(4), Text.hex(m.group(3)), l);
            return true;
        }
        if (s.startsWith("CR3 = ") || s.startsWith("RSP = ") || s.startsWith("RFLAGS=") || s.startsWith("PDPTE")
                || s.startsWith("Sysenter RSP=") || s.startsWith("GDTR:") || s.startsWith("IDTR:")) {
            m = EQ.matcher(s);
            while (m.find()) put(regs, m.group(1).toUpperCase(), m.group(2));
            return true;
        }
        if ((m = VMCB_SAVE.matcher(s)).find() && !events.isEmpty() && events.getLast() instanceof KvmEvent.VmcbDump) {
            Matcher all = VMCB_ALL.matcher(s);
            while (all.find()) put(extra, "VMCB." + all.group(1).toUpperCase(), all.group(2));
            return true;
        }
        return km(s);
    }

    private boolean km(String s) {
        Matcher m;
        if ((m = LOWER_REG.matcher(s)).find()) {
            String name = m.group(1).toUpperCase();
            put(regs, name.equals("RFLAGS") ? "RFL" : name, m.group(2));
            return true;
        }
        if (s.startsWith("== KVM_GET_")) return true;
        if ((m = KM_SEG.matcher(s)).find()) {
            kmSegName = m.group(1);
            kmSeg = new long[] {hx(m.group(2)), hx(m.group(3)), hx(m.group(4)), hx(m.group(5)), hx(m.group(6))};
            return true;
        }
        if (kmSeg != null && (m = KM_SEG2.matcher(s.strip())).find()) {
            long ar = (kmSeg[3] & 0xf) | (hx(m.group(3)) & 1) << 4 | (hx(m.group(1)) & 3) << 5
                    | (kmSeg[4] & 1) << 7 | (hx(m.group(6)) & 1) << 12 | (hx(m.group(4)) & 1) << 13
                    | (hx(m.group(2)) & 1) << 14 | (hx(m.group(5)) & 1) << 15 | (hx(m.group(7)) & 1) << 16;
            segs.add(new QemuDump.Segment(kmSegName, (int) (kmSeg[2] & 0xffff), kmSeg[0], kmSeg[1], QemuDump.Segment.flagsOfAr(ar),
                    "", 0, false));
            kmSeg = null;
            return true;
        }
        if ((m = KM_CODE.matcher(s)).find() && regs.containsKey("RIP")) {
            String bytes = m.group(2).strip().replace("0x", "");
            code = "<" + bytes.substring(0, 2) + ">" + bytes.substring(2);
            return true;
        }
        m = KM_REG.matcher(s);
        boolean any = false;
        while (m.find()) {
            Long v = Text.hexAny(m.group(2));
            if (v != null) {
                regs.put(m.group(1), v);
                any = true;
            }
        }
        return any && s.matches("(\\s*R[A-Z0-9]{1,5}:\\s+0x[0-9a-f]+)+\\s*");
    }

    private boolean cpuinfo(String s, int n) {
        Matcher m = CPUINFO.matcher(s);
        if (!m.find()) return false;
        if (m.group(1).equals("vendor_id")) {
            vendorId = m.group(2).strip();
            return true;
        }
        return add(new KvmEvent.HostCpu(vendorId, m.group(2).strip(), n));
    }

    private void seg(String name, String sel, String base, String limit, Long ar, Line l) {
        Long s = Text.hexAny(sel), b = Text.hexAny(base), li = Text.hexAny(limit);
        if (s == null || b == null || li == null || ar == null) return;
        segs.removeIf(x -> x.name().equals(name));
        segs.add(new QemuDump.Segment(name, (int) (s & 0xffff), b, li, QemuDump.Segment.flagsOfAr(ar), "", l.number(), false));
    }

    private static long hx(String s) {
        Long v = Text.hexAny(s);
        return v == null ? 0 : v;
    }

    private static void put(Map<String, Long> m, String k, String hex) {
        Long v = Text.hexAny(hex);
        if (v != null) m.put(k, v);
    }

    private static Integer vcpu(String s) {
        Long v = Text.number(s);
        return v == null || v > 1 << 20 ? null : v.intValue();
    }

    private boolean add(KvmEvent e) {
        if (e instanceof KvmEvent.EntryFailed f && !events.isEmpty() && events.getLast() instanceof KvmEvent.EntryFailed p
                && java.util.Objects.equals(p.reason(), f.reason()) && java.util.Objects.equals(p.cpu(), f.cpu())
                && f.line() - p.line() <= 3) {
            return true; // the same failure printed again as "Caused by: ..."
        }
        events.add(e);
        return true;
    }

    void flushInternal() {
        if (internal == null) return;
        events.add(new KvmEvent.InternalError(internal.suberror(), List.copyOf(internal.data()), internal.line()));
        internal = null;
    }

    String code() { return code; }

    String vendorId() { return vendorId; }
}
