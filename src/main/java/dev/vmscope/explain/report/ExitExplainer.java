package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.BhyveExitDump;
import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.Sources;
import dev.vmscope.util.Json;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Exit-code and event-word facts shared by the bhyve explainers. */
final class ExitExplainer {
    static final String EXIT = "Exit";

    private ExitExplainer() {}

    /** Decodes a hardware exit code, with its typical cause and the hypervisor's handling of it. */
    static Optional<ExitCodeInfo> hardwareExit(Format.Hypervisor hv, Vendor v, long code, String label, int line,
            Report.Builder r, String section) {
        Optional<ExitCodeInfo> info = Knowledge.exit(v, code);
        if (info.isEmpty()) {
            String why = v == Vendor.UNKNOWN ? "vendor unknown, so SVM and VMX codes cannot be told apart"
                    : "code not in the " + (v == Vendor.AMD ? "SVM exit code" : "VMX exit reason") + " table";
            r.fact(section, label + " = 0x" + Long.toHexString(code) + ": not decoded (" + why + ")",
                    v == Vendor.INTEL ? Sources.SDM_EXIT : Sources.APM_EXITCODES, line);
            r.notInterpreted(line, label + " 0x" + Long.toHexString(code) + ": " + why);
            return info;
        }
        ExitCodeInfo e = info.get();
        Map<String, Object> data = Json.obj();
        data.put("code", "0x" + Long.toHexString(code));
        data.put("name", e.name());
        data.put("vendor", v.name().toLowerCase());
        r.fact(section, label + " = 0x" + Long.toHexString(code) + ": " + e.name() + " - " + e.meaning(), e.source(),
                line, data);
        r.fact(section, "typical cause of " + e.name() + ": " + e.typicalCause(), e.source(), line);
        handling(hv, v, e.name(), line, r, section);
        return info;
    }

    /**
     * An exit that bhyve printed as a "vm exit" block: it reached user space as VM_EXITCODE_SVM/VMX, so the kernel did
     * not handle it; the current source's handling is given for comparison, not as what happened.
     */
    static void blockExit(Vendor v, long code, String label, int line, Report.Builder r) {
        Optional<ExitCodeInfo> info = Knowledge.exit(v, code);
        if (info.isEmpty()) {
            hardwareExit(v, code, label, line, r, EXIT);
            return;
        }
        ExitCodeInfo e = info.get();
        Map<String, Object> data = Json.obj();
        data.put("code", "0x" + Long.toHexString(code));
        data.put("name", e.name());
        data.put("vendor", v.name().toLowerCase());
        r.fact(EXIT, label + " = 0x" + Long.toHexString(code) + ": " + e.name() + " - " + e.meaning(), e.source(), line, data);
        r.fact(EXIT, "typical cause of " + e.name() + ": " + e.typicalCause(), e.source(), line);
        String generic = v == Vendor.AMD ? BhyveHandling.svm(e.name()) : BhyveHandling.vmx(e.name());
        r.fact(EXIT, "this exit reached bhyve's user space as VM_EXITCODE_" + (v == Vendor.AMD ? "SVM" : "VMX") + ", which"
                + " means the kernel that ran the guest did not handle " + e.name() + ". For comparison only, current FreeBSD"
                + " handles " + e.name() + " so: " + generic + "; where that says the kernel handles it, the kernel that"
                + " produced this block predates it or gave up on a case it leaves unhandled", v == Vendor.AMD
                ? Cite.BHYVE_SVM : Cite.BHYVE_VMX, line);
    }

    /** Bhyve exit-code decode (the bhyve dumps). */
    static Optional<ExitCodeInfo> hardwareExit(Vendor v, long code, String label, int line, Report.Builder r,
            String section) {
        return hardwareExit(Format.Hypervisor.BHYVE, v, code, label, line, r, section);
    }

    /** "how the hypervisor handles it": bhyve (svm.c / vmx.c) or KVM (svm.c / vmx.c exit handler tables). */
    static void handling(Format.Hypervisor hv, Vendor v, String name, int line, Report.Builder r, String section) {
        if (hv == Format.Hypervisor.BHYVE) {
            if (v == Vendor.AMD) r.fact(section, "bhyve handling of " + name + ": " + BhyveHandling.svm(name), Cite.BHYVE_SVM, line);
            if (v == Vendor.INTEL) r.fact(section, "bhyve handling of " + name + ": " + BhyveHandling.vmx(name), Cite.BHYVE_VMX, line);
            return;
        }
        var h = v == Vendor.AMD ? KvmHandling.svm(name) : v == Vendor.INTEL ? KvmHandling.vmx(name) : Optional.<KvmHandling.Handling>empty();
        h.ifPresent(x -> r.fact(section, "KVM handling of " + name + ": " + x.text(), x.source(), line));
    }

