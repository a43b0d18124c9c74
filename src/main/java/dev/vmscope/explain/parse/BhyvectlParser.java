package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * "bhyvectl --get-all" output for any --cpu, AMD or Intel, with or without the memory map and statistics. Line
 * shapes follow usr.sbin/bhyvectl/bhyvectl.c (show_memseg, show_memmap, print_cpus, capabilities, stats) and
 * usr.sbin/bhyvectl/amd64/bhyvectl_machdep.c (get_all_registers "rip[%d]\t\t0x%016lx", get_all_segments
 * "ds desc[%d]\t0x%016lx/0x%08x/0x%08x", get_misc_vmcb "cr_intercept[%d]\t0x%08x", get_misc_vmcs, print_intinfo).
 */
public final class BhyvectlParser implements DumpParser {
    static final String EXPECTED = "a bhyvectl line such as 'NAME[VCPU]<tab>VALUE', a memory map row or a section header";
    /** VMCB-only names (get_misc_vmcb and the AMD branches of bhyvectl_md_main). */
    static final Set<String> AMD_FIELDS = Set.of("cr_intercept", "dr_intercept", "exc_intercept", "inst1_intercept",
            "inst2_intercept", "TLB ctrl", "exitinfo1", "exitinfo2", "exitintinfo", "v_irq/tpr", "rvi/npt", "asid",
            "AVIC apic_bar", "AVIC backing page", "AVIC logical table", "AVIC physical table", "io_bitmap");
    /** VMCS-only names (get_misc_vmcs and the Intel branches of bhyvectl_md_main). */
    static final Set<String> INTEL_FIELDS = Set.of("cr0_mask", "cr0_shadow", "cr4_mask", "cr4_shadow",
            "pinbased_ctls", "procbased_ctls", "procbased_ctls2", "gla", "gpa", "entry_interruption_info",
            "instruction_error", "exit_ctls", "entry_ctls", "host_cr0", "host_cr3", "host_cr4", "host_rip", "eptp",
            "vpid", "vmcs_exit_qualification", "vmcs_exit_interruption_info", "vmcs_guest_interruptibility",
            "io_bitmap_a", "io_bitmap_b", "cr3_target_count");

    private enum Section { NONE, MEMSEG, MEMMAP, STATS }

    @Override
    public Format format() { return Format.BHYVECTL_GET_ALL; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            String s = l.text().strip();
            if (s.startsWith("Address     Length      Segment") || s.startsWith("ID  Length      Name")) n += 5;
            int lb = s.indexOf('[');
            if (lb > 0 && s.indexOf("]\t") > lb) {
                String name = s.substring(0, lb);
                if (Set.of("rip", "rsp", "rflags", "cr0", "cr3", "cr4", "efer", "exit_reason").contains(name)
                        || AMD_FIELDS.contains(name) || INTEL_FIELDS.contains(name)) {
                    n += 3;
                }
            }
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> lines) {
        return parse(file, lines, Format.BHYVECTL_GET_ALL, false);
    }

    /** With {@code statsOnly}, lines before any "vcpuN stats:" header are statistics of an unknown vCPU (-1). */
    static BhyvectlDump parse(String file, List<Line> lines, Format format, boolean statsOnly) {
        List<Field> fields = new ArrayList<>();
        List<BhyvectlDump.MemMapping> memmap = new ArrayList<>();
        List<BhyvectlDump.MemSeg> memsegs = new ArrayList<>();
        List<BhyvectlDump.CpuSet> cpus = new ArrayList<>();
        List<BhyvectlDump.Capability> caps = new ArrayList<>();
        List<BhyvectlDump.IntInfo> intinfo = new ArrayList<>();
        List<BhyvectlDump.VmStat> stats = new ArrayList<>();
        List<Unparsed> bad = new ArrayList<>();
        BhyveExitLines exits = new BhyveExitLines();
        Section sec = statsOnly ? Section.STATS : Section.NONE;
        int statVcpu = -1;
        for (Line l : lines) {
            String t = l.text();
            String s = t.strip();
            if (s.isEmpty()) continue;
            if (exits.accept(l)) continue;
            if (s.startsWith("ID  Length      Name") || s.equals("ID Length Name")) {
                sec = Section.MEMSEG;
                continue;
            }
            if (s.startsWith("Address     Length      Segment") || s.startsWith("Address Length Segment")) {
                sec = Section.MEMMAP;
                continue;
            }
            int hv = VmStatLines.header(s);
            if (hv >= 0) {
                sec = Section.STATS;
                statVcpu = hv;
                continue;
            }
            if (sec == Section.MEMSEG) {
                BhyvectlDump.MemSeg m = memseg(l);
                if (m != null) {
                    memsegs.add(m);
                    continue;
                }
            } else if (sec == Section.MEMMAP) {
                BhyvectlDump.MemMapping m = memmap(l);
                if (m != null) {
                    memmap.add(m);
                    continue;
                }
            } else if (sec == Section.STATS) {
                BhyvectlDump.VmStat st = VmStatLines.stat(statVcpu, l);
                if (st != null) {
                    stats.add(st);
                    continue;
                }
            }
            sec = Section.NONE;
            if (!other(l, s, fields, cpus, caps, intinfo)) bad.add(new Unparsed(l.number(), t, EXPECTED));
        }
        exits.close();
        repeated(fields, bad);
        Vendor v = vendor(fields, exits.vendor());
        return new BhyvectlDump(file, format, v, fields, memmap, memsegs, cpus, caps, intinfo, stats,
                List.copyOf(exits.exits), bad);
    }

