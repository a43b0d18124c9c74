package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.BhyvectlDump;
import dev.vmscope.explain.parse.Field;
import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.Sources;
import dev.vmscope.facts.VmcbIntercepts;
import dev.vmscope.util.Json;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;

/** Facts that need two or more bhyvectl fields together. */
final class BhyvectlRelations {
    private static final String S = BhyvectlExplainer.RELATIONS;
    private final BhyvectlDump d;
    private final Report.Builder r;
    private final ExitCodeInfo exit;

    BhyvectlRelations(BhyvectlDump d, Report.Builder r, ExitCodeInfo exit) {
        this.d = d;
        this.r = r;
        this.exit = exit;
    }

    void relate() {
        vendorEvidence();
        mode();
        ripVersusMemoryMap();
        trapAndInterruptFlags();
        exitAndIntercepts();
        exitAndQueuedEvent();
        suspended();
    }

    private void vendorEvidence() {
        Optional<Field> efer = d.field("efer").filter(Field::numeric);
        boolean svme = efer.isPresent() && (efer.get().value() & 1L << 12) != 0;
        if (d.vendor() == Vendor.AMD && svme) {
            r.fact(S, "vendor AMD (evidence: EFER 0x" + Long.toHexString(efer.get().value()) + " has SVME, bit 12: the guest"
                    + " EFER in a VMCB must have SVME set for VMRUN, and a VMX guest never does)",
                    "AMD64 APM vol. 2, 15.5.1 \"Basic Operation\" (VMRUN checks EFER.SVME); " + Cite.BHYVECTL_MD,
                    efer.get().line());
        } else if (d.vendor() == Vendor.UNKNOWN) {
            r.fact(S, "vendor: unknown (no VMCB- or VMCS-only field, no exit block and EFER.SVME clear or absent)",
                    Cite.BHYVECTL_MD, 0);
        }
    }

    /** CPU mode and paging from cr0, efer, rflags and the CS descriptor (bhyvectl prints VMX-style access rights). */
    private void mode() {
        Optional<Field> cs = d.field("cs desc").filter(f -> f.values().length == 3);
        Long cr0 = d.field("cr0").filter(Field::numeric).map(Field::value).orElse(null);
        if (cr0 == null && cs.isEmpty()) return;
        dev.vmscope.explain.parse.QemuDump.Segment seg = cs.map(f -> new dev.vmscope.explain.parse.QemuDump.Segment("CS",
                (int) num("cs", 0), f.values()[0], f.values()[1],
                dev.vmscope.explain.parse.QemuDump.Segment.flagsOfAr(f.values()[2]), "", f.line(), false)).orElse(null);
        GuestMode m = GuestMode.of(cr0, d.field("efer").filter(Field::numeric).map(Field::value).orElse(null),
                d.field("rflags").filter(Field::numeric).map(Field::value).orElse(null), seg);
        r.fact(S, m.describe(), Cite.MODES, 0);
        r.fact(S, m.describePaging(), Cite.PAGING, 0);
        for (String f : m.findings()) r.fact(S, f, Cite.MODES, 0);
    }

    private long num(String n, long dflt) { return d.field(n).filter(Field::numeric).map(Field::value).orElse(dflt); }

    /** RIP is a CS offset; with CR0.PG set it is guest-virtual and only a page walk from CR3 gives a GPA. */
    private void ripVersusMemoryMap() {
        Optional<Field> rip = d.field("rip").filter(Field::numeric);
        if (rip.isEmpty() || d.memmap().isEmpty() && d.field("cr0").isEmpty()) return;
        boolean paging = d.field("cr0").filter(Field::numeric).map(f -> Bits.isSet(Knowledge.cr0(f.value()), "PG"))
                .orElse(true);
        long v = rip.get().value();
        String inSysmem = "none";
        for (BhyvectlDump.MemMapping m : d.memmap()) {
            if (Long.compareUnsigned(v, m.gpa()) >= 0 && Long.compareUnsigned(v, m.gpa() + m.lengthBytes()) < 0) {
                inSysmem = m.segment() + " at 0x" + Long.toHexString(m.gpa());
            }
        }
        Map<String, Object> data = Json.obj();
        data.put("rip", "0x" + Long.toHexString(v));
        data.put("rip_space", paging ? "guest-virtual" : "guest-physical (paging off; add CS base)");
        data.put("needs_cr3_walk", paging);
        data.put("cr3", "0x" + Long.toHexString(num("cr3", 0)));
        if (paging) {
            r.fact(S, "rip 0x" + Long.toHexString(v) + " is guest-virtual (CR0.PG=1): it cannot be placed in a"
                    + " sysmem region of the memory map, which lists guest-physical addresses, without first walking"
                    + " the guest page tables from CR3 = 0x" + Long.toHexString(num("cr3", 0)) + " (numeric overlap"
                    + " with a guest-physical range: " + inSysmem + ", which means nothing)", Cite.PAGING + "; "
                    + Cite.NPT, rip.get().line(), data);
        } else {
            r.fact(S, "paging is off (CR0.PG=0), so CS.base + rip is guest-physical and may be compared with the"
                    + " memory map (rip falls in: " + inSysmem + ")", Cite.PAGING, rip.get().line(), data);
        }
    }

