package dev.vmscope.emu;

import static dev.vmscope.emu.softfloat.X87.C0;
import static dev.vmscope.emu.softfloat.X87.C1;
import static dev.vmscope.emu.softfloat.X87.C2;
import static dev.vmscope.emu.softfloat.X87.C3;
import static dev.vmscope.emu.softfloat.X87.DE;
import static dev.vmscope.emu.softfloat.X87.IE;
import static dev.vmscope.emu.softfloat.X87.INDEFINITE_SE;
import static dev.vmscope.emu.softfloat.X87.INDEFINITE_SIG;
import static dev.vmscope.emu.softfloat.X87.MSB_ONE;

import dev.vmscope.emu.softfloat.FpuState;
import dev.vmscope.emu.softfloat.X87;
import dev.vmscope.emu.softfloat.X87Convert;
import dev.vmscope.emu.softfloat.X87Ops;
import dev.vmscope.emu.softfloat.X87Trans;

/**
 * The register-stack side of the x87 instructions (no memory access): operand checks, stack faults, the call
 * into the softfloat unit and the write-back, per Intel SDM Vol. 1 8.5 (masked responses) and each instruction's
 * page in Vol. 2. A stack underflow or overflow sets IE and SF (C1 = overflow); masked, the destination gets the
 * real indefinite (SDM Vol. 1 8.5.1.1); unmasked, nothing else changes. An unmasked IE, DE or ZE of the operation
 * leaves destination and TOP unchanged (SDM Vol. 1 8.5.1.2, 8.5.2, 8.5.3). {@link #begin} starts each instruction.
 */
final class X87Stack {
    /** Memory operand types. */
    static final int M32FP = 0, M64FP = 1, M80FP = 2, M16INT = 3, M32INT = 4, M64INT = 5, M80BCD = 6;

    final FpuState f;
    final X87 u;

    X87Stack(FpuState f, X87 u) {
        this.f = f;
        this.u = u;
    }

    static int size(int type) {
        return switch (type) {
            case M32FP, M32INT -> 4;
            case M64FP, M64INT -> 8;
            case M16INT -> 2;
            default -> 10;
        };
    }

    void begin() {
        u.setControl(f.fcw);
        u.clearStatus();
    }

    /** Stack underflow; true when IE is masked (the caller writes the indefinite). */
    private boolean underflow() { return f.stackFault(false); }

    private void setIndefinite(int i) { f.setSt(i, INDEFINITE_SIG, INDEFINITE_SE); }

    /** Exception flags of the operation into FSW (sticky), C1 left alone. */
    private void raise(int status) { f.fsw |= status & 0x3F; }

    private void clearC1() { f.fsw &= ~C1; }

    // ---- loads (push) ----

    /** Push overflow (ST(7) in use); true when it happened (masked: TOP moves and ST(0) is the indefinite). */
    boolean overflow() {
        if (f.isEmpty(7)) return false;
        if (f.stackFault(true)) {
            f.decrementTop();
            setIndefinite(0);
        }
        return true;
    }

    /**
     * FLD/FILD/FBLD from memory (SDM Vol. 2 FLD, FILD, FBLD): m80fp loads as is, the others convert. A denormal
     * m32/m64 is loaded even when DE is unmasked (host); an SNaN with IE unmasked is not.
     */
    void load(int type, long raw, int high) {
        if (overflow()) return;
        switch (type) {
            case M80FP -> { f.push(raw, high); clearC1(); return; }
            case M80BCD -> X87Convert.fromBcd(u, raw, high);
            default -> { u.setControl(f.fcw | DE); convert(type, raw); }
        }
        f.mergeStatus(u.status());
        if ((u.status() & ~f.fcw & IE) == 0) f.push(u.sig(), u.signExp());
    }

