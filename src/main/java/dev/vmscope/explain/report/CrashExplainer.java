package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.parse.VmscopeCrashDump;
import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.Sources;
import dev.vmscope.util.Json;

import java.util.Map;
import java.util.Optional;

/**
 * Explains a vmscope crash report: the fatal event decoded with the KVM/VMX/SVM tables, every vCPU's state
 * ({@link CrashCpuExplainer}), then the flight recorder, statistics and memory map ({@link CrashHistory}).
 */
final class CrashExplainer {
    static final String FATAL = "Fatal event";

    private final VmscopeCrashDump d;
    private final Report.Builder r;

    CrashExplainer(VmscopeCrashDump d, Report.Builder r) {
        this.d = d;
        this.r = r;
    }

    void explain() {
        VmscopeCrashDump.Cause c = d.cause();
        if (c == null) {
            r.notInterpreted(0, "no cause in the crash report: the fatal event is unknown");
        } else {
            fatal(c);
        }
        for (VmscopeCrashDump.Cpu cpu : d.cpus()) new CrashCpuExplainer(d, cpu, r).explain();
        if (c != null && c.kind().equals("TripleFault") && d.cpu(c.vcpu()) == null) {
            r.notInterpreted(c.line(), "triple fault on vCPU " + c.vcpu() + " but that vCPU's state is not in the report");
        }
        new CrashHistory(d, r).explain();
    }

    private void fatal(VmscopeCrashDump.Cause c) {
        Map<String, Object> data = Json.obj();
        data.put("kind", c.kind());
        data.put("vcpu", c.vcpu());
        r.fact(FATAL, "the VM stopped on " + c.title() + (c.vcpu() >= 0 ? " (vCPU " + c.vcpu() + ")" : ""), Cite.CRASH,
                c.line(), data);
        switch (c.kind()) {
            case "TripleFault" -> tripleFault(c);
            case "InternalError" -> internalError(c);
            case "EntryFailure" -> entryFailure(c);
            case "UnhandledExit" -> {
                kvmExit("KVM_EXIT_" + c.exitReason(), c.line());
                r.fact(FATAL, "vmscope has no handler for this KVM exit, so it stopped the VM rather than guess",
                        Cite.CRASH + " UnhandledExit", c.line());
            }
            case "VmscopeError" -> {
                r.fact(FATAL, "a bug in vmscope itself, not a guest fault; the guest state below is what it was when vmscope"
                        + " failed", Cite.CRASH + " VmscopeError", c.line());
                for (int i = 0; i < Math.min(3, c.stack().size()); i++)
                    r.fact(FATAL, "at " + c.stack().get(i), Cite.CRASH + " VmscopeError", c.line());
            }
            default -> r.notInterpreted(c.line(), "cause '" + c.title() + "' is not a kind this explainer knows");
        }
    }

    private Optional<ExitCodeInfo> kvmExit(String name, int line) {
        Optional<ExitCodeInfo> e = Knowledge.kvmExitByName(name);
        if (e.isEmpty()) {
            r.notInterpreted(line, "KVM exit reason '" + name + "' is not in the KVM exit table");
            return e;
        }
        ExitCodeInfo x = e.get();
        r.fact(FATAL, "KVM exit reason " + x.code() + " = " + x.name() + ": " + x.meaning() + "; typical cause: "
                + x.typicalCause(), x.source(), line);
        return e;
    }

    private void tripleFault(VmscopeCrashDump.Cause c) {
        kvmExit("KVM_EXIT_SHUTDOWN", c.line());
        // With the host's vendor in the report, its hardware form of the event; otherwise both are named.
        Vendor v = d.hostVendor();
        String on = v == Vendor.UNKNOWN ? "" : " (host CPU vendor from the report)";
        if (v != Vendor.AMD) {
            Knowledge.vmxByName("EXIT_REASON_TRIPLE_FAULT").ifPresent(x -> r.fact(FATAL, "on Intel the hardware exit is VMX"
                    + " basic exit reason " + x.code() + " " + x.name() + " (" + x.meaning() + ")" + on, x.source(), c.line()));
            ExitExplainer.handling(Format.Hypervisor.KVM, Vendor.INTEL, "EXIT_REASON_TRIPLE_FAULT", c.line(), r, FATAL);
        }
        if (v != Vendor.INTEL) {
            Knowledge.svmByName("SVM_EXIT_SHUTDOWN").ifPresent(x -> r.fact(FATAL, "on AMD the hardware exit is SVM exit code 0x"
                    + Long.toHexString(x.code()) + " " + x.name() + " (" + x.meaning() + ")" + on, x.source(), c.line()));
            ExitExplainer.handling(Format.Hypervisor.KVM, Vendor.AMD, "SVM_EXIT_SHUTDOWN", c.line(), r, FATAL);
        }
    }