    /** An EXITINTINFO / EVENTINJ / VMX interruption-information word. */
    static void eventWord(String name, Vendor v, long value, int line, Report.Builder r, String section) {
        String src = v == Vendor.INTEL ? Sources.SDM_INTR : Sources.APM_EVENTINJ;
        Optional<Decoded> dec = Knowledge.eventInfo(v, value);
        if (dec.isPresent() && (value & 0x80000000L) == 0) {
            r.fact(section, name + " 0x" + Long.toHexString(value) + ": valid bit (31) clear, so no event is recorded"
                    + " here", dec.get().source(), line, Bits.data(dec.get()));
        } else if (dec.isPresent()) {
            r.fact(section, name + " 0x" + Long.toHexString(value) + ": " + Bits.setBits(dec.get()), dec.get().source(),
                    line, Bits.data(dec.get()));
        } else if ((value & 0x80000000L) == 0) {
            r.fact(section, name + " 0x" + Long.toHexString(value) + ": valid bit (31) clear, so no event is recorded"
                    + " here", src, line);
        } else {
            r.fact(section, name + " 0x" + Long.toHexString(value) + ": valid bit (31) set: an event is recorded;"
                    + " its vector is 0x" + Long.toHexString(value & 0xff) + " (" + Knowledge.vector((int) (value & 0xff))
                    + " if it is an exception); type and error-code fields not decoded here", src, line);
            r.notInterpreted(line, name + " 0x" + Long.toHexString(value)
                    + ": event type/error-code layout not decoded");
        }
    }

    /** "vm exit[N]" blocks, from bhyve or bhyvectl --run. */
    static void bhyveExits(List<BhyveExitDump.Exit> exits, Vendor v, Report.Builder r) {
        bhyveExits(exits, v, r, java.util.EnumSet.noneOf(NextStep.class));
    }

    static void bhyveExits(List<BhyveExitDump.Exit> exits, Vendor v, Report.Builder r, java.util.EnumSet<NextStep> steps) {
        if (!exits.isEmpty()) NextStep.add(r, steps, NextStep.BHYVE_STATE);
        for (BhyveExitDump.Exit e : exits) {
            String who = "vm exit[" + e.vcpu() + "]";
            Long rip = e.number("rip");
            if (rip != null) {
                r.fact(EXIT, who + " rip 0x" + Long.toHexString(rip) + " (offset in CS; guest-virtual when paging is on),"
                        + " inst_length "
                        + e.values().getOrDefault("inst_length", "?"), Cite.BHYVE_VMEXIT, e.line());
            }
            switch (e.reason()) {
                case "SVM" -> {
                    Long code = e.number("exitcode") != null ? e.number("exitcode") : e.number("exit_reason");
                    r.fact(EXIT, who + ": bhyve's kernel returned VM_EXITCODE_SVM, i.e. an SVM intercept it has no"
                            + " handler for; bhyve printed this block and stopped the VM", Cite.BHYVE_VMEXIT
                            + " vmexit_svm()", e.line());
                    if (code != null) blockExit(Vendor.AMD, code, who + " exitcode", e.line(), r);
                    Long info1 = e.number("exitinfo1");
                    var layout = code == null ? Optional.<dev.vmscope.facts.BitLayout>empty() : Knowledge.svmExitInfo1(code);
                    if (info1 != null && layout.isPresent()) {
                        Decoded dec = layout.get().decode(info1);
                        r.fact(EXIT, who + " exitinfo1 0x" + Long.toHexString(info1) + ": " + dec.summary(), dec.source(),
                                e.line(), Bits.data(dec));
                    } else if (e.values().containsKey("exitinfo1")) {
                        r.fact(EXIT, who + " exitinfo1 = " + e.values().get("exitinfo1") + " (no EXITINFO1 layout for this"
                                + " exit code)", Sources.APM_EXITCODES, e.line());
                    }
                    if (e.values().containsKey("exitinfo2")) {
                        r.fact(EXIT, who + " exitinfo2 = " + e.values().get("exitinfo2") + (code != null && code == 0x400
                                ? ": the guest-physical address of the nested page fault" : ""), Sources.APM_EXITCODES, e.line());
                    }
                }
                case "VMX" -> {
                    Long code = e.number("exit_reason");
                    r.fact(EXIT, who + ": bhyve's kernel returned VM_EXITCODE_VMX (status "
                            + e.values().getOrDefault("status", "?") + ", non-zero means VMLAUNCH/VMRESUME itself"
                            + " failed); bhyve printed this block and stopped the VM", Cite.BHYVE_VMEXIT
                            + " vmexit_vmx()", e.line());
                    if (code != null) blockExit(Vendor.INTEL, code, who + " exit_reason", e.line(), r);
                    Long q = e.number("qualification");
                    var layout = code == null ? Optional.<dev.vmscope.facts.BitLayout>empty() : Knowledge.vmxQualification(code);
                    if (q != null && layout.isPresent()) {
                        Decoded dec = layout.get().decode(q);
                        r.fact(EXIT, who + " exit qualification 0x" + Long.toHexString(q) + ": " + dec.summary(), dec.source(),
                                e.line(), Bits.data(dec));
                    } else if (e.values().containsKey("qualification")) {
                        r.fact(EXIT, who + " exit qualification " + e.values().get("qualification") + " (no qualification"
                                + " layout for this exit reason)", Sources.SDM_QUAL, e.line());
                    }
                    Long ie = e.number("inst_error");
                    if (ie != null && ie != 0) r.fact(EXIT, who + " inst_error " + ie + ": " + Knowledge
                            .vmxInstructionError(ie).map(ExitCodeInfo::meaning).orElse("unknown error number"),
                            "Intel SDM vol. 3, 31.4 \"VM Instruction Error Numbers\"", e.line());
                }
                case "INOUT" -> r.fact(EXIT, who + ": port I/O " + e.values().getOrDefault("direction", "?")
                        + " port " + e.values().getOrDefault("port", "?") + ", " + e.values().getOrDefault("bytes", "?")
                        + " byte(s) " + e.values().getOrDefault("flags", "").strip(), Cite.BHYVECTL_MD
                        + " bhyvectl_dump_vm_run_exitcode()", e.line());
                default -> {
                    r.fact(EXIT, who + ": reason " + e.reason() + " not decoded", Cite.BHYVE_VMEXIT, e.line());
                    r.notInterpreted(e.line(), "vm exit reason '" + e.reason() + "'");
                }
            }
        }
    }