    private void trapAndInterruptFlags() {
        Optional<Field> f = d.field("rflags").filter(Field::numeric);
        if (f.isEmpty()) return;
        Decoded dec = Knowledge.rflags(f.get().value());
        boolean tf = Bits.isSet(dec, "TF"), iflag = Bits.isSet(dec, "IF");
        if (tf && !iflag) {
            r.fact(S, "TF set with IF clear: the guest is single-stepping (a #DB trap follows every instruction)"
                    + " while maskable interrupts are blocked, as inside a debugger's step through an interrupt-disabled"
                    + " region or a handler entered with TF still set; no external interrupt reaches this vCPU until IF"
                    + " is set", Cite.INTERRUPTS, f.get().line());
        } else if (!iflag) {
            r.fact(S, "IF clear: maskable interrupts are blocked on this vCPU (a HLT now would never wake)",
                    Cite.INTERRUPTS, f.get().line());
        }
    }

    /** The exit code of an instruction intercept must have its bit set in the inst1/inst2 word. */
    private void exitAndIntercepts() {
        if (exit == null || d.vendor() != Vendor.AMD) return;
        long code = exit.code();
        VmcbIntercepts.Word w = code >= 0x60 && code < 0x80 ? VmcbIntercepts.Word.INST1
                : code >= 0x80 && code < 0xa0 ? VmcbIntercepts.Word.INST2 : null;
        String field = w == VmcbIntercepts.Word.INST1 ? "inst1_intercept" : "inst2_intercept";
        if (w == null) return;
        d.field(field).filter(Field::numeric).ifPresent(x -> {
            int bit = (int) (code & 0x1f);
            boolean set = (x.value() >>> bit & 1) != 0;
            r.fact(S, exit.name() + " is intercept bit " + bit + " of " + field + " (" + x.raw() + "): "
                    + (set ? "set, consistent with the exit" : "CLEAR, inconsistent with the exit (dump taken later,"
                    + " or the intercept was changed after the exit)"), Sources.APM_VMCB, x.line());
        });
        // Exceptions raised inside the guest exit only if their bit is in the exception intercept word.
        d.field("exc_intercept").filter(Field::numeric).ifPresent(x -> {
            Decoded bm = Knowledge.exceptionBitmap(x.value());
            if (!Bits.isSet(bm, "#UD") && !Bits.isSet(bm, "#DB")) {
                r.fact(S, "neither #DB nor #UD is intercepted (" + x.name() + " " + x.raw() + " only traps "
                        + String.join(", ", bm.setNames()) + "): a #UD the guest sees comes from bhyve's injection"
                        + " or from the guest's own execution, and would not cause an exit", bm.source(), x.line());
            }
        });
    }

    /** An injected/queued exception next to the exit that produced it. */
    private void exitAndQueuedEvent() {
        d.field("exitintinfo").filter(Field::numeric).filter(x -> (x.value() & 0x80000000L) != 0).ifPresent(x -> {
            int vec = (int) (x.value() & 0xff);
            r.fact(S, "EXITINTINFO is valid: the exit interrupted the delivery of vector " + vec + " ("
                    + Knowledge.vector(vec) + " if an exception); the event was not delivered and bhyve re-injects it"
                    + " on the next VMRUN", Sources.APM_EVENTINJ + "; " + Cite.BHYVE_SVM.replace("svm_vmexit()",
                    "svm_inj_intinfo()") + "; " + Cite.BHYVE_VMM + " vm_exit_intinfo()", x.line());
        });
        for (BhyvectlDump.IntInfo ii : d.intinfo()) {
            if (!ii.valid()) continue;
            String label = ii.type().equals("exception") ? Knowledge.vector(ii.vector()) : ii.type();
            String rel = ii.which().equals("pending")
                    ? "an event (" + label + ", vector " + ii.vector() + ") was being delivered when the last exit"
                    + " happened; the hypervisor re-injects it on the next entry"
                    : "an exception (" + label + ", vector " + ii.vector() + ") is queued by bhyve for the next entry";
            String src = Cite.BHYVE_VMM + " vm_get_intinfo()/vm_exit_intinfo()";
            if (exit != null && BhyveHandling.injectsUd(exit.name()) && ii.vector() == 6) {
                rel += "; it matches the last exit: for " + exit.name() + " bhyve injects #UD";
                src += "; " + Cite.BHYVE_SVM;
            }
            r.fact(S, rel, src, ii.line());
        }
    }

    private void suspended() {
        Optional<BhyvectlDump.CpuSet> active = d.cpuSet("active cpus"), susp = d.cpuSet("suspended cpus");
        if (active.isEmpty() || susp.isEmpty() || active.get().cpus().isEmpty()) return;
        if (new HashSet<>(susp.get().cpus()).containsAll(active.get().cpus())) {
            r.fact(S, "all active vCPUs " + active.get().cpus() + " are suspended: the VM itself was suspended"
                    + " (vm_suspend: reset, poweroff, halt or triple fault), not a single vCPU",
                    Cite.BHYVE_VMM + " vm_suspend()/vm_handle_suspend()", susp.get().line());
        } else if (!susp.get().cpus().isEmpty()) {
            r.fact(S, "suspended vCPUs " + susp.get().cpus() + " of active " + active.get().cpus()
                    + ": the VM is being suspended and the remaining vCPUs have not yet noticed",
                    Cite.BHYVE_VMM + " vm_handle_suspend()", susp.get().line());
        }
    }
}
