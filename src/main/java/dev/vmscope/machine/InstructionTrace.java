package dev.vmscope.machine;

import dev.vmscope.disasm.Disassembler;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.InstructionObserver;
import dev.vmscope.vcpu.ExitTrace;
import dev.vmscope.vcpu.Vcpu;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@code --trace insn}: one line per retired instruction, in the exit trace's format and time base: vCPU, code
 * size, CS:address, bytes, Capstone's disassembly (when the library is there) and the registers it changed.
 * Runs on the vCPU's thread; each vCPU has its own instance (its previous state).
 */
final class InstructionTrace implements InstructionObserver {
    private static final String[] GPRS = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private final Vcpu vcpu;
    private final ExitTrace out;
    private final Optional<Disassembler> disasm;
    private CpuState before;

    InstructionTrace(Vcpu vcpu, ExitTrace out, Optional<Disassembler> disasm) {
        this.vcpu = vcpu;
        this.out = out;
        this.disasm = disasm;
        this.before = vcpu.cpu().state();
    }

    @Override public void retired(long rip, byte[] bytes, int bits) {
        CpuState after = vcpu.cpu().state();
        String text = disasm.flatMap(d -> {
            List<Disassembler.Insn> l = d.disassemble(bytes, rip, bits, 1);
            return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst().text());
        }).orElse("?");
        out.event(vcpu.id(), "insn", String.format("%d-bit %04x:%x %-30s %-32s%s", bits, after.cs().selector(), rip,
                HexFormat.ofDelimiter(" ").formatHex(bytes), text, changes(before, after)));
        before = after;
    }

    /** "rax=0x5 rflags=0x46": what differs from the state after the previous instruction (RIP aside). */
    static String changes(CpuState a, CpuState b) {
        if (a == null) return "";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) if (a.gpr(i) != b.gpr(i)) sb.append(' ').append(GPRS[i]).append(String.format("=0x%x", b.gpr(i)));
        if (a.rflags() != b.rflags()) sb.append(String.format(" rflags=0x%x", b.rflags()));
        CpuState.Segment[] sa = {a.cs(), a.ds(), a.es(), a.fs(), a.gs(), a.ss()}, sb2 = {b.cs(), b.ds(), b.es(), b.fs(), b.gs(), b.ss()};
        String[] names = {"cs", "ds", "es", "fs", "gs", "ss"};
        for (int i = 0; i < 6; i++) if (sa[i].selector() != sb2[i].selector()) sb.append(' ').append(names[i]).append(String.format("=0x%x", sb2[i].selector()));
        if (a.cr0() != b.cr0()) sb.append(String.format(" cr0=0x%x", b.cr0()));
        if (a.cr3() != b.cr3()) sb.append(String.format(" cr3=0x%x", b.cr3()));
        if (a.cr4() != b.cr4()) sb.append(String.format(" cr4=0x%x", b.cr4()));
        if (a.efer() != b.efer()) sb.append(String.format(" efer=0x%x", b.efer()));
        return sb.length() == 0 ? "" : " ->" + sb;
    }
}
