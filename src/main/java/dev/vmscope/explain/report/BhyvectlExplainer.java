package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.BhyvectlDump;
import dev.vmscope.explain.parse.Field;
import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.BitLayout;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.Sources;
import dev.vmscope.facts.VmcbIntercepts;
import dev.vmscope.facts.VmxControls;
import dev.vmscope.util.Json;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Explains bhyvectl --get-all / --get-stats output: decodes every field, then relates them. */
final class BhyvectlExplainer {
    static final String EXIT = "Exit", REGS = "Registers", INTERCEPTS = "Intercepts", EVENTS = "Pending events",
            MEMORY = "Memory map", VCPUS = "vCPUs", RELATIONS = "Relations", STATS = "Statistics", OTHER = "Other fields";

    private final BhyvectlDump d;
    private final Report.Builder r;
    private final Vendor vendor;
    private final Set<String> handled = new HashSet<>();
    private ExitCodeInfo exitInfo;

    BhyvectlExplainer(BhyvectlDump d, Report.Builder r) {
        this.d = d;
        this.r = r;
        this.vendor = d.vendor();
    }

    void explain() {
        exit();
        registers();
        intercepts();
        events();
        memory();
        vcpus();
        new BhyvectlRelations(d, r, exitInfo).relate();
        new BhyveStatsExplainer(d, r).explain();
        ExitExplainer.bhyveExits(d.exits(), vendor, r);
        others();
    }

    private Optional<Field> f(String name) {
        handled.add(name);
        return d.field(name);
    }

    private void exit() {
        f("exit_reason").filter(Field::numeric).ifPresent(x -> exitInfo = ExitExplainer.hardwareExit(vendor,
                x.value(), "exit_reason[" + x.vcpu() + "]", x.line(), r, EXIT).orElse(null));
        for (String n : List.of("exitinfo1", "exitinfo2")) {
            f(n).ifPresent(x -> {
                Optional<BitLayout> layout = n.equals("exitinfo1") && exitInfo != null
                        ? Knowledge.svmExitInfo1(exitInfo.code()) : Optional.empty();
                if (layout.isPresent() && x.numeric()) {
                    Decoded dd = layout.get().decode(x.value());
                    r.fact(EXIT, n + " " + x.raw() + " (" + dd.title() + "): " + Bits.setBits(dd), dd.source(),
                            x.line(), Bits.data(dd));
                } else {
                    r.fact(EXIT, n + " = " + x.raw() + ": exit-specific detail; "
                            + (exitInfo == null ? "exit code unknown" : "no layout is defined for " + exitInfo.name()),
                            Sources.APM_EXITCODES, x.line());
                }
            });
        }
        f("exitintinfo").filter(Field::numeric).ifPresent(x -> ExitExplainer.eventWord("exitintinfo", vendor,
                x.value(), x.line(), r, EXIT));
        f("vmcs_exit_qualification").ifPresent(x -> {
            Optional<BitLayout> layout = exitInfo == null || !x.numeric() ? Optional.empty()
                    : Knowledge.vmxQualification(exitInfo.code());
            if (layout.isPresent()) {
                Decoded dd = layout.get().decode(x.value());
                r.fact(EXIT, "exit qualification " + x.raw() + " (" + dd.title() + "): " + Bits.setBits(dd),
                        dd.source(), x.line(), Bits.data(dd));
            } else {
                r.fact(EXIT, "exit qualification = " + x.raw() + ": no qualification layout for "
                        + (exitInfo == null ? "an unknown exit reason" : exitInfo.name()), Sources.SDM_QUAL, x.line());
            }
        });
        f("instruction_error").filter(Field::numeric).ifPresent(x -> r.fact(EXIT, "instruction_error = " + x.raw()
                + ": " + (x.value() == 0 ? "no VMX instruction error recorded" : Knowledge.vmxInstructionError(
                x.value()).map(ExitCodeInfo::meaning).orElse("unknown VM-instruction error number")),
                "Intel SDM vol. 3, 31.4 \"VM Instruction Error Numbers\"", x.line()));
        f("v_irq/tpr").filter(Field::numeric).ifPresent(x -> {
            Decoded dd = Knowledge.intCtl(x.value());
            r.fact(EXIT, "v_irq/tpr " + x.raw() + " (VMCB INT_CTL, offset 0x60): " + Bits.setBits(dd)
                    + "; interrupt vector byte (offset 0x64) = 0x" + Long.toHexString(x.value() >>> 32 & 0xff),
                    dd.source() + "; " + Cite.BHYVECTL_MD + " get_misc_vmcb()", x.line(), Bits.data(dd));
        });
        for (String n : List.of("vmcs_exit_interruption_info", "entry_interruption_info", "vmcs_idt_vectoring_info")) {
            f(n).filter(Field::numeric).ifPresent(x -> ExitExplainer.eventWord(n, vendor, x.value(), x.line(), r, EXIT));
        }
    }

