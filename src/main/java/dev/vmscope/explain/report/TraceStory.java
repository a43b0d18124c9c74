package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.TraceEvents;
import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.BitLayout;
import dev.vmscope.facts.ControlRegisters;
import dev.vmscope.facts.ExitQualifications;
import dev.vmscope.facts.KvmExitReasons;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A short KVM trace told as what happened, event by event (formats: Linux arch/x86/kvm/trace.h): who ran (one story
 * per process), the vendor and its evidence, control-register and MSR writes decoded, emulated instructions
 * disassembled, exits to user space with their reason, and where the time went: the time after
 * kvm_userspace_exit belongs to the VMM in user space, not to KVM's handling of the exit before it.
 */
final class TraceStory {
    static final String SECTION = "Trace story";
    private static final Pattern MSR = Pattern.compile("msr_(read|write) ([0-9a-f]+) = (0x[0-9a-f]+)( \\(#GP\\))?");
    private static final Pattern CR = Pattern.compile("cr_(read|write) (\\d+) = (0x[0-9a-f]+)");
    private static final Pattern INSN = Pattern.compile("^[0-9a-f]+:([0-9a-f]+):((?: [0-9a-f]{2})+)(?: \\((\\w+)\\))?( failed)?");
    /** "reason X rip 0x.. info A B" (older kernels: B is the interruption info) or, since Linux 5.x, "vcpu N reason X rip 0x..
     *  info1 0x.. info2 0x.. intr_info 0x.. error_code 0x..". */
    private static final Pattern EXIT = Pattern.compile("reason (\\S+)(?: \\(\\d+\\))? rip (0x[0-9a-f]+) info1? (?:0x)?([0-9a-f]+)"
            + " (?:info2 )?(?:0x)?([0-9a-f]+)(?: intr_info (?:0x)?([0-9a-f]+))?");
    private static final Pattern UEXIT = Pattern.compile("reason (KVM_EXIT_\\w+) \\((\\d+)\\)");
    private static final Pattern PF = Pattern.compile("rip (0x[0-9a-f]+) address (0x[0-9a-f]+) error_code (0x[0-9a-f]+)");

    private final TraceEvents.Result t;
    private final Report.Builder r;

    TraceStory(TraceEvents.Result t, Report.Builder r) {
        this.t = t;
        this.r = r;
    }

    void tell() {
        if (t.events().isEmpty()) return;
        r.fact(SECTION, t.vendor() == Vendor.UNKNOWN ? "vendor: unknown (no kvm_exit reason in the trace is spelled as only"
                + " one vendor spells it)" : "host vendor " + t.vendor().label + " (evidence: " + t.evidence() + ")",
                Cite.KVM_TRACE, 0);
        Map<Integer, String> procs = new LinkedHashMap<>();
        for (TraceEvents.Event e : t.events()) procs.putIfAbsent(e.pid(), e.comm());
        if (procs.size() > 1) {
            r.fact(SECTION, procs.size() + " threads or processes appear (" + String.join(", ", procs.entrySet().stream()
                    .map(x -> x.getValue() + "-" + x.getKey()).toList()) + "): their events are told apart; a vCPU is one"
                    + " thread, separate runs are separate PIDs", Cite.KVM_TRACE, 0);
        }
        EnumSet<NextStep> steps = EnumSet.noneOf(NextStep.class);
        Map<String, Integer> repeats = new HashMap<>();
        Map<Integer, Double> userSince = new HashMap<>();
        double userTime = 0;
        int userExits = 0;
        for (TraceEvents.Event e : t.events()) {
            String b = e.body();
            switch (e.name()) {
                case "kvm_exit" -> exit(e, repeats, steps);
                case "kvm_msr" -> msr(e);
                case "kvm_cr" -> cr(e);
                case "kvm_emulate_insn" -> insn(e);
                case "kvm_page_fault" -> pageFault(e);
                case "kvm_userspace_exit" -> {
                    userExits++;
                    userSince.put(e.pid(), e.ts());
                    Matcher m = UEXIT.matcher(b);
                    if (m.find() && once(repeats, "u" + m.group(1))) {
                        var k = KvmExitReasons.table().byName(m.group(1));
                        r.fact(SECTION, "kvm_userspace_exit " + m.group(1) + ": KVM_RUN returned to the VMM in user space"
                                + k.map(x -> " - " + x.meaning()).orElse("") + (m.group(1).equals("KVM_EXIT_INTR")
                                ? " (a signal is pending for the vCPU thread: not a guest action)" : "") + "; the time from"
                                + " here to the next kvm_entry is user-space time, not exit handling",
                                k.map(x -> x.source()).orElse(dev.vmscope.facts.Sources.LINUX_KVM) + "; " + Cite.KVM_TRACE,
                                e.line());
                    }
                }
                case "kvm_inj_exception" -> chain(e);
                case "kvm_nested_vmexit", "kvm_nested_vmexit_inject" -> {
                    if (once(repeats, "nested")) r.fact(SECTION, e.name() + ": this exit happened while an L2 (nested)"
                            + " guest ran; " + (e.name().equals("kvm_nested_vmexit_inject") ? "KVM reflected it to the L1"
                            + " hypervisor" : "L0 (this KVM) looked at it first and handles it unless L1 asked for it")
                            + ": " + e.body(), Cite.KVM_TRACE + " (kvm_nested_vmexit, kvm_nested_vmexit_inject)", e.line());
                }
                case "kvm_entry" -> {
                    Double since = userSince.remove(e.pid());
                    if (since != null) userTime += e.ts() - since;
                }
                default -> { }
            }
        }
        if (userExits > 0) {
            r.fact(SECTION, String.format(Locale.ROOT, "%d exit(s) went to user space; %.1f us between kvm_userspace_exit and"
                    + " the next kvm_entry of the same thread is time in the VMM (user space), not in KVM's handling%s",
                    userExits, userTime * 1e6, userSince.isEmpty() ? "" : "; " + userSince.size() + " thread(s) had not"
                    + " re-entered the guest when the trace ends"), Cite.KVM_TRACE, 0);
        }
        flushChain();
        if (t.truncated()) r.fact(SECTION, "the story covers the first " + TraceEvents.MAX + " events only", Cite.KVM_TRACE, 0);
    }

