package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.QemuDump;
import dev.vmscope.facts.ControlRegisters;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.DecodedBit;
import dev.vmscope.facts.IoPorts;
import dev.vmscope.facts.LocalApic;
import dev.vmscope.facts.Msrs;
import dev.vmscope.facts.PcMemoryMap;
import dev.vmscope.facts.SegmentAttributes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A vCPU's registers as a KVM paste shows them (QEMU's dump, dump_vmcs, Xen's VMCS dump, km's KVM_GET_SREGS): mode
 * and paging with their evidence, every control register and segment decoded, and the relations between fields
 * (CS.base + IP in real mode, the SIPI vector in CS, the reset signature in EDX, addresses in fixed PC ranges).
 */
final class GuestStateExplainer {
    static final String STATE = "Guest state";
    static final String FINDINGS = "Findings in the paste";
    private static final List<String> GPRS = List.of("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP", "R8", "R9",
            "R10", "R11", "R12", "R13", "R14", "R15", "EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP");

    /** Ports a DX value is worth naming for: PCI configuration, COM1/COM2, i8042, CMOS, POST, port 92, fw_cfg, APM. */
    private static final java.util.Set<Long> WELL_KNOWN_PORTS = java.util.Set.of(0x60L, 0x64L, 0x70L, 0x71L, 0x80L, 0x92L,
            0xb2L, 0x2f8L, 0x3f8L, 0x3fdL, 0x402L, 0x510L, 0x511L, 0xcf8L, 0xcf9L, 0xcfcL, 0xcfdL, 0xcfeL, 0xcffL);

    private final QemuDump d;
    private boolean signature;
    private final Report.Builder r;

    GuestStateExplainer(QemuDump d, Report.Builder r) {
        this.d = d;
        this.r = r;
    }

    /** The mode it inferred (for callers that relate addresses), or null when the paste has no registers. */
    GuestMode explain() {
        Map<String, Long> g = d.registers();
        for (String t : d.truncated()) {
            r.fact(FINDINGS, t + " is truncated: its value has fewer digits than the others on its line, so it is not"
                    + " decoded", Cite.QEMU_DUMP, 0);
        }
        for (QemuDump.Segment s : d.segments()) {
            if (s.truncated()) r.fact(FINDINGS, s.name() + " line is truncated (the paste ends inside QEMU's decoded"
                    + " flags); its numbers are used as printed", Cite.QEMU_DUMP, s.line());
        }
        if (g.isEmpty() && d.segments().isEmpty()) return null;
        Long cr0 = val("CR0"), efer = val("EFER"), rfl = d.rflags();
        QemuDump.Segment cs = d.segment("CS");
        GuestMode m = GuestMode.of(cr0, efer, rfl, cs);
        r.fact(STATE, m.describe(), Cite.MODES, 0);
        r.fact(STATE, m.describePaging(), Cite.PAGING, 0);
        for (String f : m.findings()) r.fact(FINDINGS, f, Cite.MODES, cs == null ? 0 : cs.line());
        pagingKind(cr0, val("CR4"), efer);
        decode("RFL", rfl, ControlRegisters.RFLAGS.decode(rfl == null ? 0 : rfl));
        if (cr0 != null) decode("CR0", cr0, ControlRegisters.CR0.decode(cr0));
        if (val("CR4") != null) decode("CR4", val("CR4"), ControlRegisters.CR4.decode(val("CR4")));
        if (efer != null) decode("EFER", efer, ControlRegisters.EFER.decode(efer));
        shadows();
        rip(m, cs);
        for (QemuDump.Segment s : d.segments()) segment(s, m);
        gprs();
        code(m);
        return m;
    }

    private Long val(String name) { return d.truncated().contains(name) ? null : d.registers().get(name); }

    private void decode(String name, Long v, Decoded dec) {
        if (v == null || d.truncated().contains(name)) return;
        r.fact(STATE, name + " 0x" + Long.toHexString(v) + ": " + dec.summary(), dec.source(), 0, Bits.data(dec));
        if (name.equals("RFL") && (v & 1L << 17) != 0) {
            r.fact(STATE, "RFLAGS.VM (bit 17) is set: the vCPU runs in virtual-8086 mode", dec.source(), 0);
        }
    }