    private void registers() {
        f("rflags").filter(Field::numeric).ifPresent(x -> {
            Decoded dec = Knowledge.rflags(x.value());
            List<String> clear = Bits.clear(dec, "IF", "TF", "DF", "ZF", "PF", "OF");
            r.fact(REGS, "rflags " + x.raw() + ": set " + Bits.setBits(dec)
                    + "; clear: " + String.join(", ", clear), dec.source(), x.line(), Bits.data(dec));
        });
        decodeReg("cr0", Knowledge::cr0);
        decodeReg("cr4", Knowledge::cr4);
        decodeReg("efer", Knowledge::efer);
        f("cr2").ifPresent(x -> r.fact(REGS, "cr2 = " + x.raw() + ": linear (guest-virtual) address of the last"
                + " page fault the guest took", Sources.APM_REGS, x.line()));
        f("cr3").filter(Field::numeric).ifPresent(x -> r.fact(REGS, "cr3 = " + x.raw()
                + ": guest-physical address of the top-level guest page table (bits 12 and up; low bits are"
                + " PCID/flags)", Sources.APM_REGS, x.line()));
        f("rip").ifPresent(x -> r.fact(REGS, "rip = " + x.raw() + ": instruction pointer, an offset in CS; with"
                + " paging on it is a guest-virtual address", Cite.PAGING, x.line()));
        for (String g : List.of("rsp", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11",
                "r12", "r13", "r14", "r15", "dr0", "dr1", "dr2", "dr3", "dr6", "dr7")) {
            f(g).ifPresent(x -> r.fact(REGS, g + " = " + x.raw(), Cite.BHYVECTL_MD + " get_all_registers()", x.line()));
        }
        for (String s : List.of("cs", "ds", "es", "fs", "gs", "ss", "tr", "ldtr")) {
            f(s + " desc").filter(x -> x.values().length == 3).ifPresent(x -> {
                Decoded ar = Knowledge.accessRights(x.values()[2]);
                r.fact(REGS, s + " descriptor: base 0x" + Long.toHexString(x.values()[0]) + ", limit 0x"
                        + Long.toHexString(x.values()[1]) + ", access 0x" + Long.toHexString(x.values()[2]) + " = "
                        + Bits.setBits(ar), Cite.BHYVECTL_MD + " get_all_segments(); access in VMX layout (bhyve"
                        + " converts the VMCB attribute, FreeBSD sys/amd64/vmm/amd/vmcb.c vmcb_getdesc()); "
                        + ar.source(), x.line(), Bits.data(ar));
            });
            f(s).ifPresent(x -> r.fact(REGS, s + " selector = " + x.raw() + " (index " + (x.value() >> 3) + ", "
                    + ((x.value() & 4) != 0 ? "LDT" : "GDT") + ", RPL " + (x.value() & 3) + ")", Sources.APM_REGS,
                    x.line()));
        }
        for (String s : List.of("gdtr", "idtr")) {
            f(s).filter(x -> x.values().length == 2).ifPresent(x -> r.fact(REGS, s + ": base 0x"
                    + Long.toHexString(x.values()[0]) + " (guest-virtual), limit 0x" + Long.toHexString(x.values()[1]),
                    Sources.APM_REGS, x.line()));
        }
    }

