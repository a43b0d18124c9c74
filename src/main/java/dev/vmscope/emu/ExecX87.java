package dev.vmscope.emu;

import static dev.vmscope.emu.X87Stack.M16INT;
import static dev.vmscope.emu.X87Stack.M32FP;
import static dev.vmscope.emu.X87Stack.M32INT;
import static dev.vmscope.emu.X87Stack.M64FP;
import static dev.vmscope.emu.X87Stack.M64INT;
import static dev.vmscope.emu.X87Stack.M80BCD;
import static dev.vmscope.emu.X87Stack.M80FP;

import dev.vmscope.emu.softfloat.FpuState;
import dev.vmscope.emu.softfloat.X87;
import dev.vmscope.emu.softfloat.X87Ops;

/**
 * The x87 escape opcodes D8-DF (Intel SDM Vol. 1 chapter 8; Vol. 2D A.4 "Escape Opcode Instructions") and WAIT.
 * Order per instruction: #NM (CR0.EM or CR0.TS, SDM Vol. 3A 2.5 table 2-2), then a pending unmasked exception
 * (#MF, waiting instructions only, SDM Vol. 1 8.6), then memory reads, the computation, memory writes, and only
 * then the register state, so a fault re-runs the instruction from its original state. The last instruction,
 * operand pointer and opcode are recorded for every non-control instruction (SDM Vol. 1 8.1.8, 8.1.9; FOP is
 * kept as in "FOP code compatibility mode"). Register-stack semantics live in {@link X87Stack}.
 */
abstract class ExecX87 extends ExecSystem {
    /** x87/MMX/SSE register state (FXSAVE image model), shared with ExecSimd. */
    final FpuState fpu = new FpuState();
    final X87 x87 = new X87();
    final X87Stack stack = new X87Stack(fpu, x87);

    ExecX87(PhysMemory phys) { super(phys); }