    private void pagingKind(Long cr0, Long cr4, Long efer) {
        if (cr0 == null || (cr0 & 1L << 31) == 0 || cr4 == null) return;
        boolean pae = (cr4 & 1 << 5) != 0, la57 = (cr4 & 1 << 12) != 0, lma = efer != null && (efer & 1 << 10) != 0;
        String kind = !pae ? "32-bit paging (CR4.PAE=0)" : lma ? (la57 ? "5-level paging" : "4-level paging")
                + " (EFER.LMA=1, CR4.PAE=1)" : efer == null ? "PAE or 4-level paging (CR4.PAE=1; EFER not shown)"
                : "PAE paging (CR4.PAE=1, EFER.LMA=0)";
        r.fact(STATE, "paging structure: " + kind + ", root at CR3 0x" + Long.toHexString(d.registers().getOrDefault("CR3", 0L)),
                "Intel SDM vol. 3A, 4.1.1 \"Four Paging Modes\" table 4-1", 0);
    }

    private void shadows() {
        for (String cr : List.of("CR0", "CR4")) {
            Long actual = d.registers().get(cr), shadow = d.extra().get(cr + ".shadow");
            if (actual == null || shadow == null) continue;
            if (actual.equals(shadow)) {
                r.fact(STATE, cr + " read shadow equals the real " + cr + " (0x" + Long.toHexString(actual) + ")", Cite.SHADOW, 0);
                continue;
            }
            Decoded a = (cr.equals("CR0") ? ControlRegisters.CR0 : ControlRegisters.CR4).decode(actual & ~shadow);
            Decoded s = (cr.equals("CR0") ? ControlRegisters.CR0 : ControlRegisters.CR4).decode(shadow & ~actual);
            r.fact(STATE, cr + " actual 0x" + Long.toHexString(actual) + " vs read shadow 0x" + Long.toHexString(shadow)
                    + ": set only in the real register: " + a.summary() + "; set only in what the guest reads: " + s.summary()
                    + ". The guest reads the shadow for bits the guest/host mask gives the host"
                    + (cr.equals("CR4") && (actual & ~shadow & 1 << 13) != 0 ? "; VMXE is forced on while in VMX operation"
                    + " and hidden from the guest" : ""), Cite.SHADOW, 0);
        }
    }

    private void rip(GuestMode m, QemuDump.Segment cs) {
        Long rip = d.rip();
        if (rip == null || d.truncated().contains("RIP")) return;
        Map<String, Long> g = d.registers();
        long ip = m.bits() == 64 ? rip : rip & 0xffffffffL;
        if (cs != null && m.bits() != 64) {
            String name = m.bits() == 16 && ip <= 0xffff ? "IP" : "EIP";
            long lin = (cs.base() + ip) & 0xffffffffL;
            boolean phys = Boolean.FALSE.equals(m.paging());
            String unknownMode = m.bits() == 0 ? " (the mode is unknown; outside 64-bit mode)" : "";
            r.fact(STATE, "CS.base 0x" + Long.toHexString(cs.base()) + " + " + name + " 0x" + Long.toHexString(ip) + " = linear 0x"
                    + Long.toHexString(lin) + unknownMode + (phys ? ", which is the guest-physical address (paging off)"
                    : m.paging() == null ? " (the guest-physical address if paging is off)" : ", guest-virtual (paging on)")
                    + (lin < 0x400 && !m.name().startsWith("real") ? "" : range(lin, m.paging() == null ? null : phys)),
                    Cite.MODES, cs.line());
            if (ip > cs.limit() && !cs.unusable()) {
                r.fact(FINDINGS, name + " 0x" + Long.toHexString(ip) + " is beyond the CS limit 0x" + Long.toHexString(cs.limit())
                        + ": fetching there raises #GP(0)", "Intel SDM vol. 3A, 5.3 \"Limit Checking\"", cs.line());
            }
        } else if (m.bits() == 64) {
            r.fact(STATE, "RIP 0x" + Long.toHexString(rip) + " is guest-virtual (64-bit mode: paging on)"
                    + (rip >>> 47 == 0 ? "; it is in the lower canonical half" : rip >> 47 == -1
                    ? "; it is in the upper canonical half (where Linux and Windows kernels live)" : "; it is NOT canonical"),
                    Cite.PAGING, 0);
        }
        if (ip == 0xfff0 && (cs == null || cs.base() == 0xffff0000L)) {
            r.fact(STATE, "EIP 0xfff0 is the reset vector's offset: after RESET or INIT, CS.base is 0xffff0000 and the"
                    + " first instruction is fetched at 0xfffffff0" + (cs == null ? " (CS is not in the paste)" : ""),
                    "Intel SDM vol. 3A, 10.1.4 \"First Instruction Executed\"", 0);
            signature(g);
        }
        if (cs != null && ip == 0 && m.bits() == 16 && (cs.selector() & 0xff) == 0 && cs.base() == (long) cs.selector() << 4) {
            int vector = cs.selector() >> 8;
            r.fact(STATE, String.format("CS 0x%04x with base 0x%x and IP 0 is the state a SIPI with vector 0x%02x leaves:"
                    + " the AP starts at 0x%x = vector << 12 (CS selector = vector << 8)", cs.selector(), cs.base(), vector,
                    cs.base()), "Intel SDM vol. 3A, 11.6.1 (ICR delivery mode Start-Up: vector VV starts at 000VV000H)",
                    cs.line());
            signature(g);
        }
    }