    private void decodeReg(String name, java.util.function.LongFunction<Decoded> dec) {
        f(name).filter(Field::numeric).ifPresent(x -> {
            Decoded dd = dec.apply(x.value());
            r.fact(REGS, name + " " + x.raw() + ": set " + Bits.setBits(dd), dd.source(), x.line(), Bits.data(dd));
        });
    }

    private void intercepts() {
        f("cr_intercept").filter(Field::numeric).ifPresent(x -> rw("cr_intercept", "CR", VmcbIntercepts.Word.CR, x));
        f("dr_intercept").filter(Field::numeric).ifPresent(x -> rw("dr_intercept", "DR", VmcbIntercepts.Word.DR, x));
        for (String n : List.of("exc_intercept", "exception_bitmap")) {
            f(n).filter(Field::numeric).ifPresent(x -> {
                Decoded dd = Knowledge.exceptionBitmap(x.value());
                StringBuilder v = new StringBuilder();
                for (var b : dd.setFlags()) v.append(v.isEmpty() ? "" : ", ").append(b.name()).append(" (vector ")
                        .append(b.lo()).append(')');
                r.fact(INTERCEPTS, n + " " + x.raw() + ": bit n intercepts exception vector n; intercepted: "
                        + (v.isEmpty() ? "none" : v) + "; every other exception is delivered to the guest"
                        + " without an exit", dd.source(), x.line(), Bits.data(dd));
            });
        }
        for (VmxControls.Word w : VmxControls.Word.values()) {
            f(w.bhyvectlName).filter(Field::numeric).ifPresent(x -> {
                Decoded dd = Knowledge.vmxControls(w, x.value());
                List<String> odd = dd.anomalies().stream().map(b -> b.name() + " bit " + b.bits() + " = " + b.value()).toList();
                r.fact(INTERCEPTS, w.bhyvectlName + " " + x.raw() + " (" + dd.title() + "): set " + (dd.setNames().isEmpty()
                        ? "none" : String.join(", ", dd.setNames())) + (odd.isEmpty() ? "; reserved bits as required"
                        : "; NOT as the SDM requires: " + String.join(", ", odd)), dd.source() + "; " + Cite.BHYVECTL_MD
                        + " (VMCS field read by --get-all)", x.line(), Bits.data(dd));
            });
        }
        f("inst1_intercept").filter(Field::numeric).ifPresent(x -> inst("inst1_intercept", VmcbIntercepts.Word.INST1, x));
        f("inst2_intercept").filter(Field::numeric).ifPresent(x -> inst("inst2_intercept", VmcbIntercepts.Word.INST2, x));
    }

    private void rw(String n, String reg, VmcbIntercepts.Word w, Field x) {
        Decoded dd = Knowledge.vmcb(w, x.value());
        r.fact(INTERCEPTS, n + " " + x.raw() + ": " + Bits.readWriteSummary(reg, x.value()), dd.source(), x.line(),
                Bits.data(dd));
    }

    private void inst(String n, VmcbIntercepts.Word w, Field x) {
        Decoded dd = Knowledge.vmcb(w, x.value());
        r.fact(INTERCEPTS, n + " " + x.raw() + ": intercepted " + String.join(", ", dd.setNames()), dd.source(),
                x.line(), Bits.data(dd));
    }

