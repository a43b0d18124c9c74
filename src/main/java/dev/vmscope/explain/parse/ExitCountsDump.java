package dev.vmscope.explain.parse;

import java.util.List;

/**
 * Exit counts per reason from tools that are not perf: bcc's kvmexit.py ("TGID PID KVM_EXIT_REASON STAT"), the
 * SystemTap example kvm_service_time.stp ("reason: count sum(us) min(us) avg(us) max(us)") and DTrace scripts
 * printing "SVM code Count" (illumos bhyve, propolis), with the NPF address and port tables those print.
 *
 * @param tool      which printer, for citations
 * @param evidence  why {@link #vendor} is what it is
 */
public record ExitCountsDump(String file, String tool, Vendor vendor, String evidence, List<Row> rows, List<Npf> npfs,
        List<Port> ports, List<Unparsed> unparsed) implements ParsedDump {

    /** name is the symbolic reason when printed (EXIT_REASON_HLT), else null and code holds the number. */
    public record Row(String name, long code, long count, Double avgUs, int line) {}

    public record Npf(long gpa, long rip, String flags, long count, int line) {}

    public record Port(int port, String op, long count, int line) {}

    @Override
    public Format format() { return Format.EXIT_COUNTS; }

    @Override
    public int recognized() { return rows.size() + npfs.size() + ports.size(); }
}
