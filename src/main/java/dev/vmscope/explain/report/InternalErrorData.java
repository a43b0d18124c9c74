package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.BitLayout;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.EventInfo;
import dev.vmscope.facts.ExitCodeInfo;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The "extra data" words of KVM_EXIT_INTERNAL_ERROR, decoded as the kernel fills them per suberror:
 * 1 (EMULATION) by x86.c prepare_emulation_failure_exit() since Linux 5.14 (flags, optional instruction bytes, then
 * exit reason, info1, info2, interruption info, error code from get_exit_info()); 2 (SIMUL_EX) by vmx.c
 * handle_exception_nmi() (IDT-vectoring info, interruption info, error code, CPU); 3 (DELIVERY_EV) by vmx.c
 * __vmx_handle_exit() / x86.c kvm_prepare_event_vectoring_exit() (vectoring info, exit reason, qualification, GPA
 * for EPT misconfigurations, CPU); 4 (UNEXPECTED_EXIT_REASON) by x86.c kvm_prepare_unexpected_reason_exit().
 */
final class InternalErrorData {
    static final String SRC = "Linux arch/x86/kvm/x86.c prepare_emulation_failure_exit(), kvm_prepare_event_vectoring_exit(),"
            + " kvm_prepare_unexpected_reason_exit(); arch/x86/kvm/vmx/vmx.c __vmx_handle_exit(), handle_exception_nmi()";

    private final Report.Builder r;
    private final Vendor v;
    private final int line;
    private final String section;
    /** A guest-physical address the data named (suberror 3, EPT misconfiguration), else null. */
    Long gpa;

    InternalErrorData(Report.Builder r, Vendor v, int line, String section) {
        this.r = r;
        this.v = v;
        this.line = line;
        this.section = section;
    }

    void explain(int suberror, List<Long> d) {
        if (d.isEmpty()) {
            r.fact(section, "no extra data was printed: kernels before 5.14 report emulation failures without exit"
                    + " information (ndata 0)", SRC, line);
            return;
        }
        switch (suberror) {
            case 1 -> emulation(d);
            case 2 -> {
                event("extra data[0] (IDT-vectoring information: the event being delivered)", d.get(0));
                if (d.size() > 1) event("extra data[1] (VM-exit interruption information: the exception that interrupted it)", d.get(1));
                if (d.size() > 2) r.fact(section, "extra data[2] = 0x" + Long.toHexString(d.get(2)) + ": its error code", SRC, line);
                cpu(d, 3);
            }
            case 3 -> {
                event("extra data[0] (IDT-vectoring information: the event being delivered)", d.get(0));
                if (d.size() > 1) {
                    long reason = d.get(1);
                    exitReason("extra data[1]", reason);
                    if (d.size() > 2) qualification("extra data[2]", reason, d.get(2));
                    if ((reason & 0xffff) == 49 && d.size() > 3 || (reason == 0x400 && d.size() > 3)) {
                        gpa = d.get(3);
                        r.fact(section, "extra data[3] = 0x" + Long.toHexString(gpa) + ": the guest-physical address the"
                                + " event delivery touched (EPT misconfiguration: an MMIO address, not RAM)", SRC, line);
                        cpu(d, 4);
                    } else {
                        cpu(d, 3);
                    }
                }
            }
            case 4 -> {
                exitReason("extra data[0]", d.get(0));
                cpu(d, 1);
            }
            default -> r.fact(section, "the layout of extra data for suberror " + suberror + " is not known to vmscope",
                    dev.vmscope.facts.Sources.LINUX_KVM, line);
        }
    }

    private void emulation(List<Long> d) {
        long flags = d.get(0);
        r.fact(section, "extra data[0] = 0x" + Long.toHexString(flags) + ": the emulation-failure flags word"
                + ((flags & 1) != 0 ? " (bit 0 KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES: instruction bytes follow)"
                : " (no instruction bytes)"), SRC + "; " + dev.vmscope.facts.Sources.LINUX_KVM, line);
        int i = 1;
        if ((flags & 1) != 0) {
            if (d.size() < 3 || (d.get(1) & 0xff) == 0 || (d.get(1) & 0xff) > 15) {
                r.fact(section, "the instruction-bytes words do not hold a valid length (1-15): this data does not follow"
                        + " the Linux 5.14+ layout, so it is not decoded further", SRC, line);
                return;
            }
            byte[] b = new byte[16];
            for (int k = 0; k < 8; k++) {
                b[k] = (byte) (d.get(1) >>> (8 * k));
                b[k + 8] = (byte) (d.get(2) >>> (8 * k));
            }
            int n = b[0];
            byte[] insn = java.util.Arrays.copyOfRange(b, 1, 1 + n);
            r.fact(section, "extra data[1..2]: the " + n + " instruction bytes KVM failed to emulate: "
                    + HexFormat.ofDelimiter(" ").formatHex(insn) + CodeBytes.disassemble(insn, 64, 1)
                    .filter(x -> !x.isEmpty()).map(x -> " = " + x.getFirst() + " (if 64-bit code)").orElse(""), SRC, line);
            i = 3;
        }
        if (d.size() > i) {
            long reason = d.get(i);
            exitReason("extra data[" + i + "]", reason);
            if (d.size() > i + 1) qualification("extra data[" + (i + 1) + "]", reason, d.get(i + 1));
            if (d.size() > i + 2 && d.get(i + 2) != 0) event("extra data[" + (i + 2) + "] (info2: IDT-vectoring info on VMX,"
                    + " EXITINFO2 on SVM)", d.get(i + 2));
            if (d.size() > i + 3 && d.get(i + 3) != 0) event("extra data[" + (i + 3) + "] (exit interruption info)", d.get(i + 3));
        }
    }