    private void exit(TraceEvents.Event e, Map<String, Integer> repeats, EnumSet<NextStep> steps) {
        Matcher m = EXIT.matcher(e.body());
        if (!m.find()) return;
        String reason = m.group(1);
        if (reason.equals("TRIPLE_FAULT") || reason.equalsIgnoreCase("shutdown") || reason.equals("EXIT_SHUTDOWN")) {
            r.fact(SECTION, "triple fault (" + reason + ") at rip " + m.group(2) + ": the guest could not deliver a double"
                    + " fault; KVM reports KVM_EXIT_SHUTDOWN to the VMM, which resets or stops the VM", Cite.KVM_X86, e.line());
            NextStep.add(r, steps, NextStep.TRIPLE_FAULT);
        }
        qualification(e, reason, m.group(3), repeats);
        if (reason.equalsIgnoreCase("HLT") || reason.equals("EXIT_HLT")) {
            if (once(repeats, "hlt")) r.fact(SECTION, "HLT exits: the time from such an exit to the next kvm_entry is time the"
                    + " vCPU spent halted (blocked in the kernel until an interrupt is deliverable), not work KVM did to"
                    + " handle the exit", Cite.X86_C + " kvm_emulate_halt() / virt/kvm/kvm_main.c kvm_vcpu_halt()", e.line());
        }
        if (reason.equals("EXTERNAL_INTERRUPT")) {
            Long boxed = dev.vmscope.explain.parse.Text.hex(m.group(5) != null ? m.group(5) : m.group(4));
            long info = boxed == null ? 0 : boxed;
            if ((info & 0x80000000L) != 0 && once(repeats, "x" + (info & 0xff))) {
                int v = (int) (info & 0xff);
                r.fact(SECTION, String.format("EXTERNAL_INTERRUPT with interruption info 0x%x: the host's interrupt vector"
                        + " 0x%x arrived while the guest ran%s; the guest resumes after the host handled it", info, v,
                        v == 0xec ? " (0xec is LOCAL_TIMER_VECTOR in Linux: the host's timer tick)" : v == 0xfd
                        ? " (0xfd is RESCHEDULE_VECTOR in Linux: a reschedule IPI)" : v == 0xf2 ? " (0xf2 is"
                        + " POSTED_INTR_VECTOR)" : ""), dev.vmscope.facts.Sources.SDM_INTR
                        + "; Linux arch/x86/include/asm/irq_vectors.h", e.line());
            }
        }
    }

    private final java.util.List<String> chain = new java.util.ArrayList<>();
    private int chainPid = -1, chainLine;

    /** Consecutive injected exceptions of one thread: #GP -> #DF -> (triple fault) is the classic story. */
    private void chain(TraceEvents.Event e) {
        String ex = e.body().split("[\\s(]", 2)[0];
        if (e.pid() != chainPid) flushChain();
        if (chain.isEmpty()) chainLine = e.line();
        chainPid = e.pid();
        chain.add(ex);
    }

    private void flushChain() {
        if (chain.size() > 1 || chain.contains("#DF")) {
            r.fact(SECTION, "KVM injected " + String.join(" -> ", chain) + " into the guest in a row" + (chain.contains("#DF")
                    ? ": a #DF means delivering the previous exception faulted; one more fault is a triple fault"
                    + " (shutdown)" : ""), Cite.DOUBLE_FAULT + "; " + Cite.KVM_TRACE + " (kvm_inj_exception)", chainLine);
        }
        chain.clear();
        chainPid = -1;
    }

