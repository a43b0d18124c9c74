package dev.vmscope.explain.decode;

import dev.vmscope.facts.BhyveExitCodes;
import dev.vmscope.facts.BitLayout;
import dev.vmscope.facts.CodeTable;
import dev.vmscope.facts.ControlRegisters;
import dev.vmscope.facts.EventInfo;
import dev.vmscope.facts.ExceptionVectors;
import dev.vmscope.facts.ExitQualifications;
import dev.vmscope.facts.IoPorts;
import dev.vmscope.facts.KvmExitReasons;
import dev.vmscope.facts.LocalApic;
import dev.vmscope.facts.Msrs;
import dev.vmscope.facts.SegmentAttributes;
import dev.vmscope.facts.Sources;
import dev.vmscope.facts.SvmExitCodes;
import dev.vmscope.facts.BhyveStats;
import dev.vmscope.facts.VmcbIntercepts;
import dev.vmscope.facts.VmcbLayout;
import dev.vmscope.facts.VmxInstructionErrors;
import dev.vmscope.facts.VmxExitReasons;
import dev.vmscope.facts.VmxControls;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code vmscope decode}: turns one value into a {@link Report} using the knowledge tables. */
public final class Decoder {
    private Decoder() {}

    public static final List<String> KINDS = List.of("svm-exit", "vmx-exit", "bhyve-exit", "kvm-exit", "rflags", "cr0",
            "cr4", "efer", "xcr0", "exceptions", "svm-intercepts", "icr", "segment-ar", "exitintinfo", "vmx-intr-info",
            "ioio", "npf", "msr", "port", "vector", "insn", "vmx-inst-error", "vmcb-offset", "int-ctl", "apic", "bhyve-stat",
            "vmx-controls");

    public static Report decode(DecodeRequest r) {
        List<Section> out = new ArrayList<>();
        String k = r.kind();
        switch (k) {
            case "svm-exit" -> svmExit(Values.parse("SVM exit code", r.value()), out);
            case "vmx-exit" -> vmxExit(r, out);
            case "bhyve-exit" -> lookup("bhyve exit code", BhyveExitCodes.table(), Values.parse("bhyve exit code", r.value()), Sources.BHYVE_VMM_H, out);
            case "kvm-exit" -> kvmExit(r, out);
            case "rflags" -> bits(ControlRegisters.RFLAGS, r, out);
            case "cr0" -> bits(ControlRegisters.CR0, r, out);
            case "cr4" -> bits(ControlRegisters.CR4, r, out);
            case "efer" -> bits(ControlRegisters.EFER, r, out);
            case "xcr0" -> bits(ControlRegisters.XCR0, r, out);
            case "exceptions" -> bits(ExceptionVectors.BITMAP, r, out);
            case "svm-intercepts" -> intercepts(r, out);
            case "icr" -> icr(r, out);
            case "segment-ar" -> segment(r, out);
            case "exitintinfo" -> out.add(Section.bits(EventInfo.decodeSvm(Values.parse("EXITINTINFO", r.value())), List.of()));
            case "vmx-intr-info" -> out.add(Section.bits(EventInfo.decodeVmx(Values.parse("interruption info", r.value(), 0xffffffffL)), List.of()));
            case "ioio" -> bits(ExitQualifications.SVM_IOIO, r, out);
            case "npf" -> bits(ExitQualifications.SVM_NPF, r, out);
            case "msr" -> msr(r, out);
            case "port" -> port(Values.parse("port", r.value(), 0xffff), out);
            case "vector" -> vector((int) Values.parse("vector", r.value(), 255), out);
            case "insn" -> out.add(Instructions.disassemble(r));
            case "vmx-inst-error" -> lookup("VM-instruction error", VmxInstructionErrors.table(),
                    Values.parse("VM-instruction error", r.value(), 0xffffffffL), "Intel SDM vol. 3, 31.4", out);
            case "vmcb-offset" -> vmcbOffset((int) Values.parse("VMCB offset", r.value(), 0xfff), out);
            case "int-ctl" -> bits(VmcbLayout.INT_CTL, r, out);
            case "apic" -> apic(Values.parse("APIC offset or x2APIC MSR", r.value(), 0xffffffffL), out);
            case "bhyve-stat" -> bhyveStat(String.join(" ", r.values()), out);
            case "vmx-controls" -> vmxControls(r, out);
            default -> throw new DecodeException("unknown decode kind '" + k + "' (kinds: " + String.join(", ", KINDS) + ")");
        }
        return new Report(k, String.join(" ", r.values()), out);
    }

    private static void bits(BitLayout layout, DecodeRequest r, List<Section> out) {
        long v = Values.parse(layout.title(), r.value());
        out.add(Section.bits(layout.decode(v), List.of()));
    }

    private static void lookup(String what, CodeTable t, long code, String source, List<Section> out) {
        out.add(t.lookup(code).map(e -> Section.exit(what, code, e)).orElseGet(() -> Section.unknown(what, code, source)));
    }

