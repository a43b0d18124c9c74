package dev.vmscope.debug;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.facts.X86Bits;
import dev.vmscope.util.Json;

import java.util.List;
import java.util.Map;

/** The per-vCPU parts of a crash report, each written both as text and into the JSON map. */
final class CrashSections {
    private CrashSections() {}

    static void registers(CpuState s, Map<String, Object> m, StringBuilder t) {
        String[] names = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
        Map<String, Object> g = Json.obj();
        for (int i = 0; i < 16; i++) {
            g.put(names[i], CrashReport.hex(s.gpr(i)));
            t.append(String.format("  %-3s %016x%s", names[i], s.gpr(i), i % 4 == 3 ? "\n" : " "));
        }
        g.put("rip", CrashReport.hex(s.rip()));
        m.put("gprs", g);
        m.put("mode_bits", s.codeBits());
        String mp = s.known("mp_state") ? s.mpState().toString() : UNKNOWN;
        m.put("mp_state", mp);
        m.put("unknown", List.copyOf(new java.util.TreeSet<>(s.unknown())));
        t.append(String.format("  rip %016x  mode %d-bit  mp_state %s%n", s.rip(), s.codeBits(), mp));
        flag(m, t, "rflags", s.rflags(), X86Bits.rflags(s.rflags()));
        flag(m, t, "cr0", s.cr0(), X86Bits.cr0(s.cr0()));
        m.put("cr2", CrashReport.hex(s.cr2()));
        m.put("cr3", CrashReport.hex(s.cr3()));
        t.append(String.format("  cr2    0x%x%n  cr3    0x%x%n", s.cr2(), s.cr3()));
        flag(m, t, "cr4", s.cr4(), X86Bits.cr4(s.cr4()));
        m.put("cr8", CrashReport.hex(s.cr8()));
        t.append(String.format("  cr8    0x%x%n", s.cr8()));
        flag(m, t, "efer", s.efer(), X86Bits.efer(s.efer()));
        Map<String, Object> segs = Json.obj();
        String[] sn = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"};
        CpuState.Segment[] sv = {s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt()};
        for (int i = 0; i < sn.length; i++) {
            CpuState.Segment x = sv[i];
            Map<String, Object> e = Json.obj();
            e.put("selector", CrashReport.hex(x.selector()));
            e.put("base", CrashReport.hex(x.base()));
            e.put("limit", CrashReport.hex(x.limit()));
            e.put("attributes", CrashReport.hex(x.attributes()));
            segs.put(sn[i], e);
            t.append(String.format("  %-3s sel %04x base %016x limit %08x attr %05x (type %d dpl %d%s%s%s)%n", sn[i], x.selector(),
                    x.base(), x.limit(), x.attributes(), x.type(), x.dpl(), x.present() ? " P" : " not-present",
                    x.longMode() ? " L" : "", x.defaultBig() ? " D" : ""));
        }
        m.put("segments", segs);
        m.put("gdt", Map.of("base", CrashReport.hex(s.gdt().base()), "limit", CrashReport.hex(s.gdt().limit())));
        m.put("idt", Map.of("base", CrashReport.hex(s.idt().base()), "limit", CrashReport.hex(s.idt().limit())));
        t.append(String.format("  gdt base %016x limit %04x   idt base %016x limit %04x%n", s.gdt().base(), s.gdt().limit(),
                s.idt().base(), s.idt().limit()));
        String kgs = s.known("kernel_gs_base") ? CrashReport.hex(s.kernelGsBase()) : UNKNOWN;
        m.put("kernel_gs_base", kgs);
        t.append("  kernel_gs_base ").append(kgs).append('\n');
        if (s.known("debug_registers")) {
            m.put("dr", List.of(CrashReport.hex(s.dr0()), CrashReport.hex(s.dr1()), CrashReport.hex(s.dr2()), CrashReport.hex(s.dr3())));
            flag(m, t, "dr6", s.dr6(), X86Bits.dr6(s.dr6()));
            m.put("dr7", CrashReport.hex(s.dr7()));
            t.append(String.format("  dr0-3  %x %x %x %x  dr7 %x%n", s.dr0(), s.dr1(), s.dr2(), s.dr3(), s.dr7()));
        } else {
            m.put("dr", UNKNOWN);
            m.put("dr6", UNKNOWN);
            m.put("dr7", UNKNOWN);
            t.append("  dr0-3, dr6, dr7 unknown (the backend could not read them)\n");
        }
        if (s.known("events")) events(s.events(), m, t);
        else {
            m.put("events", UNKNOWN);
            t.append("  events unknown (the backend could not read them)\n");
        }
    }

