package dev.vmscope.emu.softfloat;

import static dev.vmscope.emu.softfloat.FpCore.*;
import static dev.vmscope.emu.softfloat.X87.*;

/**
 * x87 comparisons, classification and the exponent/remainder instructions: FCOM/FUCOM/FCOMI/FUCOMI/FTST, FXAM,
 * FXTRACT, FSCALE, FPREM/FPREM1 and the constant loads. Flags and C0-C3 accumulate in the unit's status.
 */
public final class X87Ops {
    /** Comparison outcomes. */
    public static final int GREATER = 0, LESS = 1, EQUAL = 2, UNORDERED = 3;
    /** EFLAGS bits written by FCOMI/FUCOMI and COMISS/UCOMISS (SDM vol. 2 FCOMI table, COMISS). */
    public static final int CF = 0x01, PF = 0x04, ZF = 0x40;

    /** Constants for {@link #loadConstant}: FLDPI, FLDL2E, FLDL2T, FLDLG2, FLDLN2. */
    public static final int PI = 0, L2E = 1, L2T = 2, LG2 = 3, LN2 = 4;
    // 128-bit significands and exponents (value = 0.hi lo * 2^(exp+1)) for rounding per FCW.RC (SDM vol. 1 8.3.8).
    private static final long[] CONST_HI = {0xC90FDAA22168C234L, 0xB8AA3B295C17F0BBL, 0xD49A784BCD1B8AFEL,
        0x9A209A84FBCFF798L, 0xB17217F7D1CF79ABL};
    private static final long[] CONST_LO = {0xC4C6628B80DC1CD1L, 0xBE87FED0691D3E89L, 0x492BF6FF4DAFDB4DL,
        0x8F8959AC0B7C9178L, 0xC9E3B39803F2F6AFL};
    private static final int[] CONST_EXP = {1, 0, 1, -2, -1};

    private X87Ops() {}

    /**
     * FCOM ({@code unorderedQuiet} false: any NaN raises IE) and FUCOM (only SNaN raises IE); unsupported operands
     * always raise IE (SDM vol. 2 FCOM/FUCOM). Returns GREATER/LESS/EQUAL/UNORDERED for a compared with b.
     */
    public static int compare(X87 u, long a, int ae, long b, int be, boolean unorderedQuiet) {
        int ca = classify(a, ae), cb = classify(b, be);
        if (ca >= QNAN || cb >= QNAN) {
            if (ca == SNAN || cb == SNAN || ca == UNSUPPORTED || cb == UNSUPPORTED || !unorderedQuiet) u.status |= IE;
            return UNORDERED;
        }
        if (ca == DENORMAL || cb == DENORMAL) u.status |= DE;
        boolean na = (ae & 0x8000) != 0 && ca != ZERO, nb = (be & 0x8000) != 0 && cb != ZERO;
        if (na != nb) return na ? LESS : GREATER;
        int m = compareMagnitude(a, ae, ca, b, be, cb);
        if (m == 0) return EQUAL;
        return (m > 0) != na ? GREATER : LESS;
    }

    static int compareMagnitude(long a, int ae, int ca, long b, int be, int cb) {
        if (ca == ZERO || cb == ZERO || ca == INF || cb == INF) {
            return Integer.compare(rank(ca), rank(cb));
        }
        int ea = normExp(a, ae), eb = normExp(b, be);
        if (ea != eb) return Integer.compare(ea, eb);
        return Long.compareUnsigned(normSig(a), normSig(b));
    }

    private static int rank(int cls) { return cls == ZERO ? 0 : cls == INF ? 2 : 1; }

    /** C3, C2, C0 for a comparison outcome (SDM vol. 2 FCOM table). */
    public static int conditionCodes(int relation) {
        return switch (relation) {
            case GREATER -> 0;
            case LESS -> C0;
            case EQUAL -> C3;
            default -> C3 | C2 | C0;
        };
    }

    /** ZF, PF, CF for FCOMI/FUCOMI/COMISx (SDM vol. 2 FCOMI table). */
    public static int eflags(int relation) {
        return switch (relation) {
            case GREATER -> 0;
            case LESS -> CF;
            case EQUAL -> ZF;
            default -> ZF | PF | CF;
        };
    }

    /** FTST: compare with +0.0 (a QNaN raises IE). */
    public static int test(X87 u, long a, int ae) {
        return compare(u, a, ae, 0, 0, false);
    }

    /** FXAM: C3, C2, C0 for the class and C1 for the sign of a non-empty register (SDM vol. 2 FXAM table). */
    public static int examine(long a, int ae) {
        int c1 = (ae & 0x8000) != 0 ? C1 : 0;
        return c1 | switch (classify(a, ae)) {
            case UNSUPPORTED -> 0;
            case QNAN, SNAN -> C0;
            case NORMAL -> C2;
            case INF -> C2 | C0;
            case ZERO -> C3;
            default -> C3 | C2;
        };
    }

    /** FXAM of an empty register: C3 and C0 (C1 is the sign bit left in the register, given by the caller). */
    public static final int EMPTY_CLASS = C3 | C0;

