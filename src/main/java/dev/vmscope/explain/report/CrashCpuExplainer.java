package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.VmscopeCrashDump;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.Sources;
import dev.vmscope.util.Json;

import java.util.Map;
import java.util.function.LongFunction;

/** One vCPU of a crash report: control registers, CPU mode and what RIP means in it, segments, tables, code. */
final class CrashCpuExplainer {
    private final VmscopeCrashDump d;
    private final VmscopeCrashDump.Cpu c;
    private final Report.Builder r;
    private final String sec;

    CrashCpuExplainer(VmscopeCrashDump d, VmscopeCrashDump.Cpu c, Report.Builder r) {
        this.d = d;
        this.c = c;
        this.r = r;
        this.sec = "vCPU " + c.vcpu();
    }

    void explain() {
        if (c.error() != null) {
            r.fact(sec, "state could not be read when the report was written: " + c.error(), Cite.CRASH, c.line());
            r.notInterpreted(c.line(), "vCPU " + c.vcpu() + " state unavailable");
            return;
        }
        reg("rflags", Knowledge::rflags);
        reg("cr0", Knowledge::cr0);
        reg("cr4", Knowledge::cr4);
        reg("efer", Knowledge::efer);
        Long cr2 = c.regs().get("cr2"), cr3 = c.regs().get("cr3");
        if (cr2 != null && cr3 != null) r.fact(sec, "cr2 0x" + Long.toHexString(cr2) + " (linear address of the last page"
                + " fault), cr3 0x" + Long.toHexString(cr3) + " (top-level page table, used only with CR0.PG=1)", Sources.APM_REGS, c.line());
        if (c.mpState() != null) r.fact(sec, "mp_state " + c.mpState() + mpMeaning(c.mpState()), Sources.LINUX_KVM
                + " (KVM_MP_STATE_*, KVM_GET_MP_STATE)", c.line());
        CpuMode mode = CpuMode.of(c);
        if (mode == null) {
            r.notInterpreted(c.line(), "vCPU " + c.vcpu() + ": CR0, EFER, RFLAGS or CS missing, so the CPU mode is unknown");
        } else {
            mode(mode);
        }
        segments(mode);
        tables(mode);
        if (c.events() != null) r.fact(sec, "pending/injected events: " + c.events() + (c.events().equals("none")
                ? " (KVM had no exception, interrupt or NMI queued for this vCPU)" : ""), Cite.CRASH
                + " (KVM_GET_VCPU_EVENTS)", c.line());
        code();
        VmscopeCrashDump.Cause cause = d.cause();
        if (cause != null && cause.kind().equals("TripleFault") && cause.vcpu() == c.vcpu() && mode != null)
            new TripleFaultAnalysis(c, mode, r).explain();
    }

    private static String mpMeaning(String s) {
        return switch (s) {
            case "RUNNABLE" -> ": the vCPU was running (or ready to run)";
            case "UNINITIALIZED" -> ": an application processor that was never started: it waits for INIT-SIPI-SIPI, so its"
                    + " registers are the architectural reset state";
            case "INIT_RECEIVED" -> ": INIT received, waiting for a SIPI";
            case "HALTED" -> ": halted (HLT) until an interrupt arrives";
            case "SIPI_RECEIVED" -> ": SIPI received, about to start at the SIPI vector";
            default -> "";
        };
    }

    private void reg(String name, LongFunction<Decoded> dec) {
        Long v = c.regs().get(name);
        if (v == null) {
            r.notInterpreted(c.line(), "vCPU " + c.vcpu() + ": " + name + " missing");
            return;
        }
        Decoded x = dec.apply(v);
        r.fact(sec, name + " 0x" + Long.toHexString(v) + ": set " + Bits.setBits(x), x.source(), c.line(), Bits.data(x));
    }

    private void mode(CpuMode m) {
        Map<String, Object> data = Json.obj();
        data.put("mode", m.name());
        data.put("code_bits", m.bits());
        data.put("rip", "0x" + Long.toHexString(m.rip()));
        data.put("linear", "0x" + Long.toHexString(m.linear()));
        data.put("paging", m.paging());
        r.fact(sec, m.describe(), Cite.MODES, c.line(), data);
        if (c.modeBits() != null && c.modeBits() != m.bits()) {
            r.fact(sec, "the report's own 'mode " + c.modeBits() + "-bit' differs from the " + m.bits()
                    + "-bit mode derived from CR0/EFER/CS above", Cite.CRASH, c.line());
            r.notInterpreted(c.line(), "vCPU " + c.vcpu() + ": code size disagrees with the report");
        }
        if (!m.paging()) {
            boolean inRam = d.memory().stream().anyMatch(x -> m.linear() >= x.start() && m.linear() <= x.end());
            if (!d.memory().isEmpty()) r.fact(sec, "with paging off the linear address 0x" + Long.toHexString(m.linear())
                    + " is guest-physical and it lies " + (inRam ? "inside" : "OUTSIDE") + " guest RAM", Cite.PAGING, c.line());
        }
    }