    /**
     * A memory source operand into the unit (exact), its DE deferred: an m32/m64 denormal is normal in the
     * 80-bit format, so whether DE is raised is decided by the operation as for a denormal register operand
     * (a NaN or infinite ST(0), a zero divisor outrank it: checked against the host). Returns true for such a
     * denormal; the unit then holds the value with no flags.
     */
    private boolean loadOperand(int type, long raw) {
        if (type != M32FP && type != M64FP) { convert(type, raw); return false; }
        u.setControl(f.fcw | DE);
        convert(type, raw);
        u.setControl(f.fcw);
        if ((u.status() & DE) == 0) return false;
        u.clearStatus();
        return true;
    }

    /** Smallest denormal with the operand's sign: stands in for a denormal memory operand to decide DE. */
    private static final long PROXY_SIG = 1;

    void convert(int type, long raw) {
        switch (type) {
            case M32FP -> X87Convert.fromFloat32(u, (int) raw);
            case M64FP -> X87Convert.fromFloat64(u, raw);
            case M16INT -> X87Convert.fromInt(u, (short) raw);
            case M32INT -> X87Convert.fromInt(u, (int) raw);
            default -> X87Convert.fromInt(u, raw);
        }
    }

    /** FLD ST(i): a register copy, no conversion and no exceptions beyond the stack check. */
    void loadRegister(int i) {
        if (f.isEmpty(i)) {                             // underflow wins over overflow (C1 = 0, host)
            if (underflow()) { f.decrementTop(); setIndefinite(0); }
            return;
        }
        if (overflow()) return;
        f.push(f.stSig(i), f.stSe(i));
        clearC1();
    }

    /** FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (D9 E8-EE); the irrational ones rounded per FCW.RC. */
    void loadConstant(int low3) {
        if (low3 == 7) throw Fault.ud();                  // D9 EF
        if (overflow()) return;
        switch (low3) {
            case 0 -> f.push(MSB_ONE, 0x3FFF);
            case 6 -> f.push(0, 0);
            case 7 -> throw Fault.ud();
            default -> {
                X87Ops.loadConstant(u, switch (low3) {
                    case 1 -> X87Ops.L2T;
                    case 2 -> X87Ops.L2E;
                    case 3 -> X87Ops.PI;
                    case 4 -> X87Ops.LG2;
                    default -> X87Ops.LN2;
                });
                f.push(u.sig(), u.signExp());
            }
        }
        clearC1();
    }

    // ---- stores ----

    /**
     * The value FST/FIST/FBSTP store from ST(0) (ST(0) known non-empty); for 10-byte types the high 16 bits are
     * left in {@link X87#signExp()}. Afterwards {@link X87#storeSuppressed()} tells whether to write it.
     */
    long storeValue(int type, boolean truncate) {
        long s = f.stSig(0);
        int e = f.stSe(0);
        return switch (type) {
            case M32FP -> X87Convert.toFloat32(u, s, e) & 0xFFFFFFFFL;
            case M64FP -> X87Convert.toFloat64(u, s, e);
            case M16INT -> X87Convert.toInt(u, s, e, 16, truncate);
            case M32INT -> X87Convert.toInt(u, s, e, 32, truncate);
            case M64INT -> X87Convert.toInt(u, s, e, 64, truncate);
            case M80BCD -> X87Convert.toBcd(u, s, e);
            default -> { u.clearStatus(); yield s; }
        };
    }

    /** The value a masked stack underflow stores (SDM Vol. 1 tables 4-3, 4-4 and 8.2.2 indefinites). */
    static long indefinite(int type) {
        return switch (type) {
            case M32FP -> 0xFFC00000L;
            case M64FP -> 0xFFF8000000000000L;
            case M16INT -> 0x8000;
            case M32INT -> 0x80000000L;
            case M64INT -> Long.MIN_VALUE;
            case M80BCD -> X87Convert.BCD_INDEFINITE_LOW;
            default -> INDEFINITE_SIG;
        };
    }

    /** Commits a memory store after the memory write: status, then the pop when the store happened. */
    void storeDone(boolean wasEmpty, boolean written, boolean pop) {
        if (wasEmpty) {
            underflow();
            if (written && pop) f.pop();
            return;
        }
        f.mergeStatus(u.status());
        if (written && pop) f.pop();
    }