    private void events() {
        for (BhyvectlDump.IntInfo ii : d.intinfo()) {
            String what = ii.which().equals("pending") ? "pending (event that was being delivered at the last exit,"
                    + " to be re-injected)" : "current (exception bhyve has queued for injection)";
            if (!ii.valid()) {
                r.fact(EVENTS, what + ": none", Cite.BHYVECTL_MD + " print_intinfo(); " + Cite.BHYVE_VMM
                        + " vm_get_intinfo()", ii.line());
                continue;
            }
            String label = ii.type().equals("exception") ? Knowledge.vector(ii.vector()) : ii.type();
            String name = Knowledge.vectorInfo(ii.vector()).filter(v -> ii.type().equals("exception"))
                    .map(v -> " (" + v.name() + ")").orElse("");
            Map<String, Object> data = Json.obj();
            data.put("which", ii.which());
            data.put("type", ii.type());
            data.put("vector", ii.vector());
            data.put("mnemonic", label);
            r.fact(EVENTS, what + ": " + ii.type() + " vector " + ii.vector() + " = " + label + name
                    + (ii.errcode() == null ? "" : ", error code 0x" + Long.toHexString(ii.errcode()))
                    + "; the vector identifies exactly one exception", Sources.SDM_EXC + "; " + Sources.APM_EXC,
                    ii.line(), data);
        }
    }

    private void memory() {
        for (BhyvectlDump.MemSeg s : d.memsegs()) {
            r.fact(MEMORY, "segment " + s.id() + " '" + s.name() + "' of " + s.length(), Cite.BHYVECTL + " show_memseg()",
                    s.line());
        }
        for (BhyvectlDump.MemMapping m : d.memmap()) {
            Map<String, Object> data = Json.obj();
            data.put("gpa_start", "0x" + Long.toHexString(m.gpa()));
            data.put("gpa_end", "0x" + Long.toHexString(m.gpa() + m.lengthBytes()));
            data.put("segment", m.segment());
            r.fact(MEMORY, "guest-physical 0x" + Long.toHexString(m.gpa()) + "-0x" + Long.toHexString(m.gpa()
                    + m.lengthBytes() - 1) + " (" + m.length() + ", humanized) -> " + m.segment() + " + 0x"
                    + Long.toHexString(m.offset()) + ", " + m.prot() + (m.flags().isEmpty() ? "" : ", " + m.flags())
                    + "; addresses here are guest-physical", Cite.BHYVECTL + " show_memmap(); " + Cite.NPT, m.line(),
                    data);
        }
    }

    private void vcpus() {
        for (BhyvectlDump.CpuSet c : d.cpuSets()) {
            r.fact(VCPUS, c.name() + ": " + (c.cpus().isEmpty() ? "none" : c.cpus().toString()),
                    Cite.BHYVECTL + " print_cpus()", c.line());
        }
        if (!d.capabilities().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (BhyvectlDump.Capability c : d.capabilities())
                sb.append(sb.isEmpty() ? "" : ", ").append(c.name()).append(": ").append(c.state());
            r.fact(VCPUS, "capabilities: " + sb, Cite.BHYVECTL + " (vm_capability_type2name)",
                    d.capabilities().getFirst().line());
        }
    }

    private void others() {
        int msrPass = 0, firstMsr = 0;
        for (Field x : d.fields()) {
            if (handled.contains(x.name())) {
                if (!x.numeric()) r.notInterpreted(x.line(), x.name() + " value '" + x.raw() + "' is not a number");
                continue;
            }
            if ((x.name().startsWith("MSR") || x.name().startsWith("msr ")) && x.raw().matches("[R-][W-]")) {
                if (msrPass++ == 0) firstMsr = x.line();
                continue;
            }
            String hint = x.name().equals("x2apic_state") ? " (enum x2apic_state: 0 disabled, 1 enabled)"
                    : x.name().equals("errno") ? " (bhyvectl stopped early: a later query failed with this errno)" : "";
            r.fact(OTHER, x.name() + (x.vcpu() >= 0 ? "[" + x.vcpu() + "]" : "") + " = " + x.raw() + hint,
                    Cite.BHYVECTL_MD, x.line());
        }
        if (msrPass > 0) {
            r.fact(OTHER, msrPass + " MSRs are listed as passed through (R/W without an exit: their permission-map"
                    + " bits are clear)", Cite.BHYVECTL_MD + " dump_amd_msr_pm()/dump_intel_msr_pm()", firstMsr);
        }
    }
}