    /**
     * Two --get-all outputs of one vCPU pasted together: a register read again with another value belongs to a second
     * snapshot. The first is explained; each differing later value is reported, so nothing is silently dropped.
     */
    private static void repeated(List<Field> fields, List<Unparsed> bad) {
        java.util.Map<String, Field> first = new java.util.HashMap<>();
        java.util.Iterator<Field> it = fields.iterator();
        while (it.hasNext()) {
            Field f = it.next();
            Field was = first.putIfAbsent(f.name() + "[" + f.vcpu() + "]", f);
            if (was == null) continue;
            it.remove();
            if (!java.util.Arrays.equals(was.values(), f.values()) || !was.raw().equals(f.raw())) {
                bad.add(new Unparsed(f.line(), f.name() + "[" + f.vcpu() + "] " + f.raw(), "one value per register: this is a"
                        + " second snapshot (first value " + was.raw() + " at line " + was.line() + "); vmscope explains the"
                        + " first snapshot only"));
            }
        }
    }

    private static Vendor vendor(List<Field> fields, Vendor fromExits) {
        int amd = 0, intel = 0;
        for (Field f : fields) {
            if (AMD_FIELDS.contains(f.name())) amd++;
            if (INTEL_FIELDS.contains(f.name())) intel++;
        }
        if (amd > intel) return Vendor.AMD;
        if (intel > amd) return Vendor.INTEL;
        if (fromExits != Vendor.UNKNOWN) return fromExits;
        // The guest EFER bhyvectl reads is the VMCB's on AMD, where VMRUN requires SVME=1 (APM vol. 2, 15.5.1);
        // VMX guests never run with EFER.SVME set.
        for (Field f : fields) {
            if (f.name().equals("efer") && f.numeric() && (f.value() & 1L << 12) != 0) return Vendor.AMD;
        }
        return fromExits;
    }

    private static boolean other(Line l, String s, List<Field> fields, List<BhyvectlDump.CpuSet> cpus,
            List<BhyvectlDump.Capability> caps, List<BhyvectlDump.IntInfo> intinfo) {
        for (String set : new String[] {"active cpus:", "suspended cpus:", "debug cpus:"}) {
            if (s.startsWith(set)) {
                List<Integer> ids = cpuList(s.substring(set.length()));
                if (ids == null) return false;
                cpus.add(new BhyvectlDump.CpuSet(set.substring(0, set.length() - 1), ids, l.number()));
                return true;
            }
        }
        if (s.startsWith("pending:") || s.startsWith("current:")) {
            BhyvectlDump.IntInfo ii = intinfo(l, s);
            if (ii == null) return false;
            intinfo.add(ii);
            return true;
        }
        if (s.startsWith("Capability \"")) {
            int q = s.indexOf('"', 12);
            if (q < 0) return false;
            String rest = s.substring(q + 1).strip();
            String state = rest.startsWith("is set") ? "set" : rest.startsWith("is not set") ? "not set"
                    : rest.startsWith("is not available") ? "not available" : null;
            if (state == null) return false;
            caps.add(new BhyvectlDump.Capability(s.substring(12, q), state, l.number()));
            return true;
        }
        if (s.startsWith("cpu_topology:") || s.startsWith("errno = ") || s.startsWith("rtc time ")
                || s.startsWith("rtc nvram[")) {
            int c = s.startsWith("errno = ") ? 5 : s.indexOf(':');
            if (c < 0) return false;
            String name = s.substring(0, c).strip();
            String raw = s.substring(c + (s.charAt(c) == ':' ? 1 : 0)).strip();
            if (raw.startsWith("= ")) raw = raw.substring(2);
            Long n = Text.number(raw.split(" ")[0]);
            fields.add(new Field(name, -1, raw, n == null ? new long[0] : new long[] {n}, l.number()));
            return true;
        }
        return register(l, s, fields);
    }