    private static void svmExit(long code, List<Section> out) {
        out.add(SvmExitCodes.lookup(code).map(e -> Section.exit("SVM exit code", code, e))
                .orElseGet(() -> Section.unknown("SVM exit code", code, Sources.APM_EXITCODES)));
        if (code >= 0x40 && code <= 0x5f) vector((int) code - 0x40, out);
    }

    private static void vmxExit(DecodeRequest r, List<Section> out) {
        long reason = Values.parse("VMX exit reason", r.value(), 0xffffffffL);
        int basic = (int) (reason & 0xffff);
        if (reason > 0xffff) out.add(Section.bits(VmxExitReasons.EXIT_REASON.decode(reason), List.of()));
        lookup("VMX basic exit reason", VmxExitReasons.table(), basic, Sources.SDM_EXIT, out);
        String q = r.options().get("--qualification");
        if (q == null) return;
        long qual = Values.parse("exit qualification", q);
        var layout = ExitQualifications.forVmxReason(basic);
        if (layout.isEmpty()) {
            out.add(Section.of("exit qualification " + Report.hex(qual), Sources.SDM_QUAL,
                    Map.of("layout", "none for exit reason " + basic),
                    List.of("the SDM defines no bit layout for this reason's qualification (it may hold an address or be zero)")));
            return;
        }
        List<String> notes = basic == 0
                ? List.of("decoded as a #DB qualification; for #PF the qualification is the faulting linear address instead")
                : List.of();
        out.add(Section.bits(layout.get().decode(qual), notes));
    }

    private static void kvmExit(DecodeRequest r, List<Section> out) {
        long code = Values.parse("KVM exit reason", r.value(), 0xffffffffL);
        lookup("KVM exit reason", KvmExitReasons.table(), code, Sources.LINUX_KVM, out);
        String s = r.options().get("--suberror");
        if (s != null) {
            lookup("KVM internal error suberror", KvmExitReasons.internalErrors(), Values.parse("suberror", s, 0xffffffffL), Sources.LINUX_KVM, out);
        }
    }

    private static void intercepts(DecodeRequest r, List<Section> out) {
        String w = r.options().get("--word");
        if (w == null) throw new DecodeException("svm-intercepts needs --word cr|dr|exc|inst1|inst2|inst3");
        VmcbIntercepts.Word word = VmcbIntercepts.Word.parse(w)
                .orElseThrow(() -> new DecodeException("unknown --word '" + w + "' (cr, dr, exc, inst1, inst2, inst3)"));
        long v = Values.parse("intercept word", r.value());
        var d = VmcbIntercepts.layout(word).decode(v);
        out.add(Section.bits(d, List.of("set bits are intercepted; clear bits run without a VM exit")));
    }

    private static void vmxControls(DecodeRequest r, List<Section> out) {
        String w = r.options().get("--word");
        if (w == null) throw new DecodeException("vmx-controls needs --word pin|proc|proc2|exit|entry");
        VmxControls.Word word = VmxControls.Word.parse(w)
                .orElseThrow(() -> new DecodeException("unknown --word '" + w + "' (pin, proc, proc2, exit, entry)"));
        long v = Values.parse("VMX control word", r.value(), 0xffffffffL);
        out.add(Section.bits(VmxControls.layout(word).decode(v), List.of("default1 bits are reserved and must be 1;"
                + " other undefined bits must be 0; flagged bits break that rule and make VM entry fail")));
    }

    private static void icr(DecodeRequest r, List<Section> out) {
        long v = Values.parse("ICR", r.value());
        boolean x2 = r.has("--x2apic");
        List<String> notes = new ArrayList<>();
        if (!x2 && v >>> 32 == 0) notes.add("32-bit value: decoded as ICR low (0x300); the destination lives in ICR high (0x310) bits 31:24");
        out.add(Section.bits((x2 ? LocalApic.ICR_X2APIC : LocalApic.ICR_XAPIC).decode(v), notes));
    }

    private static void segment(DecodeRequest r, List<Section> out) {
        long v = Values.parse("segment attributes", r.value(), 0xffffffffL);
        boolean svm = r.has("--svm"), vmx = r.has("--vmx");
        if (svm && vmx) throw new DecodeException("segment-ar: give --svm or --vmx, not both");
        if (!svm && !vmx) {
            vmx = true;
            svm = v <= 0xfff;
        }
        List<String> notes = svm && vmx ? List.of("encoding not given (--svm/--vmx): showing both") : List.of();
        if (vmx) out.add(Section.bits(SegmentAttributes.decodeVmx(v), notes));
        if (svm) out.add(Section.bits(SegmentAttributes.decodeSvm(v), notes));
    }