    /** The exit reason by vendor; when the vendor is unknown, both readings (the paste does not settle it). */
    private void exitReason(String where, long reason) {
        Optional<ExitCodeInfo> vmx = Knowledge.exit(Vendor.INTEL, reason & 0xffff), svm = Knowledge.exit(Vendor.AMD, reason);
        String fail = (reason & 0x80000000L) != 0 && reason != 0xffffffffL ? " (bit 31: VM-entry failure)" : "";
        if (v == Vendor.INTEL) {
            r.fact(section, where + " = 0x" + Long.toHexString(reason) + ": the exit reason, VMX " + vmx.map(x -> x.name()
                    + " - " + x.meaning()).orElse("(not in the table)") + fail, vmx.map(ExitCodeInfo::source).orElse(SRC), line);
        } else if (v == Vendor.AMD) {
            r.fact(section, where + " = 0x" + Long.toHexString(reason) + ": the exit code, SVM " + svm.map(x -> x.name()
                    + " - " + x.meaning()).orElse("(not in the table)"), svm.map(ExitCodeInfo::source).orElse(SRC), line);
        } else {
            r.fact(section, where + " = 0x" + Long.toHexString(reason) + ": the hardware exit reason; the paste does not say"
                    + " which vendor, so both readings: on Intel VMX " + vmx.map(ExitCodeInfo::name).orElse("(none)") + fail
                    + ", on AMD SVM " + svm.map(ExitCodeInfo::name).orElse("(none)"), dev.vmscope.facts.Sources.SDM_EXIT
                    + "; " + dev.vmscope.facts.Sources.APM_EXITCODES, line);
        }
    }

    private void qualification(String where, long reason, long q) {
        boolean intel = v != Vendor.AMD;
        Optional<BitLayout> l = intel ? Knowledge.vmxQualification(reason) : Knowledge.svmExitInfo1(reason);
        if (l.isEmpty()) {
            r.fact(section, where + " = 0x" + Long.toHexString(q) + ": the exit qualification / EXITINFO1 (no layout for"
                    + " this exit)", SRC, line);
            return;
        }
        Decoded dec = l.get().decode(q);
        String extra = "";
        if (intel && (reason & 0xffff) == 48) {
            extra = (q & 0x38) == 0 ? "; bits 3-5 (readable/writable/executable) are all clear: the guest-physical page was"
                    + " not present in EPT - no memory is mapped there" : "";
            if ((q & 4) != 0) extra += "; the access was an instruction fetch";
        }
        r.fact(section, where + " = 0x" + Long.toHexString(q) + (v == Vendor.UNKNOWN ? " (read as VMX)" : "") + ": "
                + dec.summary() + extra, dec.source(), line, Bits.data(dec));
    }

    private void event(String where, long w) {
        Decoded dec = v == Vendor.AMD ? EventInfo.decodeSvm(w) : EventInfo.decodeVmx(w & 0xffffffffL);
        if ((w & 0x80000000L) == 0) {
            r.fact(section, where + " = 0x" + Long.toHexString(w) + ": valid bit 31 clear, no event", dec.source(), line);
            return;
        }
        int vector = (int) (w & 0xff), type = (int) (w >> 8 & 7);
        String kind = switch (type) {
            case 0 -> "external interrupt";
            case 2 -> "NMI";
            case 3 -> "hardware exception";
            case 4 -> "software interrupt";
            case 5 -> "privileged software exception";
            case 6 -> "software exception";
            default -> "event type " + type;
        };
        String what = type == 3 || type == 6 ? Knowledge.vector(vector) : "vector 0x" + Integer.toHexString(vector);
        r.fact(section, where + " = 0x" + Long.toHexString(w) + ": " + kind + " " + what + ((w & 0x800) != 0
                ? ", with an error code" : "") + " (" + dec.summary() + ")", dec.source(), line, Bits.data(dec));
    }

    private void cpu(List<Long> d, int i) {
        if (d.size() > i) r.fact(section, "extra data[" + i + "] = " + d.get(i) + ": the host CPU of the last VM entry", SRC, line);
    }
}