    /** EDX after RESET/INIT holds the processor signature (family/model/stepping as CPUID.1:EAX). */
    private void signature(Map<String, Long> g) {
        Long edx = g.containsKey("RDX") ? g.get("RDX") : g.get("EDX");
        if (edx == null || edx == 0 || edx >>> 28 != 0) return;
        long fam = edx >> 8 & 0xf, model = (edx >> 4 & 0xf) | (fam == 6 || fam == 0xf ? (edx >> 16 & 0xf) << 4 : 0);
        long family = fam == 0xf ? fam + (edx >> 20 & 0xff) : fam;
        if (signature) return;
        signature = true;
        r.fact(STATE, String.format("EDX 0x%x is the processor signature RESET/INIT leave in EDX: family 0x%x, model 0x%x,"
                + " stepping %d", edx, family, model, edx & 0xf), "Intel SDM vol. 3A, 10.1.2 \"Processor Built-In Self-Test\""
                + " and table 10-1 (EDX after RESET/INIT); CPUID.01H:EAX layout, vol. 2A CPUID", 0);
    }

    /** phys: true = paging off, null = unknown (then the range is stated conditionally), false = no statement. */
    private static String range(long a, Boolean phys) {
        Optional<PcMemoryMap.Range> r = PcMemoryMap.lookup(a);
        return r.filter(x -> !Boolean.FALSE.equals(phys)).map(x -> "; " + (phys == null ? "if so, " : "") + "0x"
                + Long.toHexString(a) + " is in the " + x.name() + " (" + x.meaning() + "; " + x.source() + ")").orElse("");
    }

    private void segment(QemuDump.Segment s, GuestMode m) {
        Decoded ar = SegmentAttributes.decodeVmx(s.ar());
        String what = s.unusable() ? "unusable (access-rights bit 16): no usable descriptor is loaded"
                : (s.ar() & 0xff) == 0xf3 && m.name().startsWith("virtual-8086") ? "AR 0xf3 = DPL 3 present read/write data,"
                + " the value virtual-8086 mode requires" : ar.summary();
        r.fact(STATE, String.format("%s selector 0x%04x base 0x%x limit 0x%x access rights 0x%x: %s", s.name(),
                s.selector(), s.base(), s.limit(), s.ar(), what), Cite.SEG, s.line(), Bits.data(ar));
        if (s.name().equals("CS") && s.base() >>> 32 != 0) {
            r.fact(FINDINGS, "CS.base 0x" + Long.toHexString(s.base()) + " has bits 63:32 set: VM entry requires bits 63:32"
                    + " of the CS base to be 0, so this state fails the guest-state checks", Cite.ENTRY_CHECKS, s.line());
        }
    }

