package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text twin of a vmscope crash report, line shapes as written by dev.vmscope.debug.CrashReport.write and
 * CrashSections (registers "%-3s %016x", flags "%-6s 0x%x [..]", segments "%-3s sel %04x base %016x limit %08x
 * attr %05x (..)", "== vCPU n ==" / "== memory map ==" / "== last exits (flight recorder) ==" / "== exit
 * statistics ==" headings). Never throws: a line of unexpected shape becomes {@link Unparsed}.
 */
final class CrashTextReader {
    static final String EXPECTED = "a vmscope crash report line (register, segment, section heading or recorder entry)";
    private static final Pattern GPRS = Pattern.compile("(?:(r\\w{1,2})\\s+([0-9a-f]{16})\\s*)+");
    private static final Pattern GPR = Pattern.compile("(r\\w{1,2})\\s+([0-9a-f]{16})");
    private static final Pattern RIP = Pattern.compile("rip ([0-9a-f]{16})\\s+mode (\\d+)-bit\\s+mp_state (\\S+)");
    private static final Pattern FLAGREG = Pattern.compile("(rflags|cr0|cr4|efer|dr6)\\s+0x([0-9a-f]+) \\[[^\\]]*\\]");
    private static final Pattern PLAIN = Pattern.compile("(cr2|cr3|cr8)\\s+0x([0-9a-f]+)");
    private static final Pattern SEG = Pattern.compile("(cs|ds|es|fs|gs|ss|tr|ldt)\\s+sel ([0-9a-f]{4}) base ([0-9a-f]{16})"
            + " limit ([0-9a-f]{8}) attr ([0-9a-f]{5}) \\(.*\\)");
    private static final Pattern TABLES = Pattern.compile("gdt base ([0-9a-f]{16}) limit ([0-9a-f]{4})\\s+idt base"
            + " ([0-9a-f]{16}) limit ([0-9a-f]{4})");
    private static final Pattern DR = Pattern.compile("dr0-3\\s+([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)\\s+dr7 ([0-9a-f]+)");
    private static final Pattern RAM = Pattern.compile("(RAM|ROM) 0x([0-9a-f]{16})-0x([0-9a-f]{16}) \\(\\d+ KiB\\)");
    private static final Pattern REC = Pattern.compile("vCPU (\\d+): (\\d+) exits recorded, last (\\d+):");
    private static final Pattern EXIT = Pattern.compile("t=(\\d+) rip=0x([0-9a-f]+) (([A-Z_0-9]+).*)");
    private static final Pattern CPU = Pattern.compile("== vCPU (\\d+) ==");
    private static final Pattern BY_REASON = Pattern.compile("\\{key=(KVM_EXIT_[A-Z_0-9]+|EXIT_\\d+), count=(\\d+)");

    private enum Part { HEAD, HOST, CPU, MEMORY, RECORDER, STATS }
    /** "  cpu_model       AMD EPYC": CrashReport writes "%-15s %s". */
    private static final Pattern HOST_LINE = Pattern.compile("([a-z_]+)\\s+(.*)");

    private final List<Unparsed> bad = new ArrayList<>();
    private final List<VmscopeCrashDump.Cpu> cpus = new ArrayList<>();
    private final List<VmscopeCrashDump.Ram> ram = new ArrayList<>();
    private final List<VmscopeCrashDump.Recorder> recorders = new ArrayList<>();
    private final Map<String, String> stats = new LinkedHashMap<>();
    private final Map<String, Long> byReason = new LinkedHashMap<>();
    private final Map<String, String> host = new LinkedHashMap<>();
    private String time;
    private VmscopeCrashDump.Cause cause;
    private CpuBuilder cpu;
    private VmscopeCrashDump.Recorder rec;
    private String lastStat;

    VmscopeCrashDump read(String file, List<Line> lines) {
        Part part = Part.HEAD;
        for (Line l : lines) {
            String s = l.text().strip();
            if (s.isEmpty()) continue;
            Matcher m;
            if ((m = CPU.matcher(s)).matches()) {
                finishCpu();
                Long v = Text.number(m.group(1));
                cpu = new CpuBuilder(v == null || v > Integer.MAX_VALUE ? -1 : v.intValue(), l.number());
                part = Part.CPU;
                continue;
            }
            if (s.startsWith("== ") && s.endsWith(" ==")) {
                finishCpu();
                part = switch (s) {
                    case "== host ==" -> Part.HOST;
                    case "== memory map ==" -> Part.MEMORY;
                    case "== last exits (flight recorder) ==" -> Part.RECORDER;
                    case "== exit statistics ==" -> Part.STATS;
                    default -> null;
                };
                if (part == null) {
                    bad.add(new Unparsed(l.number(), l.text(), "a known crash report section heading"));
                    part = Part.HEAD;
                }
                continue;
            }
            boolean ok = switch (part) {
                case HEAD -> head(s, l);
                case HOST -> hostLine(s);
                case CPU -> cpu.line(s, l);
                case MEMORY -> memory(s, l);
                case RECORDER -> recorder(s, l);
                case STATS -> stat(s);
            };
            if (!ok) bad.add(new Unparsed(l.number(), l.text(), EXPECTED));
        }
        finishCpu();
        List<VmscopeCrashDump.ReasonCount> rc = new ArrayList<>();
        byReason.forEach((k, v) -> rc.add(new VmscopeCrashDump.ReasonCount(k, v)));
        return new VmscopeCrashDump(file, false, time, cause, cpus, ram, recorders, stats, rc, host, bad);
    }

    private boolean hostLine(String s) {
        Matcher m = HOST_LINE.matcher(s);
        if (!m.matches()) return false;
        host.put(m.group(1), m.group(2).strip());
        return true;
    }

    private void finishCpu() {
        if (cpu != null) cpus.add(cpu.build());
        cpu = null;
    }

    private boolean head(String s, Line l) {
        if (s.startsWith("vmscope crash report ")) {
            time = s.substring(21).strip();
            return true;
        }
        if (s.startsWith("cause: ")) {
            cause = CrashCauses.fromTitle(s.substring(7), l.number());
            return true;
        }
        return false;
    }

    private boolean memory(String s, Line l) {
        Matcher m = RAM.matcher(s);
        if (!m.matches()) return false;
        ram.add(new VmscopeCrashDump.Ram(Text.hex(m.group(2)), Text.hex(m.group(3)), m.group(1).toLowerCase(java.util.Locale.ROOT),
                l.number()));
        return true;
    }

    private boolean recorder(String s, Line l) {
        Matcher m = REC.matcher(s);
        if (m.matches()) {
            Long v = Text.number(m.group(1)), total = Text.number(m.group(2));
            if (v == null || total == null || v > Integer.MAX_VALUE) return false;
            rec = new VmscopeCrashDump.Recorder(v.intValue(), total, new ArrayList<>(), l.number());
            recorders.add(rec);
            return true;
        }
        m = EXIT.matcher(s);
        if (rec == null || !m.matches()) return false;
        Long t = Text.number(m.group(1)), rip = Text.hex(m.group(2));
        if (t == null || rip == null) return false;
        rec.exits().add(new VmscopeCrashDump.Exit(t, m.group(4), rip, m.group(3), l.number()));
        return true;
    }

    /** "key: value"; a line without that shape continues the previous value (stop_reason spans two lines). */
    private boolean stat(String s) {
        int c = s.indexOf(": ");
        if (c > 0 && s.substring(0, c).matches("[a-z_]+")) {
            lastStat = s.substring(0, c);
            stats.put(lastStat, s.substring(c + 2));
            if (lastStat.equals("vcpus")) {
                Matcher m = BY_REASON.matcher(s);
                while (m.find()) {
                    Long n = Text.number(m.group(2));
                    if (n != null) byReason.merge(m.group(1), n, Long::sum);
                }
            }
            return true;
        }
        if (lastStat == null) return false;
        stats.merge(lastStat, s, (a, b) -> a + "\n" + b);
        return true;
    }

    /** Collects one "== vCPU n ==" block. */
    private static final class CpuBuilder {
        final int vcpu, line;
        final Map<String, Long> regs = new LinkedHashMap<>();
        final List<VmscopeCrashDump.Segment> segs = new ArrayList<>();
        VmscopeCrashDump.Table gdt, idt;
        String events, mp, codeSource, error;
        Integer bits;
        List<String> code;

        CpuBuilder(int vcpu, int line) {
            this.vcpu = vcpu;
            this.line = line;
        }

        boolean line(String s, Line l) {
            Matcher m;
            if (code != null && s.startsWith("0x") && s.contains(": ")) {
                code.add(s);
                return true;
            }
            if (GPRS.matcher(s).matches()) {
                m = GPR.matcher(s);
                while (m.find()) regs.put(m.group(1), Text.hex(m.group(2)));
                return true;
            }
            if ((m = RIP.matcher(s)).matches()) {
                regs.put("rip", Text.hex(m.group(1)));
                Long b = Text.number(m.group(2));
                bits = b == null || b > 64 ? null : b.intValue();
                mp = m.group(3);
                return true;
            }
            if ((m = FLAGREG.matcher(s)).matches() || (m = PLAIN.matcher(s)).matches()) {
                Long v = Text.hex(m.group(2));
                if (v == null) return false;
                regs.put(m.group(1), v);
                return true;
            }
            if ((m = SEG.matcher(s)).matches()) {
                segs.add(new VmscopeCrashDump.Segment(m.group(1), Text.hex(m.group(2)).intValue(), Text.hex(m.group(3)),
                        Text.hex(m.group(4)), Text.hex(m.group(5)).intValue(), l.number()));
                return true;
            }
            if ((m = TABLES.matcher(s)).matches()) {
                gdt = new VmscopeCrashDump.Table(Text.hex(m.group(1)), Text.hex(m.group(2)));
                idt = new VmscopeCrashDump.Table(Text.hex(m.group(3)), Text.hex(m.group(4)));
                return true;
            }
            if ((m = DR.matcher(s)).matches()) {
                Long[] v = {Text.hex(m.group(1)), Text.hex(m.group(2)), Text.hex(m.group(3)), Text.hex(m.group(4)), Text.hex(m.group(5))};
                for (Long x : v) if (x == null) return false;
                for (int i = 0; i < 4; i++) regs.put("dr" + i, v[i]);
                regs.put("dr7", v[4]);
                return true;
            }
            if (s.startsWith("kernel_gs_base ")) {
                Long v = Text.hex(s.substring(15).strip());
                if (v != null) regs.put("kernel_gs_base", v);
                return v != null;
            }
            if (s.startsWith("events ")) {
                events = s.substring(7).strip();
                return true;
            }
            if (s.startsWith("code at rip (") && s.endsWith("):")) {
                codeSource = s.substring(13, s.length() - 2);
                code = new ArrayList<>();
                return true;
            }
            if (s.startsWith("code at rip: ")) {
                codeSource = s.substring(13);
                code = null;
                return true;
            }
            if (s.startsWith("state unavailable: ")) {
                error = s.substring(19);
                return true;
            }
            return false;
        }

        VmscopeCrashDump.Cpu build() {
            return new VmscopeCrashDump.Cpu(vcpu, regs, segs, gdt, idt, events, mp, bits,
                    code == null ? List.of() : code, codeSource, error, line);
        }
    }
}