    /** "NAME[VCPU]<whitespace>VALUE" where VALUE is hex, decimal, "a/b/c" (descriptor) or text such as "RW". */
    private static boolean register(Line l, String s, List<Field> fields) {
        int lb = s.indexOf('[');
        int rb = lb < 0 ? -1 : s.indexOf(']', lb);
        if (lb <= 0 || rb < 0 || rb + 1 < s.length() && !Character.isWhitespace(s.charAt(rb + 1))) return false;
        Long vcpu = Text.number(s.substring(lb + 1, rb));
        if (vcpu == null || vcpu < 0 || vcpu > 65535) return false;
        String name = s.substring(0, lb).strip();
        String raw = s.substring(rb + 1).strip();
        if (raw.isEmpty() || name.isEmpty()) return false;
        String[] parts = raw.split("/");
        long[] vals = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long n = Text.number(parts[i]);
            if (n == null) {
                vals = new long[0];
                break;
            }
            vals[i] = n;
        }
        fields.add(new Field(name, vcpu.intValue(), raw, vals, l.number()));
        return true;
    }

    /** " 0, 1, 3" or " (none)". */
    private static List<Integer> cpuList(String s) {
        s = s.strip();
        List<Integer> out = new ArrayList<>();
        if (s.equals("(none)")) return out;
        for (String p : s.split(",")) {
            Long v = Text.number(p.strip());
            if (v == null || v < 0 || v > 65535) return null;
            out.add(v.intValue());
        }
        return out;
    }

    /** "pending:\texception vector 6 errcode 0x0" or "current:\tn/a". */
    private static BhyvectlDump.IntInfo intinfo(Line l, String s) {
        String which = s.substring(0, 7);
        String[] w = s.substring(8).strip().split("\\s+");
        if (w.length == 1 && w[0].equals("n/a")) return new BhyvectlDump.IntInfo(which, false, null, -1, null, l.number());
        if (w.length < 3 || !w[1].equals("vector")) return null;
        Long vec = Text.number(w[2]);
        if (vec == null || vec < 0 || vec > 255) return null;
        Long err = w.length >= 5 && w[3].equals("errcode") ? Text.number(w[4]) : null;
        return new BhyvectlDump.IntInfo(which, true, w[0], vec.intValue(), err, l.number());
    }

    private static BhyvectlDump.MemSeg memseg(Line l) {
        String[] w = l.text().strip().split("\\s+");
        if (w.length < 2) return null;
        Long id = Text.number(w[0]);
        long bytes = humanized(w[1]);
        if (id == null || id < 0 || id > 65535 || bytes < 0) return null;
        return new BhyvectlDump.MemSeg(id.intValue(), w[1], bytes, w.length > 2 ? w[2] : "sysmem", l.number());
    }

    /** "%-12lX%-12s%-12s%-12lX%c%c%c   flags"; the NUL that precedes the first flag arrives as a space. */
    private static BhyvectlDump.MemMapping memmap(Line l) {
        String[] w = l.text().strip().split("\\s+");
        if (w.length < 5) return null;
        Long gpa = Text.hex(w[0]);
        long len = humanized(w[1]);
        Long off = Text.hex(w[3]);
        if (gpa == null || len < 0 || off == null || !w[4].matches("[R-][W-][X-]")) return null;
        String flags = w.length > 5 ? String.join(" ", java.util.Arrays.copyOfRange(w, 5, w.length)) : "";
        return new BhyvectlDump.MemMapping(gpa, w[1], len, w[2], off, w[4], flags, l.number());
    }

    /**
     * humanize_number(3) text with HN_AUTOSCALE|HN_NOSPACE and suffix "B" ("2048MB", "128KB", "512B", "1.0GB"):
     * bytes, or -1. Approximate when the text was rounded.
     */
    static long humanized(String s) {
        if (s.endsWith("B")) s = s.substring(0, s.length() - 1);
        if (s.isEmpty()) return -1;
        int shift = switch (s.charAt(s.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            case 'P' -> 50;
            case 'E' -> 60;
            default -> 0;
        };
        if (shift > 0) s = s.substring(0, s.length() - 1);
        try {
            double d = Double.parseDouble(s);
            if (!(d >= 0) || d > 1e6 || !s.matches("[0-9]+(\\.[0-9]+)?")) return -1;
            return (long) (d * (1L << shift));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