    /**
     * FST/FSTP ST(i) (also the FSTP8/FSTP9 aliases). The FSTP1 alias (D9 D8+i, {@code checked} false) raises no
     * stack fault: with ST(0) empty it only pops (as the host CPU does).
     */
    void storeRegister(int i, boolean pop, boolean checked) {
        if (f.isEmpty(0) && !checked) { f.pop(); clearC1(); return; }
        if (f.isEmpty(0)) {
            if (!underflow()) return;
            setIndefinite(i);
        } else {
            f.setSt(i, f.stSig(0), f.stSe(0));
            clearC1();
        }
        if (pop) f.pop();
    }

    // ---- arithmetic ----

    /**
     * FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR by the ModRM reg field (0, 1, 4-7) on a = ST(0) and b: 4 and 6 compute
     * a op b, 5 and 7 b op a (SDM Vol. 2 FSUB/FSUBR, FDIV/FDIVR: the same rule for the D8, DC and DE forms).
     */
    private void compute(int kind, long a, int ae, long b, int be) {
        switch (kind) {
            case 0 -> u.add(a, ae, b, be);
            case 1 -> u.mul(a, ae, b, be);
            case 4 -> u.sub(a, ae, b, be);
            case 5 -> u.sub(b, be, a, ae);
            case 6 -> u.div(a, ae, b, be);
            default -> u.div(b, be, a, ae);
        }
    }

    /** Register form: ST(dst) = ST(0) op ST(i) per {@link #compute}, dst being 0 or i; optional pop. */
    void arith(int kind, int i, int dst, boolean pop) {
        if (f.isEmpty(0) || f.isEmpty(i)) {
            if (!underflow()) return;
            setIndefinite(dst);
            if (pop) f.pop();
            return;
        }
        compute(kind, f.stSig(0), f.stSe(0), f.stSig(i), f.stSe(i));
        finish(dst, pop);
    }

    /** Memory form: ST(0) = ST(0) op m (m32fp, m64fp, m16int, m32int). */
    void arithMem(int kind, int type, long raw) {
        if (f.isEmpty(0)) {
            if (underflow()) setIndefinite(0);
            return;
        }
        boolean denormal = loadOperand(type, raw);
        long b = u.sig();
        int be = u.signExp();
        int extra = 0;
        if (denormal) {
            compute(kind, f.stSig(0), f.stSe(0), PROXY_SIG, be & 0x8000);
            extra = u.status() & DE;
            u.clearStatus();
            if (extra != 0 && (f.fcw & DE) == 0) { f.mergeStatus(DE); return; }   // unmasked: stop, C1 = 0
        }
        if (u.suppressed()) { f.mergeStatus(u.status()); return; }
        compute(kind, f.stSig(0), f.stSe(0), b, be);
        finish(0, false);
        f.fsw |= extra;
    }

    private void finish(int dst, boolean pop) {
        f.mergeStatus(u.status());
        if (u.suppressed()) return;
        f.setSt(dst, u.sig(), u.signExp());
        if (pop) f.pop();
    }

    // ---- comparisons ----

    /**
     * FCOM/FUCOM/FCOMI/FUCOMI/FICOM core: ST(0) against b (bEmpty: b is an empty register). Returns the
     * X87Ops relation. Pops {@code pops} registers unless an exception is unmasked. The caller has converted a memory operand into the unit first when there is one.
     */
    int compare(boolean bEmpty, long b, int be, boolean quiet, int pops) {
        if (f.isEmpty(0) || bEmpty) {                   // "unordered" even when IE is unmasked (host)
            if (underflow()) pop(pops);
            return X87Ops.UNORDERED;
        }
        int rel = X87Ops.compare(u, f.stSig(0), f.stSe(0), b, be, quiet);
        raise(u.status());
        if (!u.suppressed()) pop(pops);       // an unmasked IE or DE still sets the codes but pops nothing (host)
        return rel;
    }