    /** What a part the backend could not read is shown as, instead of a made-up reset value. */
    static final String UNKNOWN = "unknown";

    private static void flag(Map<String, Object> m, StringBuilder t, String name, long v, List<String> bits) {
        Map<String, Object> e = Json.obj();
        e.put("value", CrashReport.hex(v));
        e.put("bits", bits);
        m.put(name, e);
        t.append(String.format("  %-6s %s%n", name, X86Bits.format(v, bits)));
    }

    private static void events(CpuState.PendingEvents e, Map<String, Object> m, StringBuilder t) {
        Map<String, Object> j = Json.obj();
        StringBuilder line = new StringBuilder();
        if (e.exceptionPending() || e.exceptionInjected()) {
            String ex = X86Bits.exception(e.exceptionVector()) + (e.exceptionHasErrorCode() ? String.format(" error 0x%x", e.exceptionErrorCode()) : "");
            j.put("exception", ex + (e.exceptionInjected() ? " injected" : " pending"));
            line.append(" exception ").append(ex).append(e.exceptionInjected() ? " (injected)" : " (pending)");
        }
        if (e.interruptInjected()) {
            j.put("interrupt", e.interruptVector());
            line.append(" interrupt vector ").append(e.interruptVector()).append(" (injected)");
        }
        if (e.nmiPending()) line.append(" NMI pending");
        if (e.nmiInjected()) line.append(" NMI injected");
        if (e.nmiMasked()) line.append(" NMIs masked");
        if (e.interruptShadow()) line.append(" interrupt shadow");
        if (e.smiPending()) line.append(" SMI pending");
        j.put("nmi_pending", e.nmiPending());
        j.put("nmi_injected", e.nmiInjected());
        j.put("nmi_masked", e.nmiMasked());
        j.put("summary", line.isEmpty() ? "none" : line.toString().trim());
        m.put("events", j);
        t.append("  events ").append(line.isEmpty() ? "none" : line.toString().trim()).append('\n');
    }

    /** Code at RIP: the bytes KVM gave (emulation failure) or those read through the translator. */
    static void code(DebugTarget target, int v, CpuState s, byte[] given, Map<String, Object> m, StringBuilder t) {
        long linear = s.codeBits() == 64 ? s.rip() : s.cs().base() + s.rip();
        byte[] bytes = given;
        String source = "reported by KVM";
        if (bytes == null) {
            source = "read from guest memory";
            try {
                bytes = target.readVirtual(v, linear, 16);
            } catch (RuntimeException e) {
                m.put("code", "unreadable: " + e.getMessage());
                t.append("  code at rip: unreadable: ").append(e.getMessage()).append('\n');
                return;
            }
        }
        List<String> lines = CrashReport.disassemble(bytes, linear, s.codeBits());
        m.put("code_source", source);
        m.put("code_address", CrashReport.hex(linear));
        m.put("code_bits", s.codeBits());
        m.put("code_bytes", java.util.HexFormat.ofDelimiter(" ").formatHex(bytes));
        m.put("code", lines);
        t.append("  code at rip (").append(source).append("):\n");
        for (String l : lines) t.append("    ").append(l).append('\n');
    }
}