    /** The first exit of each reason with a qualification (VMX) or EXITINFO1 (SVM) layout, decoded. */
    private void qualification(TraceEvents.Event e, String reason, String info1, Map<String, Integer> repeats) {
        Long q = dev.vmscope.explain.parse.Text.hex(info1);
        if (q == null || q == 0) return;
        java.util.Optional<BitLayout> l = java.util.Optional.empty();
        if (t.vendor() == Vendor.INTEL) {
            l = Knowledge.vmxByName("EXIT_REASON_" + reason).flatMap(x -> Knowledge.vmxQualification(x.code()));
        } else if (t.vendor() == Vendor.AMD) {
            String n = reason.toUpperCase(Locale.ROOT);
            l = Knowledge.svmByName("SVM_EXIT_" + (n.startsWith("EXIT_") ? n.substring(5) : n))
                    .flatMap(x -> Knowledge.svmExitInfo1(x.code()));
        }
        if (l.isEmpty() || !once(repeats, "q" + reason)) return;
        var dec = l.get().decode(q);
        r.fact(SECTION, "first " + reason + " exit: " + (t.vendor() == Vendor.INTEL ? "exit qualification" : "EXITINFO1") + " 0x"
                + Long.toHexString(q) + " = " + dec.summary(), dec.source(), e.line(), Bits.data(dec));
    }

    private void msr(TraceEvents.Event e) {
        Matcher m = MSR.matcher(e.body());
        if (!m.find()) return;
        Long boxed = dev.vmscope.explain.parse.Text.hex(m.group(2));
        if (boxed == null) return;
        long msr = boxed;
        Long val = dev.vmscope.explain.parse.Text.hexAny(m.group(3));
        var x = Knowledge.msr(msr);
        String bits = msr == 0xc0000080L && val != null ? " (" + ControlRegisters.EFER.decode(val).summary() + ")"
                : msr == 0x830 && val != null && m.group(1).equals("write") ? " (x2APIC ICR: "
                + dev.vmscope.facts.LocalApic.ICR_X2APIC.decode(val).summary() + ")" : "";
        r.fact(SECTION, (m.group(1).equals("read") ? "RDMSR" : "WRMSR") + " 0x"
                + m.group(2) + x.map(y -> " (" + y.name() + ")").orElse("") + " = " + m.group(3) + bits
                + (m.group(4) != null ? ": KVM injected #GP" : ""), x.map(y -> y.source()).orElse(Cite.KVM_TRACE) + "; "
                + Cite.KVM_TRACE + " (kvm_msr)", e.line());
    }

    private void cr(TraceEvents.Event e) {
        Matcher m = CR.matcher(e.body());
        if (!m.find() || !m.group(1).equals("write")) return;
        Long v = dev.vmscope.explain.parse.Text.hexAny(m.group(3));
        BitLayout l = switch (m.group(2)) {
            case "0" -> ControlRegisters.CR0;
            case "4" -> ControlRegisters.CR4;
            default -> null;
        };
        if (v == null || l == null) return;
        r.fact(SECTION, "CR" + m.group(2) + " written with " + m.group(3) + ": " + l.decode(v).summary(), l.source() + "; "
                + Cite.KVM_TRACE + " (kvm_cr)", e.line());
    }

    private void insn(TraceEvents.Event e) {
        Matcher m = INSN.matcher(e.body());
        if (!m.find()) return;
        byte[] b = CodeBytes.hex(m.group(2));
        String mode = m.group(3);
        int bits = mode == null ? 64 : mode.equals("prot64") ? 64 : mode.equals("prot32") ? 32 : 16;
        String dis = CodeBytes.disassemble(b, bits, 1).filter(x -> !x.isEmpty()).map(List::getFirst)
                .orElse(m.group(2).strip() + " (not disassembled)");
        r.fact(SECTION, "KVM emulated the instruction at 0x" + m.group(1) + ": " + dis + (mode == null ? " (decoded as"
                + " 64-bit code: the trace does not print the mode)" : " (" + mode + ")") + (m.group(4) != null
                ? " - and the emulation FAILED" : ""), Cite.KVM_TRACE + " (kvm_emulate_insn); " + CodeBytes.CAPSTONE, e.line());
    }

    private void pageFault(TraceEvents.Event e) {
        Matcher m = PF.matcher(e.body());
        if (!m.find()) return;
        Long rb = dev.vmscope.explain.parse.Text.hexAny(m.group(1)), eb = dev.vmscope.explain.parse.Text.hexAny(m.group(3));
        if (rb == null || eb == null) return;
        long rip = rb, ec = eb;
        String q = t.vendor() == Vendor.AMD ? "" : "; on VMX error_code is the EPT-violation exit qualification: "
                + ExitQualifications.VMX_EPT.decode(ec).summary();
        r.fact(SECTION, "kvm_page_fault at guest rip " + m.group(1) + (rip >>> 47 == 0 ? " (lower canonical half: guest"
                + " user space on Linux and Windows)" : "") + ": address " + m.group(2) + " is the guest-physical address"
                + " of a two-dimensional paging fault (EPT violation / NPF), error_code " + m.group(3) + q,
                Cite.KVM_TRACE + " (kvm_page_fault); " + dev.vmscope.facts.Sources.SDM_QUAL + " table 28-7", e.line());
    }

    private static boolean once(Map<String, Integer> seen, String key) { return seen.merge(key, 1, Integer::sum) == 1; }
}