    /** FCOM/FCOMP/FICOM/FICOMP with a memory operand (DE as for {@link #arithMem}). */
    int compareMem(int type, long raw, int pops) {
        if (f.isEmpty(0)) return compare(true, 0, 0, false, pops);
        boolean denormal = loadOperand(type, raw);
        long b = u.sig();
        int be = u.signExp();
        if (denormal) {
            X87Ops.compare(u, f.stSig(0), f.stSe(0), PROXY_SIG, be & 0x8000, false);
            int de = u.status() & DE;
            u.clearStatus();
            if (de != 0) {
                u.setControl(f.fcw);
                convert(type, raw);                       // raises DE again, the stand-in for "this operand"
            }
        }
        return compare(false, b, be, false, pops);
    }

    /** FCOM forms: C3, C2, C0 from the relation, C1 = 0 (SDM Vol. 2 FCOM table). */
    void setCompareCodes(int rel) {
        if (rel >= 0) f.setConditionCodes(X87Ops.conditionCodes(rel));
    }

    private void pop(int n) {
        for (int k = 0; k < n; k++) f.pop();
    }

    /** FTST (D9 E4). */
    void test() {
        if (f.isEmpty(0)) {                              // "unordered" even when IE is unmasked (host)
            underflow();
            f.setConditionCodes(C3 | C2 | C0);
            return;
        }
        int rel = X87Ops.test(u, f.stSig(0), f.stSe(0));
        raise(u.status());
        setCompareCodes(rel);                            // also with an unmasked IE or DE (host)
    }

    /** FXAM (D9 E5): never faults; an empty register reports "empty" with C1 the sign bit it still holds. */
    void examine() {
        int e = f.stSe(0);
        if (f.isEmpty(0)) f.setConditionCodes(X87Ops.EMPTY_CLASS | ((e & 0x8000) != 0 ? C1 : 0));
        else f.setConditionCodes(X87Ops.examine(f.stSig(0), e));
    }

    // ---- register-only instructions ----

    /** FXCH ST(i): masked underflow turns the empty operand(s) into the indefinite first. */
    void exchange(int i) {
        if (f.isEmpty(0) || f.isEmpty(i)) {
            if (!underflow()) return;
            if (f.isEmpty(0)) setIndefinite(0);
            if (f.isEmpty(i)) setIndefinite(i);
        } else {
            clearC1();
        }
        long s = f.stSig(0);
        int e = f.stSe(0);
        f.setSt(0, f.stSig(i), f.stSe(i));
        f.setSt(i, s, e);
    }

    /** FCMOVcc ST(0), ST(i) when the condition holds (SDM Vol. 2 FCMOVcc). */
    void conditionalMove(int i, boolean cond) {
        if (f.isEmpty(0) || f.isEmpty(i)) {
            if (underflow()) setIndefinite(0);
            return;
        }
        if (cond) f.setSt(0, f.stSig(i), f.stSe(i));     // C1 unchanged (host)
    }

    /** FCHS, FABS (sign bit only, no exceptions), FSQRT, FRNDINT, F2XM1, FSIN, FCOS on ST(0); low byte of D9 xx. */
    void unary(int modrm) {
        if (f.isEmpty(0)) {
            if (modrm >= 0xFE) f.fsw &= ~C2;          // FSIN/FCOS clear C2 on a stack fault (host)
            if (underflow()) setIndefinite(0);
            return;
        }
        long a = f.stSig(0);
        int ae = f.stSe(0);
        switch (modrm) {
            case 0xE0 -> { f.setSt(0, a, ae ^ 0x8000); clearC1(); return; }
            case 0xE1 -> { f.setSt(0, a, ae & 0x7FFF); clearC1(); return; }
            case 0xFA -> u.sqrt(a, ae);
            case 0xFC -> X87Convert.roundInt(u, a, ae);
            case 0xF0 -> X87Trans.exp2m1(u, a, ae);
            case 0xFE -> X87Trans.sin(u, a, ae);
            default -> X87Trans.cos(u, a, ae);
        }
        f.mergeStatus(u.status());
        if (modrm == 0xFE || modrm == 0xFF) f.fsw = (f.fsw & ~C2) | (u.status() & C2);
        if (!u.suppressed()) f.setSt(0, u.sig(), u.signExp());
    }