    /** One-line bhyve diagnostics. */
    static void messages(List<BhyveExitDump.Message> ms, Report.Builder r) {
        messages(ms, r, java.util.EnumSet.noneOf(NextStep.class));
    }

    static void messages(List<BhyveExitDump.Message> ms, Report.Builder r, java.util.EnumSet<NextStep> steps) {
        for (BhyveExitDump.Message m : ms) {
            String at = m.address() == null ? "" : "0x" + Long.toHexString(m.address());
            switch (m.kind()) {
                case "emulation-failure" -> {
                    r.fact(EXIT, "instruction emulation failed for bytes [" + m.bytes() + "] at rip " + at
                            + " (guest-virtual when the guest pages): bhyve's instruction decoder/emulator does not"
                            + " support this instruction for an MMIO access, so the VM stops", Cite.BHYVE_VMEXIT
                            + " vmexit_inst_emul()", m.line());
                    byte[] b = m.bytes() == null ? new byte[0] : CodeBytes.hex(m.bytes());
                    boolean high = m.address() != null && m.address() >>> 47 != 0;
                    CodeBytes.disassemble(b, 64, 1).filter(x -> !x.isEmpty()).ifPresent(x -> r.fact(EXIT, "the instruction:"
                            + " " + x.getFirst() + " (decoded as 64-bit code" + (high ? ": rip has bits above 31 set, which"
                            + " only 64-bit mode allows" : "; bhyve does not print the mode") + ")",
                            CodeBytes.CAPSTONE, m.line()));
                    NextStep.add(r, steps, NextStep.BHYVE_EMULATION, NextStep.BHYVE_STATE);
                }
                case "unhandled-mmio" -> {
                    NextStep.add(r, steps, NextStep.BHYVE_DEVICES);
                    r.fact(EXIT, "no device is registered at guest-physical " + at
                        + ": the access hit neither RAM nor an emulated MMIO range", Cite.BHYVE_VMEXIT
                        + " vmexit_inst_emul() (emulate_mem returned ESRCH)", m.line());
                }
                case "unhandled-io" -> {
                    NextStep.add(r, steps, NextStep.BHYVE_DEVICES);
                    String[] w = m.text().split(" ");
                    Long port = w.length > 2 ? dev.vmscope.explain.parse.Text.number(w[2]) : null;
                    var p = port == null ? Optional.<dev.vmscope.facts.IoPorts.Port>empty() : Knowledge.port(port);
                    r.fact(EXIT, m.text() + ": no bhyve device claims this I/O port, so the VM stops"
                            + p.map(x -> "; the port is " + x.name() + " (" + x.meaning() + ")").orElse(""),
                            Cite.BHYVE_VMEXIT + " vmexit_inout()" + p.map(x -> "; " + x.source()).orElse(""), m.line());
                }
                case "unexpected-exitcode" -> {
                    String name = m.address() == null ? "?" : Knowledge.bhyveExit(m.address()).map(x -> x.name())
                            .orElse("unknown");
                    r.fact(EXIT, "bhyve has no handler for exit code " + at + " (" + name + ")",
                            "FreeBSD usr.sbin/bhyve/bhyverun.c vm_loop(); " + Sources.BHYVE_VMM_H, m.line());
                }
                default -> {
                    var msr = m.address() == null ? Optional.<dev.vmscope.facts.Msrs.Msr>empty()
                            : Knowledge.msr(m.address());
                    r.fact(EXIT, m.kind() + " of an MSR bhyve does not emulate: " + m.text()
                            + msr.map(x -> " (" + x.name() + ": " + x.meaning() + ")").orElse(""), Cite.BHYVE_VMEXIT
                            + " vmexit_rdmsr()/vmexit_wrmsr()" + msr.map(x -> "; " + x.source()).orElse(""), m.line());
                }
            }
        }
    }
}