    private void segments(CpuMode m) {
        boolean real = m != null && m.gateSize() == 4;
        for (VmscopeCrashDump.Segment s : c.segments()) {
            Decoded ar = Knowledge.accessRights(s.attributes());
            boolean sys = s.name().equals("tr") || s.name().equals("ldt");
            r.fact(sec, s.name() + " selector 0x" + Integer.toHexString(s.selector()) + (sys ? "" : real ? " (real mode:"
                    + " a paragraph number, not a descriptor index)" : " (index " + (s.selector() >> 3) + ", "
                    + ((s.selector() & 4) != 0 ? "LDT" : "GDT") + ", RPL " + (s.selector() & 3) + ")") + " base 0x" + Long.toHexString(s.base()) + " limit 0x" + Long.toHexString(s.limit())
                    + ", attributes 0x" + Integer.toHexString(s.attributes()) + " = " + Bits.setBits(ar),
                    ar.source() + "; " + Cite.CRASH + " (struct kvm_segment fields packed as descriptor bits 8..23)",
                    s.line() > 0 ? s.line() : c.line(), Bits.data(ar));
        }
    }

    private void tables(CpuMode m) {
        if (c.gdt() != null) r.fact(sec, "GDTR base 0x" + Long.toHexString(c.gdt().base()) + " limit 0x"
                + Long.toHexString(c.gdt().limit()) + ": room for " + (c.gdt().limit() + 1) / 8 + " 8-byte descriptors",
                Cite.IDT, c.line());
        if (c.idt() == null) return;
        int gate = m == null ? 8 : m.gateSize();
        long n = (c.idt().limit() + 1) / gate;
        r.fact(sec, "IDTR base 0x" + Long.toHexString(c.idt().base()) + " limit 0x" + Long.toHexString(c.idt().limit())
                + ": " + (c.idt().limit() == 0 ? "EMPTY - not one " + gate + "-byte gate fits, so every vector is beyond the"
                + " limit" : n >= 256 ? "all 256 vectors have a " + gate + "-byte " + (gate == 4 ? "IVT entry" : "gate slot")
                : "vectors 0.." + (n - 1) + " have a " + gate + "-byte gate slot" + (n < 32 ? "; some exception vectors"
                + " (0-31) are missing" : "")), Cite.IDT, c.line());
    }

    private void code() {
        if (c.codeSource() == null && c.code().isEmpty()) return;
        if (c.code().isEmpty()) { // the report says why (e.g. RIP outside RAM): a fact, not a gap in our reading
            r.fact(sec, "code at RIP: " + c.codeSource(), Cite.CRASH, c.line());
            return;
        }
        r.fact(sec, "code at RIP (" + c.codeSource() + "): " + String.join(" | ", c.code()), Cite.CRASH
                + " (Capstone disassembly)", c.line());
        String first = c.code().getFirst();
        String insn = first.contains(": ") ? first.substring(first.indexOf(": ") + 2).strip() : first;
        String mnemonic = insn.replaceAll("^([0-9a-f]{2} )*[0-9a-f]{2}\\s+", "").split("\\s+")[0];
        String exc = switch (mnemonic) {
            case "ud2", "ud0", "ud1" -> "#UD (vector 6): " + mnemonic + " raises invalid opcode by definition";
            case "int3" -> "#BP (vector 3): int3 is the breakpoint trap";
            case "int1" -> "#DB (vector 1): int1 (ICEBP) raises a debug trap";
            case "into" -> "#OF (vector 4) when RFLAGS.OF=1";
            case "div", "idiv" -> "possibly #DE (vector 0): divide by zero or quotient overflow";
            case "hlt" -> "no exception: HLT waits for an interrupt";
            default -> null;
        };
        if (exc != null) r.fact(sec, "the instruction at RIP is '" + mnemonic + "': " + exc, Sources.SDM_EXC, c.line());
    }
}