    /** FPATAN, FYL2X, FYL2XP1 (ST(1) = f(ST(1), ST(0)), pop), FSCALE (ST(0)), FPREM/FPREM1 (ST(0) and C0-C3). */
    void binary(int modrm) {
        boolean toSt1 = modrm == 0xF1 || modrm == 0xF3 || modrm == 0xF9;
        if (f.isEmpty(0) || f.isEmpty(1)) {
            if (modrm == 0xF5 || modrm == 0xF8) f.fsw &= ~C2;   // FPREM/FPREM1: "complete" (host)
            if (!underflow()) return;
            setIndefinite(toSt1 ? 1 : 0);
            if (toSt1) f.pop();
            return;
        }
        long a = f.stSig(0), b = f.stSig(1);
        int ae = f.stSe(0), be = f.stSe(1);
        switch (modrm) {
            case 0xF1 -> X87Trans.ylog2x(u, b, be, a, ae);
            case 0xF3 -> X87Trans.atan(u, b, be, a, ae);
            case 0xF9 -> X87Trans.ylog2xp1(u, b, be, a, ae);
            case 0xFD -> X87Ops.scale(u, a, ae, b, be);
            default -> X87Ops.remainder(u, a, ae, b, be, modrm == 0xF5);
        }
        if (modrm == 0xF5 || modrm == 0xF8) {
            raise(u.status());
            int ca = X87.classify(a, ae), cb = X87.classify(b, be);
            if (u.suppressed() || ca >= X87.INF || cb >= X87.QNAN || cb == X87.ZERO) {
                f.fsw &= ~(C1 | C2);                     // no quotient: C0 and C3 stay (host)
            } else {
                f.setConditionCodes(u.status());
            }
            if (!u.suppressed()) f.setSt(0, u.sig(), u.signExp());
            return;
        }
        finish(toSt1 ? 1 : 0, toSt1);
    }

    /**
     * FPTAN, FSINCOS, FXTRACT: ST(0) replaced and one value pushed. Underflow or overflow, masked, leaves the
     * indefinite in both (as the host CPU does); an operand out of range (C2) pushes nothing.
     */
    void pushTwo(int modrm) {
        boolean empty = f.isEmpty(0);
        if (empty || !f.isEmpty(7)) {
            if (modrm != 0xF4) f.fsw &= ~C2;                // FPTAN/FSINCOS: C2 cleared on a stack fault (host)
            if (!f.stackFault(!empty)) return;
            setIndefinite(0);
            f.decrementTop();
            setIndefinite(0);
            return;
        }
        long a = f.stSig(0);
        int ae = f.stSe(0);
        switch (modrm) {
            case 0xF2 -> X87Trans.tan(u, a, ae);
            case 0xFB -> X87Trans.sinCos(u, a, ae);
            default -> X87Ops.extract(u, a, ae);
        }
        f.mergeStatus(u.status());
        if (modrm != 0xF4) f.fsw = (f.fsw & ~C2) | (u.status() & C2);
        if (u.suppressed() || (u.status() & C2) != 0 && modrm != 0xF4) return;
        switch (modrm) {
            case 0xF2 -> { f.setSt(0, u.sig(), u.signExp()); f.push(u.sig2(), u.signExp2()); }
            case 0xFB -> { f.setSt(0, u.sig2(), u.signExp2()); f.push(u.sig(), u.signExp()); }
            default -> { f.setSt(0, u.sig2(), u.signExp2()); f.push(u.sig(), u.signExp()); }
        }
    }

    /** FDECSTP / FINCSTP: TOP moves, C1 = 0. */
    void moveTop(boolean increment) {
        if (increment) f.incrementTop(); else f.decrementTop();
        clearC1();
    }

    /** IE masked? Stores pick the indefinite on a masked underflow. */
    boolean invalidMasked() { return (f.fcw & IE) != 0; }
}