    /** General registers whose value is a known address, MSR number or port. */
    private void gprs() {
        for (String n : GPRS) {
            Long v = val(n);
            if (v == null || v < 0x20) continue;
            // Only device pages are distinctive enough to name: a value there is almost surely an address.
            PcMemoryMap.lookup(v).filter(x -> x.name().equals("local APIC") || x.name().equals("I/O APIC")
                    || x.name().equals("HPET")).ifPresent(x -> {
                String reg = x.name().equals("local APIC") ? LocalApic.byOffset((int) (v & 0xff0)).map(a -> " (offset 0x"
                        + Long.toHexString(v & 0xfff) + ": " + a.name() + ", " + a.meaning() + ")").orElse("") : "";
                r.fact(STATE, n + " 0x" + Long.toHexString(v) + " lies in the " + x.name() + " page" + reg
                        + ": used as a physical address it reaches device registers (MMIO), not RAM", x.source(), 0);
            });
            if ((n.equals("RCX") || n.equals("ECX")) && v >= 0x1b) {
                Msrs.lookup(v).filter(x -> x.first() == x.last()).ifPresent(x -> r.fact(STATE, n + " 0x" + Long.toHexString(v)
                        + " is the number of MSR " + x.name() + " (" + x.meaning() + "): what RDMSR/WRMSR at RIP would access",
                        x.source(), 0));
            }
            if ((n.equals("RDX") || n.equals("EDX")) && WELL_KNOWN_PORTS.contains(v) && !signature) {
                IoPorts.lookup(v.intValue()).ifPresent(x -> r.fact(STATE, n + " 0x" + Long.toHexString(v) + " is I/O port "
                        + x.name() + " (" + x.meaning() + "): what IN/OUT with DX at RIP would access", x.source(), 0));
            }
        }
    }

    private void code(GuestMode m) {
        if (d.code() == null) return;
        byte[] b = CodeBytes.fromQemu(d.code());
        int bits = m.bitsOr64();
        Optional<List<String>> dis = CodeBytes.disassemble(b, bits, 1);
        String how = (m.bits() == 0 ? " decoded as 64-bit code (the mode is unknown)" : " as " + bits + "-bit code");
        if (dis.isEmpty()) {
            r.fact(STATE, "instruction bytes at RIP (QEMU marks the first with <..>): " + d.code() + "; not disassembled: "
                    + CodeBytes.unavailable(), Cite.QEMU_DUMP, 0);
        } else if (!dis.get().isEmpty()) {
            List<String> is = new ArrayList<>(dis.get());
            r.fact(STATE, "instruction at RIP" + how + ": " + is.getFirst() + (is.size() > 1 ? "; then " + String.join("; ",
                    is.subList(1, is.size())) : ""), Cite.QEMU_DUMP + "; " + CodeBytes.CAPSTONE, 0);
        } else {
            r.fact(STATE, "the bytes at RIP (" + clip(d.code().substring(Math.max(0, d.code().indexOf('<'))).strip())
                    + ") are not a valid instruction" + how + ": executing them raises #UD", CodeBytes.CAPSTONE, 0);
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0x0f && (b[1] & 0xff) == 0xaa) {
            r.fact(STATE, "0f aa is RSM, which is valid only in system-management mode: outside SMM it raises #UD (the dump"
                    + " says SMM=" + (d.flagsText() == null ? "?" : "0") + ")", "Intel SDM vol. 2B, RSM \"Protected Mode"
                    + " Exceptions\" (#UD if not in SMM)", 0);
        }
        if (b.length >= 2 && (b[0] & 0xff) == 0xf0 && (b[1] & 0xff) == 0xc3) {
            r.fact(STATE, "f0 c3 is RET with a LOCK prefix: LOCK on an instruction that is not a locked read-modify-write"
                    + " raises #UD", "Intel SDM vol. 2A, 2.1.1 \"Instruction Prefixes\" (LOCK) and LOCK instruction page", 0);
        }
    }

    private static String clip(String s) { return s.length() > 32 ? s.substring(0, 29) + "..." : s; }

    static boolean anySet(Decoded d) { return d.bits().stream().anyMatch(DecodedBit::set); }
}