    private static void msr(DecodeRequest r, List<Section> out) {
        long n = Values.parse("MSR number", r.value(), 0xffffffffL);
        var m = Msrs.lookup(n);
        if (m.isEmpty()) {
            out.add(Section.unknown("MSR", n, Sources.SDM_MSR));
        } else {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("name", m.get().name());
            f.put("meaning", m.get().meaning());
            if (m.get().first() != m.get().last()) f.put("range", Report.hex(m.get().first()) + "-" + Report.hex(m.get().last()));
            LocalApic.byX2apicMsr(n).ifPresent(reg -> f.put("x2APIC register", reg.name() + " (xAPIC offset " + Report.hex(reg.offset()) + ")"));
            out.add(Section.of("MSR " + Report.hex(n), m.get().source(), f, List.of()));
        }
        String val = r.options().get("--value");
        if (val != null) {
            BitLayout l = Msrs.layout(n).orElseThrow(() -> new DecodeException("no bit layout known for MSR " + Report.hex(n)));
            out.add(Section.bits(l.decode(Values.parse("MSR value", val)), List.of()));
        }
    }

    private static void port(long p, List<Section> out) {
        var all = IoPorts.lookupAll((int) p);
        if (all.isEmpty()) {
            out.add(Section.unknown("I/O port", p, "PC port map (no entry)"));
            return;
        }
        for (IoPorts.Port x : all) {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("name", x.name());
            f.put("meaning", x.meaning());
            f.put("range", Report.hex(x.first()) + (x.first() == x.last() ? "" : "-" + Report.hex(x.last())));
            if (x.first() != p) f.put("offset", Report.hex(p - x.first()));
            out.add(Section.of("I/O port " + Report.hex(p), x.source(), f,
                    all.size() > 1 ? List.of("port has more than one known use; which applies depends on the machine") : List.of()));
        }
    }

    private static void vector(int v, List<Section> out) {
        var x = ExceptionVectors.lookup(v);
        if (x.isEmpty()) {
            out.add(Section.of("vector " + v, Sources.SDM_EXC, Map.of("kind", "external or software interrupt (vectors 32-255 have no fixed meaning)"), List.of()));
            return;
        }
        var e = x.get();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("mnemonic", e.mnemonic().isEmpty() ? "(none)" : e.mnemonic());
        f.put("name", e.name());
        f.put("class", e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '/'));
        f.put("error code", e.errorCode() ? "yes" : "no");
        if (!e.note().isEmpty()) f.put("raised by", e.note());
        out.add(Section.of("vector " + v, e.source(), f, List.of()));
    }

    private static void vmcbOffset(int off, List<Section> out) {
        var f = VmcbLayout.at(off);
        if (f.isEmpty()) {
            out.add(Section.of("VMCB offset " + Report.hex(off), Sources.APM_VMCB, Map.of("field", "reserved / not in table"), List.of()));
            return;
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("field", f.get().name());
        m.put("meaning", f.get().meaning());
        m.put("span", Report.hex(f.get().offset()) + "+" + f.get().size());
        if (off != f.get().offset()) m.put("byte within field", Report.hex(off - f.get().offset()));
        out.add(Section.of("VMCB offset " + Report.hex(off), f.get().source(), m, List.of()));
    }

    private static void apic(long v, List<Section> out) {
        boolean msr = v >= 0x800 && v <= 0x8ff;
        var reg = msr ? LocalApic.byX2apicMsr(v) : v <= 0xfff ? LocalApic.byOffset((int) v) : java.util.Optional.<LocalApic.Register>empty();
        if (reg.isEmpty()) {
            out.add(Section.unknown(msr ? "x2APIC MSR" : "local APIC offset", v, Sources.SDM_APIC));
            return;
        }
        var r = reg.get();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("register", r.name() + (r.count() > 1 ? "[" + ((msr ? (v - 0x800) << 4 : v) - r.offset()) / 16 + "]" : ""));
        m.put("meaning", r.meaning());
        m.put("xAPIC offset", Report.hex(r.offset()));
        m.put("x2APIC MSR", Report.hex(r.x2apicMsr()));
        out.add(Section.of((msr ? "x2APIC MSR " : "local APIC offset ") + Report.hex(v), r.source(), m, List.of()));
    }

    private static void bhyveStat(String description, List<Section> out) {
        if (description.isBlank()) throw new DecodeException("bhyve-stat needs the statistic's description, e.g. \"vm exits for instruction emulation\"");
        var st = BhyveStats.byDescription(description);
        if (st.isEmpty()) {
            out.add(new Section("bhyve statistic \"" + description + "\"", "FreeBSD sys/amd64/vmm (no entry)",
                    Map.of("name", "unknown"), List.of(), List.of("not in the table"), true));
            return;
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("id", st.get().id());
        m.put("counts", st.get().counts());
        m.put("cpu", st.get().scope());
        out.add(Section.of("bhyve statistic \"" + st.get().description() + "\"", st.get().source(), m, List.of()));
    }
}