    /**
     * FXTRACT: the unit's result is the significand (exponent 0, sign kept; the new ST(0)), and it
     * gives the true exponent as an 80-bit value in {@link X87#sig2()}/{@link X87#signExp2()} (the new ST(1)).
     * Zero: ZE, exponent -infinity (SDM vol. 2 FXTRACT).
     */
    public static void extract(X87 u, long a, int ae) {
        int ca = classify(a, ae);
        if (ca >= QNAN) {
            if (ca == UNSUPPORTED) u.indefinite(); else u.propagate(a, ae, ca);
            u.sig2 = u.sig; u.se2 = u.se;
            return;
        }
        if (ca == ZERO) {
            u.status |= ZE;
            u.sig2 = MSB; u.se2 = 0xFFFF;
            u.set(a, ae);
            return;
        }
        if (ca == INF) {
            u.sig2 = MSB; u.se2 = 0x7FFF;
            u.set(a, ae);
            return;
        }
        if ((ca == DENORMAL) && u.denormalTrap()) return;
        int e = normExp(a, ae);
        long s = normSig(a);
        X87Convert.fromInt(u, e);
        u.sig2 = u.sig; u.se2 = u.se;
        u.set(s, (ae & 0x8000) | BIAS);
    }

    /** FSCALE: a * 2^trunc(b), rounded per FCW.RC at 64 bits (SDM vol. 2 FSCALE table). */
    public static void scale(X87 u, long a, int ae, long b, int be) {
        int ca = classify(a, ae), cb = classify(b, be);
        if (ca >= QNAN || cb >= QNAN) { u.propagate(a, ae, ca, b, be, cb); return; }
        boolean nb = (be & 0x8000) != 0;
        if (cb == INF) {
            if ((ca == DENORMAL) && u.denormalTrap()) return;
            if (ca == INF) { if (nb) u.indefinite(); else u.set(a, ae); return; }
            if (ca == ZERO) { if (nb) u.set(a, ae); else u.indefinite(); return; }
            if (nb) u.zeroResult((ae & 0x8000) != 0); else u.infResult((ae & 0x8000) != 0);
            return;
        }
        if ((ca == DENORMAL || cb == DENORMAL) && u.denormalTrap()) return;
        if (ca == ZERO || ca == INF) { u.set(a, ae); return; }
        int n = 0;
        if (cb != ZERO) {
            int eb = normExp(b, be);
            if (eb >= 0) n = eb >= 20 ? 1 << 20 : (int) (normSig(b) >>> (63 - eb));
            if (nb) n = -n;
        }
        u.zNeg = (ae & 0x8000) != 0;
        u.zExp = normExp(a, ae) + n;
        u.zHi = normSig(a);
        u.zLo = 0;
        u.roundPack(64);
    }

    /**
     * FPREM (truncating quotient, {@code ieee} false) and FPREM1 (nearest quotient, IEEE 754 remainder): the
     * result replaces a; C2 = 1 when the reduction is partial, else C0 = Q2, C3 = Q1, C1 = Q0 (SDM vol. 2 FPREM).
     * A partial step reduces by 2^(d - N) with N = 32 + d mod 32, as AMD's manual describes.
     */
    public static void remainder(X87 u, long a, int ae, long b, int be, boolean ieee) {
        int ca = classify(a, ae), cb = classify(b, be);
        if (ca >= QNAN || cb >= QNAN) { u.propagate(a, ae, ca, b, be, cb); return; }
        if (ca == INF || cb == ZERO) { u.indefinite(); return; }
        if ((ca == DENORMAL || cb == DENORMAL) && u.denormalTrap()) return;
        if (ca == ZERO) { u.set(a, ae); return; }
        int ea = normExp(a, ae), eb = normExp(b, be);
        if (cb == INF) eb = Integer.MAX_VALUE / 2;           // a is its own remainder (a pseudo-denormal re-encoded)
        long sa = normSig(a), sb = normSig(b);
        boolean neg = (ae & 0x8000) != 0;
        int d = ea - eb;
        if (d < -1 || (d == -1 && (!ieee || Long.compareUnsigned(sa, sb) <= 0))) {
            u.zNeg = neg; u.zExp = ea; u.zHi = sa; u.zLo = 0;
            u.roundPack(64);
            return;
        }
        if (d == -1) {                       // |a| in (|b|/2, |b|): the nearest quotient is 1
            u.zNeg = !neg; u.zExp = ea; u.zHi = (sb << 1) - sa; u.zLo = 0;   // 2sb - sa < 2^64
            u.normalizeZ();
            u.roundPack(64);
            u.status |= C1;
            return;
        }
        boolean partial = d >= 64;
        int steps = partial ? 32 + d % 32 : d;
        long r = sa, q = 0;
        for (int i = 0; i <= steps; i++) {          // sa * 2^steps = q * sb + r, one quotient bit per step
            boolean carry = false;
            if (i > 0) { carry = r < 0; r <<= 1; }
            q <<= 1;
            if (carry || Long.compareUnsigned(r, sb) >= 0) { r -= sb; q |= 1; }
        }
        if (ieee && !partial) {
            long other = sb - r;
            int c = Long.compareUnsigned(r, other);
            if (c > 0 || (c == 0 && (q & 1) != 0)) { r = other; q++; neg = !neg; }
        }
        int cc = partial ? C2 : ((q & 4) != 0 ? C0 : 0) | ((q & 2) != 0 ? C3 : 0) | ((q & 1) != 0 ? C1 : 0);
        if (r == 0) {
            u.zeroResult((ae & 0x8000) != 0);
        } else {
            u.zNeg = neg; u.zExp = eb + (d - steps); u.zHi = r; u.zLo = 0;
            u.normalizeZ();
            u.roundPack(64);
        }
        u.status = (u.status & ~C1) | cc;
    }

    /** FLDPI, FLDL2E, FLDL2T, FLDLG2, FLDLN2: the constant rounded per FCW.RC (not PC). */
    public static void loadConstant(X87 u, int which) {
        u.zNeg = false;
        u.zHi = CONST_HI[which];
        u.zLo = CONST_LO[which];
        u.zExp = CONST_EXP[which];
        int saved = u.status;
        u.roundPack(64);
        u.status = saved;
    }
}