    /** WAIT/FWAIT (9B): #NM when CR0.MP and CR0.TS, then any pending unmasked exception (SDM Vol. 2 WAIT). */
    @Override
    final void fwait() {
        if ((cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) throw Fault.of(Fault.NM);
        checkPending();
    }

    /**
     * A pending unmasked exception (FSW.ES) is reported at the next waiting instruction as #MF when CR0.NE = 1
     * (SDM Vol. 1 8.7, Vol. 3A 6.15 "Interrupt 16"). With CR0.NE = 0 a PC signals FERR#, which the chipset
     * routes to IRQ13 while IGNNE# lets execution go on; this CPU models only the "go on" part (no IRQ13).
     */
    private void checkPending() {
        if ((fpu.statusWord() & 0x80) != 0 && (cr0 & CR0_NE) != 0) throw Fault.of(Fault.MF);
    }

    @Override
    final void execX87(Insn in) {
        if ((cr0 & (CR0_EM | CR0_TS)) != 0) throw Fault.of(Fault.NM);
        int modrm = in.mod << 6 | (in.reg & 7) << 3 | (in.rm & 7);
        int code = (in.op & 7) << 8 | modrm;
        if (!noWait(code)) checkPending();
        stack.begin();
        if (in.mod == 3) execReg(in.op, modrm, in.rm & 7);
        else execMem(in, in.reg & 7);
        if (!control(code)) recordPointers(in, code);
    }

    /** FNINIT, FNCLEX, FNSTSW, FNSTCW, FNSTENV, FNSAVE (and the 8087 FNENI/FNDISI, 287 FNSETPM no-ops). */
    private static boolean noWait(int code) {
        int op = code >> 8, modrm = code & 0xff, reg = (modrm >> 3) & 7;
        if (modrm >= 0xC0) return op == 3 && (modrm >= 0xE0 && modrm <= 0xE4) || op == 7 && modrm == 0xE0;
        return (op == 1 || op == 5) && (reg == 6 || reg == 7);
    }

    /** Control instructions leave the pointers and FOP alone (SDM Vol. 1 8.1.8). */
    private static boolean control(int code) {
        int op = code >> 8, modrm = code & 0xff, reg = (modrm >> 3) & 7;
        if (modrm >= 0xC0) return op == 3 && (modrm >= 0xE0 && modrm <= 0xE4) || op == 7 && modrm == 0xE0;
        return op == 1 && reg >= 4 || op == 5 && reg >= 4;
    }

    private void recordPointers(Insn in, int code) {
        fpu.fop = code & 0x7FF;
        fpu.fip = rip;
        fpu.fcs = segSel[CS];
        if (in.mod != 3) {
            fpu.fdp = ea(in);
            fpu.fds = segSel[in.seg];
        }
    }

    // ---- register forms (mod = 3) ----

    private void execReg(int op, int modrm, int i) {
        int reg = (modrm >> 3) & 7;
        switch (op) {
            case 0xd8 -> regArith(reg, i, 0, false);
            case 0xdc -> regArith(reg, i, i, false);
            case 0xde -> {
                if (reg == 3) {
                    if (modrm != 0xD9) throw Fault.ud();
                    stack.setCompareCodes(stack.compare(fpu.isEmpty(1), fpu.stSig(1), fpu.stSe(1), false, 2));
                } else if (reg == 2) {                                    // FCOMP5 alias
                    stack.setCompareCodes(stack.compare(fpu.isEmpty(i), fpu.stSig(i), fpu.stSe(i), false, 1));
                } else {
                    regArith(reg, i, i, true);
                }
            }
            case 0xd9 -> regD9(modrm, i);
            case 0xda -> regDA(modrm, i);
            case 0xdb -> regDB(modrm, i);
            case 0xdd -> regDD(reg, i);
            default -> regDF(modrm, i);
        }
    }

    /** D8/DC/DE register forms: reg 2/3 FCOM/FCOMP (in DC the FCOM2/FCOMP3 aliases). */
    private void regArith(int reg, int i, int dst, boolean pop) {
        if (reg == 2 || reg == 3) {
            stack.setCompareCodes(stack.compare(fpu.isEmpty(i), fpu.stSig(i), fpu.stSe(i), false, reg - 2));
        } else {
            stack.arith(reg, i, dst, pop);
        }
    }

    private void regD9(int modrm, int i) {
        switch (modrm >> 3 & 7) {
            case 0 -> stack.loadRegister(i);
            case 1 -> stack.exchange(i);
            case 2 -> { if (modrm != 0xD0) throw Fault.ud(); }                   // FNOP
            case 3 -> stack.storeRegister(i, true, false);                        // FSTP1 alias
            case 4 -> {
                switch (modrm) {
                    case 0xE0, 0xE1 -> stack.unary(modrm);
                    case 0xE4 -> stack.test();
                    case 0xE5 -> stack.examine();
                    default -> throw Fault.ud();
                }
            }
            case 5 -> stack.loadConstant(i);
            default -> regD9Math(modrm);
        }
    }

    /** D9 F0-FF. */
    private void regD9Math(int modrm) {
        switch (modrm) {
            case 0xF0, 0xFA, 0xFC, 0xFE, 0xFF -> stack.unary(modrm);
            case 0xF1, 0xF3, 0xF5, 0xF8, 0xF9, 0xFD -> stack.binary(modrm);
            case 0xF2, 0xF4, 0xFB -> stack.pushTwo(modrm);
            case 0xF6, 0xF7 -> stack.moveTop(modrm == 0xF7);
            default -> throw Fault.ud();
        }
    }

    /** DA: FCMOVB/E/BE/U, FUCOMPP. */
    private void regDA(int modrm, int i) {
        if (modrm == 0xE9) {
            stack.setCompareCodes(stack.compare(fpu.isEmpty(1), fpu.stSig(1), fpu.stSe(1), true, 2));
            return;
        }
        if (modrm >= 0xE0) throw Fault.ud();
        stack.conditionalMove(i, fcmovCondition(modrm >> 3 & 3));
    }

    /** FCMOVcc conditions by reg & 3: B (CF), E (ZF), BE (CF or ZF), U (PF); DB negates (SDM Vol. 2 FCMOVcc). */
    private boolean fcmovCondition(int c) {
        return switch (c) {
            case 0 -> cf();
            case 1 -> zf();
            case 2 -> cf() || zf();
            default -> pf();
        };
    }

    /** DB: FCMOVNB/NE/NBE/NU, FNENI/FNDISI/FNSETPM (no-ops), FNCLEX, FNINIT, FUCOMI, FCOMI. */
    private void regDB(int modrm, int i) {
        int reg = modrm >> 3 & 7;
        if (reg < 4) { stack.conditionalMove(i, !fcmovCondition(reg)); return; }
        switch (modrm) {
            case 0xE0, 0xE1, 0xE4 -> { }
            case 0xE2 -> fpu.fsw &= 0x7F00;                      // FNCLEX: flags, SF, ES and B cleared
            case 0xE3 -> fpu.finit();
            default -> {
                if (reg == 5 || reg == 6) compareToEflags(i, reg == 5, 0);
                else throw Fault.ud();
            }
        }
    }

    /** FCOMI/FUCOMI/FCOMIP/FUCOMIP: ZF, PF, CF from the comparison, OF, SF, AF cleared (SDM Vol. 2 FCOMI). */
    private void compareToEflags(int i, boolean quiet, int pops) {
        int rel = stack.compare(fpu.isEmpty(i), fpu.stSig(i), fpu.stSe(i), quiet, pops);
        if (rel >= 0) setArith(X87Ops.eflags(rel));      // C1 unchanged (host)
    }

    /** DD: FFREE, FXCH4 alias, FST, FSTP, FUCOM, FUCOMP. */
    private void regDD(int reg, int i) {
        switch (reg) {
            case 0 -> { fpu.free(i); fpu.fsw &= ~X87.C1; }                  // C1 cleared (host)
            case 1 -> stack.exchange(i);
            case 2, 3 -> stack.storeRegister(i, reg == 3, true);
            case 4, 5 -> stack.setCompareCodes(stack.compare(fpu.isEmpty(i), fpu.stSig(i), fpu.stSe(i), true, reg - 4));
            default -> throw Fault.ud();
        }
    }

    /** DF: FFREEP, FXCH7 alias, FSTP8/FSTP9 aliases, FNSTSW AX, FUCOMIP, FCOMIP. */
    private void regDF(int modrm, int i) {
        switch (modrm >> 3 & 7) {
            case 0 -> { fpu.free(i); fpu.pop(); fpu.fsw &= ~X87.C1; }
            case 1 -> stack.exchange(i);
            case 2, 3 -> stack.storeRegister(i, true, true);
            case 4 -> {
                if (modrm != 0xE0) throw Fault.ud();
                setReg(0, 2, fpu.statusWord());
            }
            case 5 -> compareToEflags(i, true, 1);
            case 6 -> compareToEflags(i, false, 1);
            default -> throw Fault.ud();
        }
    }

    // ---- memory forms ----

    private void execMem(Insn in, int reg) {
        switch (in.op) {
            case 0xd8 -> memArith(in, reg, M32FP);
            case 0xdc -> memArith(in, reg, M64FP);
            case 0xda -> memArith(in, reg, M32INT);
            case 0xde -> memArith(in, reg, M16INT);
            case 0xd9 -> memD9(in, reg);
            case 0xdb -> memDB(in, reg);
            case 0xdd -> memDD(in, reg);
            default -> memDF(in, reg);
        }
    }

    /** FADD..FDIVR and FCOM/FCOMP with m32fp/m64fp, FIADD..FIDIVR and FICOM/FICOMP with m16int/m32int. */
    private void memArith(Insn in, int reg, int type) {
        long raw = readRm(in, X87Stack.size(type));
        if (reg == 2 || reg == 3) {
            stack.setCompareCodes(stack.compareMem(type, raw, reg - 2));
        } else {
            stack.arithMem(reg, type, raw);
        }
    }

    private void memD9(Insn in, int reg) {
        switch (reg) {
            case 0 -> stack.load(M32FP, readRm(in, 4), 0);
            case 2, 3 -> store(in, M32FP, reg == 3, false);
            case 4 -> loadEnvironment(in, false);
            case 5 -> fpu.fcw = (int) readRm(in, 2) & 0x1F3F | 0x40;      // bit 6 reads as 1, 15:13 as 0 (host)
            case 6 -> storeEnvironment(in, false);
            case 7 -> writeRm(in, 2, fpu.fcw);
            default -> throw Fault.ud();
        }
    }

    private void memDB(Insn in, int reg) {
        switch (reg) {
            case 0 -> stack.load(M32INT, readRm(in, 4), 0);
            case 1 -> store(in, M32INT, true, true);
            case 2, 3 -> store(in, M32INT, reg == 3, false);
            case 5 -> loadTenBytes(in, M80FP);
            case 7 -> store(in, M80FP, true, false);
            default -> throw Fault.ud();
        }
    }

    private void memDD(Insn in, int reg) {
        switch (reg) {
            case 0 -> stack.load(M64FP, readRm(in, 8), 0);
            case 1 -> store(in, M64INT, true, true);
            case 2, 3 -> store(in, M64FP, reg == 3, false);
            case 4 -> loadEnvironment(in, true);
            case 6 -> storeEnvironment(in, true);
            case 7 -> writeRm(in, 2, fpu.statusWord());
            default -> throw Fault.ud();
        }
    }

    private void memDF(Insn in, int reg) {
        switch (reg) {
            case 0 -> stack.load(M16INT, readRm(in, 2), 0);
            case 1 -> store(in, M16INT, true, true);
            case 2, 3 -> store(in, M16INT, reg == 3, false);
            case 4 -> loadTenBytes(in, M80BCD);
            case 5 -> stack.load(M64INT, readRm(in, 8), 0);
            case 6 -> store(in, M80BCD, true, false);
            default -> store(in, M64INT, true, false);
        }
    }

    /** Linear address {@code k} bytes after {@code lin} (32-bit wrap outside 64-bit mode). */
    private long plus(long lin, int k) { return code64 ? lin + k : (lin + k) & 0xffffffffL; }

    /** FLD m80fp, FBLD: 8 + 2 bytes. */
    private void loadTenBytes(Insn in, int type) {
        long lin = memAddr(in, 10, false);
        long lo = rd(lin, 8);
        int hi = (int) rd(plus(lin, 8), 2);
        stack.load(type, lo, hi);
    }

    /**
     * FST/FSTP/FIST/FISTP/FISTTP/FBSTP to memory: the value is computed, the memory written (both pages of a
     * 10-byte operand translated first), then FSW and the pop committed.
     */
    private void store(Insn in, int type, boolean pop, boolean truncate) {
        int size = X87Stack.size(type);
        long lin = memAddr(in, size, true);
        boolean empty = fpu.isEmpty(0);
        boolean write;
        long v;
        int hi = 0;
        if (empty) {
            write = stack.invalidMasked();
            v = X87Stack.indefinite(type);
            hi = 0xFFFF;
        } else {
            v = stack.storeValue(type, truncate);
            write = !x87.storeSuppressed();
            hi = type == M80FP ? fpu.stSe(0) : x87.signExp();
        }
        if (write) {
            if (size == 10) {
                probeWrite(lin, 10);
                wr(lin, 8, v);
                wr(plus(lin, 8), 2, hi);
            } else {
                wr(lin, size, v);
            }
        }
        stack.storeDone(empty, write, pop);
    }

    /** Translates the first and last byte for writing so a #PF comes before any byte is stored. */
    private void probeWrite(long lin, int size) {
        translate(lin, ACC_WRITE);
        translate(plus(lin, size - 1), ACC_WRITE);
    }

    private boolean op32(Insn in) { return in.osz != 2; }

    private boolean realFormat() { return !protectedMode || (flags & VM) != 0; }

    /** FNSTENV (D9 /6) or FNSAVE (DD /6); FNSTENV then masks all exceptions, FNSAVE reinitializes (SDM Vol. 2). */
    private void storeEnvironment(Insn in, boolean save) {
        boolean op32 = op32(in);
        int n = save ? X87Env.saveSize(op32) : X87Env.envSize(op32);
        byte[] m = new byte[n];
        X87Env.store(fpu, m, op32, realFormat());
        if (save) X87Env.storeRegisters(fpu, m, X87Env.envSize(op32));
        writeBlock(in, m);
        if (save) fpu.finit();
        else fpu.fcw |= 0x3F;
    }

    /** FLDENV (D9 /4) or FRSTOR (DD /4). */
    private void loadEnvironment(Insn in, boolean restore) {
        boolean op32 = op32(in);
        int n = restore ? X87Env.saveSize(op32) : X87Env.envSize(op32);
        byte[] m = readBlock(in, n);
        X87Env.load(fpu, m, op32, realFormat());
        fpu.fcw = fpu.fcw & 0x1F3F | 0x40;
        if (restore) X87Env.loadRegisters(fpu, m, X87Env.envSize(op32));
    }

    private byte[] readBlock(Insn in, int n) {
        long lin = memAddr(in, n, false);
        byte[] m = new byte[n];
        for (int k = 0; k < n; ) {
            int c = n - k >= 8 ? 8 : 2;
            X87Env.put(m, k, rd(plus(lin, k), c), c);
            k += c;
        }
        return m;
    }

    private void writeBlock(Insn in, byte[] m) {
        int n = m.length;
        long lin = memAddr(in, n, true);
        probeWrite(lin, n);
        for (int k = 0; k < n; ) {
            int c = n - k >= 8 ? 8 : 2;
            wr(plus(lin, k), c, X87Env.get(m, k, c));
            k += c;
        }
    }
}