    private void internalError(VmscopeCrashDump.Cause c) {
        kvmExit("KVM_EXIT_INTERNAL_ERROR", c.line());
        if (c.suberror() == null) {
            r.notInterpreted(c.line(), "internal-error suberror not given");
            return;
        }
        Optional<ExitCodeInfo> e = Knowledge.kvmInternalError(c.suberror());
        r.fact(FATAL, "suberror " + c.suberror() + e.map(x -> " = " + x.name() + ": " + x.meaning() + "; typical cause: "
                + x.typicalCause()).orElse(" is not in the table"), e.map(ExitCodeInfo::source).orElse(Sources.LINUX_KVM), c.line());
        if (e.isEmpty()) r.notInterpreted(c.line(), "KVM internal-error suberror " + c.suberror());
        for (int i = 0; i < c.data().size(); i++)
            r.fact(FATAL, "data[" + i + "] = 0x" + Long.toHexString(c.data().get(i)), Sources.LINUX_KVM + " (kvm_run.internal.data)", c.line());
        if (c.insnBytes() != null) r.fact(FATAL, "instruction bytes KVM could not emulate: " + c.insnBytes()
                + " (see the code at RIP below)", Sources.LINUX_KVM + " (emulation_failure.insn_bytes)", c.line());
        if (!d.json()) r.notInterpreted(c.line(), "the text report carries no internal-error data words; read the JSON twin for them");
        int sub = c.suberror();
        if (sub == 4 && !c.data().isEmpty()) {
            long hw = c.data().getFirst();
            String vmx = Knowledge.exit(Vendor.INTEL, hw & 0xffff).map(ExitCodeInfo::name).orElse("unknown");
            String svm = Knowledge.exit(Vendor.AMD, hw).map(ExitCodeInfo::name).orElse("unknown");
            switch (d.hostVendor()) {
                case INTEL -> r.fact(FATAL, "data[0] is the hardware exit reason KVM has no handler for: VMX basic exit reason "
                        + (hw & 0xffff) + " " + vmx + " (Intel host, from the report)", Sources.SDM_EXIT, c.line());
                case AMD -> r.fact(FATAL, "data[0] is the hardware exit code KVM has no handler for: SVM exit code 0x"
                        + Long.toHexString(hw) + " " + svm + " (AMD host, from the report)", Sources.APM_EXITCODES, c.line());
                default -> r.fact(FATAL, "data[0] is the hardware exit reason KVM has no handler for: as VMX " + vmx
                        + ", as SVM " + svm + " (the report does not say which vendor ran it)",
                        Sources.SDM_EXIT + "; " + Sources.APM_EXITCODES, c.line());
            }
        } else if (sub == 3 && c.data().size() >= 2) {
            Knowledge.eventInfo(Vendor.INTEL, c.data().getFirst()).ifPresent(x -> r.fact(FATAL, "on VMX data[0] is the"
                    + " IDT-vectoring information (the event being delivered): " + Bits.setBits(x), x.source() + "; "
                    + Cite.KVM_X86, c.line(), Bits.data(x)));
            long reason = c.data().get(1);
            Knowledge.exit(Vendor.INTEL, reason & 0xffff).ifPresent(x -> r.fact(FATAL, "on VMX data[1] is the exit reason"
                    + " that interrupted the delivery: " + x.name() + " - " + x.meaning(), x.source() + "; " + Cite.KVM_X86, c.line()));
            r.notInterpreted(c.line(), "delivery-event data words decoded in the VMX layout only; the SVM layout differs");
        } else if (sub != 1 && !c.data().isEmpty()) {
            r.notInterpreted(c.line(), "data words of suberror " + sub + " are listed but not decoded");
        }
    }

    private void entryFailure(VmscopeCrashDump.Cause c) {
        kvmExit("KVM_EXIT_FAIL_ENTRY", c.line());
        long hw = c.hardwareReason() == null ? 0 : c.hardwareReason();
        String host = c.hostCpu() == null ? "" : " on host CPU " + c.hostCpu();
        if (hw == -1L || hw == 0xffffffffL) {
            r.fact(FATAL, "hardware_entry_failure_reason 0x" + Long.toHexString(hw) + host + ": AMD, VMRUN returned"
                    + " VMEXIT_INVALID (-1): the VMCB failed VMRUN's consistency checks", Sources.APM_EXITCODES + "; "
                    + Cite.KVM_X86, c.line());
            ExitExplainer.hardwareExit(Format.Hypervisor.KVM, Vendor.AMD, -1L, "SVM exit code", c.line(), r, FATAL);
        } else if ((hw & 0x80000000L) != 0) {
            r.fact(FATAL, "hardware_entry_failure_reason 0x" + Long.toHexString(hw) + host + ": Intel, bit 31 set = the"
                    + " VM entry failed while loading guest state; bits 15:0 give the basic exit reason", Sources.SDM_EXIT
                    + "; " + Cite.KVM_X86, c.line());
            ExitExplainer.hardwareExit(Format.Hypervisor.KVM, Vendor.INTEL, hw & 0xffff, "basic exit reason", c.line(), r, FATAL);
        } else {
            Optional<ExitCodeInfo> ie = Knowledge.vmxInstructionError(hw);
            r.fact(FATAL, "hardware_entry_failure_reason 0x" + Long.toHexString(hw) + host + ": bit 31 clear, so not a"
                    + " failed-entry exit reason; on Intel KVM reports the VM-instruction error here when VMLAUNCH/VMRESUME"
                    + " itself failed" + ie.map(x -> ": error " + hw + " = " + x.meaning()).orElse(""),
                    "Intel SDM vol. 3, 31.4 \"VM Instruction Error Numbers\"; " + Cite.KVM_X86, c.line());
            switch (d.hostVendor()) {
                case INTEL -> r.fact(FATAL, "the host is Intel (from the report), so this is the VM-instruction error",
                        Cite.CRASH + " (host)", c.line());
                case AMD -> r.notInterpreted(c.line(), "entry failure reason 0x" + Long.toHexString(hw) + " on an AMD host:"
                        + " KVM's SVM code reports a failed VMRUN as -1, so this value has no documented meaning");
                default -> r.notInterpreted(c.line(), "entry failure reason 0x" + Long.toHexString(hw)
                        + ": vendor not determined from the report");
            }
        }
    }
}
