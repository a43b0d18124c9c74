package dev.vmscope.explain.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Exit-count tables of bcc kvmexit, SystemTap kvm_service_time and DTrace "SVM code" scripts ({@link ExitCountsDump}). */
public final class ExitCountsParser implements DumpParser {
    static final String EXPECTED = "an exit-count row ('TGID PID EXIT_REASON_X COUNT', 'REASON: COUNT SUM MIN AVG MAX' or"
            + " 'SVMCODE COUNT')";
    private static final Pattern BCC = Pattern.compile("^(?:\\^C)?\\d+\\s+\\d+\\s+(EXIT_REASON_\\w+|SVM_EXIT_\\w+)\\s+(\\d+)\\s*$");
    private static final Pattern STAP = Pattern.compile("^(\\d+): (\\d+) (\\d+) (\\d+) (\\d+) (\\d+)$");
    private static final Pattern SVM_ROW = Pattern.compile("^([0-9a-f]{1,4})\\s+(\\d+)$");
    private static final Pattern NPF = Pattern.compile("^([0-9a-f]{4,16})\\s+([0-9a-f]{4,16})\\s+(\\S+)\\s+(\\d+)$");
    private static final Pattern PORT = Pattern.compile("^([0-9a-f]{1,4})\\s+(in|out)\\s+\\d+b\\s+\\d+b\\s+(\\d+)$");

    @Override
    public Format format() { return Format.EXIT_COUNTS; }

    @Override
    public int sniff(List<Line> lines) {
        int n = 0;
        for (Line l : lines) {
            String s = l.text().strip();
            if (s.contains("KVM_EXIT_REASON") && s.contains("STAT") || s.startsWith("SVM code") && s.contains("Count")
                    || s.startsWith("# reason: count sum(us)")) {
                n += 10;
            } else if (BCC.matcher(s).matches()) {
                n += 2;
            }
        }
        return n;
    }

    @Override
    public ParsedDump parse(String file, byte[] data, List<Line> raw) {
        List<ExitCountsDump.Row> rows = new ArrayList<>();
        List<ExitCountsDump.Npf> npfs = new ArrayList<>();
        List<ExitCountsDump.Port> ports = new ArrayList<>();
        List<Unparsed> bad = new ArrayList<>();
        String tool = "unknown", evidence = "";
        Vendor v = Vendor.UNKNOWN;
        boolean svmTable = false;
        for (Line l : Paste.normalize(raw)) {
            String s = l.text().strip();
            if (s.isEmpty() || s.startsWith("===") || s.startsWith("Display kvm exit") || s.startsWith("$ ")) continue;
            Matcher m;
            if (s.contains("KVM_EXIT_REASON") && s.contains("STAT")) {
                tool = "bcc tools/kvmexit.py";
                continue;
            }
            if (s.startsWith("#")) {
                if (s.contains("Intel exit reasons")) {
                    v = Vendor.INTEL;
                    evidence = "the script's header says the reasons are Intel's EXIT_REASON_* numbers";
                    tool = "SystemTap kvm_service_time.stp";
                } else if (s.contains("AMD exit reasons") || s.contains("SVM_EXIT")) {
                    v = Vendor.AMD;
                    evidence = "the script's header says the reasons are SVM exit codes";
                }
                continue;
            }
            if (s.startsWith("SVM code")) {
                svmTable = true;
                v = Vendor.AMD;
                evidence = "the table is headed 'SVM code': AMD SVM exit codes, in hex";
                tool = "DTrace SVM exit summary (illumos bhyve / propolis)";
                continue;
            }
            if (s.startsWith("IOIO SVM exits") || s.startsWith("NPF SVM exits") || s.startsWith("Port ") || s.startsWith("Guest PA")
                    || s.startsWith("vm_run()") || s.matches("\\w+\\s+\\d+") && !svmTable) {
                svmTable = svmTable && !s.startsWith("IOIO") && !s.startsWith("NPF");
                continue;
            }
            if ((m = BCC.matcher(s)).matches()) {
                Long c = Text.number(m.group(2));
                if (c != null) rows.add(new ExitCountsDump.Row(m.group(1), -1, c, null, l.number()));
                if (v == Vendor.UNKNOWN) {
                    v = m.group(1).startsWith("EXIT_REASON_") ? Vendor.INTEL : Vendor.AMD;
                    evidence = "the reason names are " + (v == Vendor.INTEL ? "VMX EXIT_REASON_* (Linux arch/x86/include/uapi/asm/vmx.h)"
                            : "SVM_EXIT_* (Linux arch/x86/include/uapi/asm/svm.h)");
                }
                continue;
            }
            if ((m = STAP.matcher(s)).matches()) {
                Long code = Text.number(m.group(1)), c = Text.number(m.group(2)), avg = Text.number(m.group(5));
                if (code != null && c != null) rows.add(new ExitCountsDump.Row(null, code, c, avg == null ? null : avg.doubleValue(), l.number()));
                continue;
            }
            if (svmTable && (m = SVM_ROW.matcher(s)).matches()) {
                Long code = Text.hex(m.group(1)), c = Text.number(m.group(2));
                if (code != null && c != null) rows.add(new ExitCountsDump.Row(null, code, c, null, l.number()));
                continue;
            }
            if ((m = NPF.matcher(s)).matches()) {
                Long gpa = Text.hex(m.group(1)), rip = Text.hex(m.group(2)), c = Text.number(m.group(4));
                if (gpa != null && rip != null && c != null) npfs.add(new ExitCountsDump.Npf(gpa, rip, m.group(3), c, l.number()));
                continue;
            }
            if ((m = PORT.matcher(s)).matches()) {
                Long p = Text.hex(m.group(1)), c = Text.number(m.group(3));
                if (p != null && c != null) ports.add(new ExitCountsDump.Port(p.intValue(), m.group(2), c, l.number()));
                continue;
            }
            bad.add(new Unparsed(l.number(), l.text(), EXPECTED));
        }
        return new ExitCountsDump(file, tool, v, evidence, rows, npfs, ports, bad);
    }
}
