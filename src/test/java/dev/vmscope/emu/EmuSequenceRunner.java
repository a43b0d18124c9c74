package dev.vmscope.emu;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.CpuState.Segment;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs an {@link InsnOracle.Case} on the software CPU in 64-bit user mode (CPL 3, 4-level paging): the data
 * page and the code page at the oracle's linear addresses with user mappings, everything else not present.
 * Instructions are stepped one at a time so a fault is seen before delivery (vector, RIP, registers left as
 * at the faulting instruction), and the undefined-flag set of {@link FlagRules} is tracked along the way.
 */
final class EmuSequenceRunner implements AutoCloseable {
    static final long DATA_PHYS = 0x200000, CODE_PHYS = 0x201000;
    private static final long PML4 = 0x10000;

    /** The emulator's answer; {@code vector} -1 when the code ran to its end; {@code rejected} says why not comparable. */
    record Outcome(int vector, long errorCode, long rip, long faultAddress, long[] gprs, long rflags, byte[] page,
                   long undefinedFlags, String rejected, String failure) {}

    private final EmuTestVm vm = new EmuTestVm();
    private final EmuCpu cpu = (EmuCpu) vm.cpu;
    private final CpuState user;
    /** Executions per opcode key (see {@link #key}). */
    final Map<String, Integer> coverage = new TreeMap<>();

    EmuSequenceRunner() {
        vm.write64(PML4, 0x11000 | 7);
        vm.write64(0x11000, 0x12000 | 7);
        vm.write64(0x12000 + 8 * (InsnOracle.DATA >>> 21), 0x13000 | 7);
        vm.write64(0x12000 + 8 * (InsnOracle.CODE >>> 21), 0x14000 | 7);
        vm.write64(0x13000 + 8 * ((InsnOracle.DATA >>> 12) & 511), DATA_PHYS | 7);
        vm.write64(0x14000 + 8 * ((InsnOracle.CODE >>> 12) & 511), CODE_PHYS | 7);
        // Linux's user selectors: CS 0x33 (64-bit, DPL 3), SS 0x2b; null DS/ES/FS/GS; a TSS without an I/O bitmap.
        Segment cs = new Segment(0x33, 0, 0xffffffffL, 0xa0fb), ss = new Segment(0x2b, 0, 0xffffffffL, 0xc0f3);
        Segment nul = new Segment(0, 0, 0, 1 << 16);
        CpuState s = CpuState.reset().withSegments(cs, nul, nul, nul, nul, ss)
                .withSystem(0x80050033L, 0, PML4, 0x6a0, 0, 0xd01, 0);
        user = s.withTables(new CpuState.Table(0, 0xfff), new CpuState.Table(0, 0xfff), new Segment(0x40, 0, 0, 0x8b),
                new Segment(0, 0, 0, 1 << 16));
    }

    /** Opcode key for coverage: map and opcode, the ModRM.reg digit for group opcodes, and a REP prefix on strings. */
    static String key(Insn in) {
        int op = in.op;
        String k = (op >= 0x100 ? "0F " : "") + String.format("%02X", op & 0xff);
        boolean group = switch (op) {
            case 0x80, 0x81, 0x83, 0x8f, 0xc0, 0xc1, 0xc6, 0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfe, 0xff,
                 0x1ba, 0x1c7, 0x118, 0x11f -> true;
            default -> false;
        };
        if (group) k += "/" + (in.reg & 7);
        if (op >= 0xa4 && op <= 0xaf && in.rep != 0) k = (in.rep == 3 ? "F3 " : "F2 ") + k;
        if (op == 0x1b8 && in.rep == 3) k = "F3 " + k;
        if (in.lock) k = "F0 " + k;
        return k;
    }

    Outcome run(InsnOracle.Case c) {
        MemorySegment ram = vm.ram;
        MemorySegment.copy(c.page(), 0, ram, ValueLayout.JAVA_BYTE, DATA_PHYS, 4096);
        byte[] codePage = new byte[4096];
        System.arraycopy(c.code(), 0, codePage, 0, c.code().length);
        MemorySegment.copy(codePage, 0, ram, ValueLayout.JAVA_BYTE, CODE_PHYS, 4096);
        long[] kvm = new long[16];
        int[] toKvm = {0, 2, 3, 1, 7, 6, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};   // x86 order -> CpuState order
        for (int k = 0; k < 16; k++) kvm[toKvm[k]] = c.gprs()[k];
        cpu.setState(user.withGprs(kvm, InsnOracle.CODE, c.rflags()));
        long end = InsnOracle.CODE + c.code().length;
        long undefined = 0;
        String rejected = null, failure = null;
        int vector = -1;
        long err = 0, addr = 0;
        for (int steps = 0; cpu.rip != end; steps++) {
            if (steps > 10_000 || cpu.rip < InsnOracle.CODE || cpu.rip > end) {
                failure = "ran away to 0x" + Long.toHexString(cpu.rip);
                break;
            }
            int off = (int) (cpu.rip - InsnOracle.CODE);
            Insn in = Decoder.decode(i -> codePage[off + i] & 0xff, 8);
            FlagRules.Effect fx = FlagRules.of(in, cpu.r);
            if ((fx.reads() & undefined) != 0 && rejected == null) rejected = "reads undefined flags at +" + off;
            if (fx.undefinedResult() && rejected == null) rejected = "undefined result at +" + off;
            try {
                cpu.step();
            } catch (Fault f) {
                cpu.abortAttempt();
                vector = f.vector;
                err = f.errorCode;
                addr = f.vector == Fault.PF ? cpu.cr2Pending : 0;
                break;
            } catch (RuntimeException e) {
                failure = "emulator: " + e;
                break;
            }
            coverage.merge(key(in), 1, Integer::sum);
            if ((in.op == 0x1bc || in.op == 0x1bd) && in.osz == 4 && cpu.zf() && rejected == null)
                rejected = "BSF/BSR of zero into a 32-bit register (SDM: destination undefined; Intel clears bits 63:32, AMD keeps them)";
            undefined = undefined & ~fx.defines() | fx.undefines();
        }
        long[] g = cpu.r.clone();
        byte[] page = new byte[4096];
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, DATA_PHYS, page, 0, 4096);
        return new Outcome(vector, err, cpu.rip, addr, g, cpu.getFlags(), page, undefined, rejected, failure);
    }

    @Override public void close() { vm.close(); }
}
