package dev.vmscope.emu.softfloat;

import static dev.vmscope.emu.softfloat.FpCore.*;
import static dev.vmscope.emu.softfloat.X87.*;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;

/**
 * x87 transcendental instructions: FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1 (SDM vol. 2, each
 * instruction's results table). Values are evaluated with 60 significant decimal digits (about 199 bits) by
 * series on exact arguments, then rounded once to 64 bits per FCW.RC: the result is faithful (error below 1 ulp,
 * what the SDM promises, SDM vol. 1 8.3.10) and almost always correctly rounded. This path allocates (BigDecimal):
 * these instructions are rare in guests. Argument reduction for FSIN/FCOS/FPTAN uses a 120-digit pi, so results
 * near multiples of pi are accurate where Intel's 66-bit pi is not (SDM vol. 1 8.3.10).
 */
public final class X87Trans {
    static final MathContext MC = new MathContext(60);
    private static final MathContext WIDE = new MathContext(130);
    static final BigDecimal PI = new BigDecimal("3.1415926535897932384626433832795028841971693993751058209749445923"
            + "07816406286208998628034825342117067982148086513282306647093844609550582231725359408128481117450");
    static final BigDecimal HALF_PI = PI.divide(BigDecimal.TWO);
    static final BigDecimal LN2 = new BigDecimal("0.69314718055994530941723212145817656807550013436025525412068000949"
            + "3393621969694715605863326996418687542001481020570685733685520235758130557032670751635");
    /**
     * pi/2 as the hardware reduces with it: pi rounded to 66 bits (SDM vol. 1 8.3.10: "an internal value of pi
     * with 66 significant bits"), which the host CPU matches; a 120-digit pi would be the accurate choice.
     */
    static final BigDecimal REDUCTION_HALF_PI = scale2(new BigDecimal(unsigned(0xC90FDAA22168C234L)
            .shiftLeft(2).or(BigInteger.valueOf(3))), 1 - 65 - 1);
    private static final BigDecimal EPS = new BigDecimal("1e-70");

    private X87Trans() {}

    /** FSIN; an argument with |x| >= 2^63 sets C2 and leaves ST(0) unchanged (result = the operand). */
    public static void sin(X87 u, long a, int ae) {
        if (!trigPrologue(u, a, ae)) return;
        if (classify(a, ae) == ZERO) { u.set(a, ae); return; }
        if (tiny(a, ae)) { nudge(u, a, ae, -1); return; }
        BigDecimal[] sc = sinCos(toBig(a, ae));
        fromBig(u, sc[0], -1);
    }

    /** FCOS. */
    public static void cos(X87 u, long a, int ae) {
        if (!trigPrologue(u, a, ae)) return;
        if (classify(a, ae) == ZERO) { u.set(MSB_ONE, BIAS); return; }
        if (tiny(a, ae)) { nudge(u, MSB_ONE, BIAS, -1); return; }
        fromBig(u, sinCos(toBig(a, ae))[1], -1);
    }

    /**
     * FSINCOS: the unit's result is the cosine (new ST(0)); sine in sig2/se2 (new ST(1)). Out of range: C2, no
     * push (both results are the operand).
     */
    public static void sinCos(X87 u, long a, int ae) {
        if (!trigPrologue(u, a, ae)) { u.sig2 = u.sig; u.se2 = u.se; return; }
        if (classify(a, ae) == ZERO) { u.sig2 = a; u.se2 = ae; u.set(MSB_ONE, BIAS); return; }
        if (tiny(a, ae)) {
            nudge(u, a, ae, -1);
            u.sig2 = u.sig; u.se2 = u.se;
            nudge(u, MSB_ONE, BIAS, -1);
            return;
        }
        BigDecimal[] sc = sinCos(toBig(a, ae));
        fromBig(u, sc[0], -1);
        u.sig2 = u.sig; u.se2 = u.se;
        fromBig(u, sc[1], -1);
    }

    /**
     * FPTAN: the tangent replaces ST(0) (the unit's result) and sig2/se2 is what the caller then pushes: 1.0, or
     * the same NaN when the result is a NaN (as the host does). Out of range (C2): nothing is pushed.
     */
    public static void tan(X87 u, long a, int ae) {
        tanValue(u, a, ae);
        if ((u.se & 0x7FFF) == 0x7FFF && u.sig != MSB) { u.sig2 = u.sig; u.se2 = u.se; }
        else { u.sig2 = MSB_ONE; u.se2 = BIAS; }
    }

    private static void tanValue(X87 u, long a, int ae) {
        if (!trigPrologue(u, a, ae)) return;
        if (classify(a, ae) == ZERO) { u.set(a, ae); return; }
        if (tiny(a, ae)) { nudge(u, a, ae, 1); return; }
        BigDecimal[] sc = sinCos(toBig(a, ae));
        fromBig(u, sc[0].divide(sc[1], MC), 1);
    }

    /** Shared special cases of FSIN/FCOS/FPTAN; false when the result is already set. */
    private static boolean trigPrologue(X87 u, long a, int ae) {
        int ca = classify(a, ae);
        if (ca >= QNAN) { if (ca == UNSUPPORTED) u.indefinite(); else u.propagate(a, ae, ca); return false; }
        if (ca == INF) { u.indefinite(); return false; }
        if (ca == DENORMAL && u.denormalTrap()) return false;
        if (ca != ZERO && normExp(a, ae) >= 63) { u.status |= C2; u.set(a, ae); return false; }
        return true;
    }

    /** |x| < 2^-40: sin, tan and atan differ from x by under 2^-80 relative, below every rounding boundary. */
    private static boolean tiny(long a, int ae) { return normExp(a, ae) < -40; }

    /** Rounds the value a ± a tiny amount (dir -1: just toward zero, +1: just away from zero). */
    private static void nudge(X87 u, long a, int ae, int dir) {
        u.zNeg = (ae & 0x8000) != 0;
        u.zExp = normExp(a, ae);
        u.zHi = normSig(a);
        u.zLo = 0;
        nudgeZ(u, dir);
        u.roundPack(64);
        u.status |= PE;
    }

    private static void nudgeZ(X87 u, int dir) {
        if (dir > 0) { u.zLo |= 1; return; }
        if (u.zLo == 0) u.zHi--;
        u.zLo--;
        u.normalizeZ();
    }

    /** FPATAN: atan(y / x) with the quadrant from both signs; y = ST(1) is replaced, x = ST(0) popped. */
    public static void atan(X87 u, long y, int ye, long x, int xe) {
        int cy = classify(y, ye), cx = classify(x, xe);
        if (cy >= QNAN || cx >= QNAN) { u.propagate(y, ye, cy, x, xe, cx); return; }
        if ((cy == DENORMAL || cx == DENORMAL) && u.denormalTrap()) return;
        boolean ny = (ye & 0x8000) != 0, nx = (xe & 0x8000) != 0;
        BigDecimal r;
        if (cy == ZERO) {
            if (!nx) { u.zeroResult(ny); return; }
            r = PI;
        } else if (cy == INF) {
            r = cx == INF ? (nx ? PI.multiply(BigDecimal.valueOf(3)).divide(BigDecimal.valueOf(4)) : PI.divide(BigDecimal.valueOf(4)))
                    : HALF_PI;
        } else if (cx == ZERO) {
            r = HALF_PI;
        } else if (cx == INF) {
            if (!nx) { u.zeroResult(ny); return; }
            r = PI;
        } else {
            int d = normExp(y, ye) - normExp(x, xe);
            if (d < -40 && !nx) {                 // atan(q) = q - q^3/3..., q below 2^-39
                u.zNeg = ny;
                u.divSig(normExp(y, ye), normSig(y), normExp(x, xe), normSig(x));
                nudgeZ(u, -1);
                u.roundPack(64);
                u.status |= PE;
                return;
            }
            BigDecimal q = new BigDecimal(unsigned(normSig(y))).divide(new BigDecimal(unsigned(normSig(x))), WIDE);
            q = scale2(q, Math.max(-400, Math.min(400, d)));
            r = atanPositive(q);
            if (nx) r = PI.subtract(r);
        }
        fromBig(u, ny ? r.negate() : r, 0);
    }

    /** F2XM1: 2^x - 1 for -1 <= x <= 1 (outside that range the SDM leaves the result undefined; computed anyway). */
    public static void exp2m1(X87 u, long a, int ae) {
        int ca = classify(a, ae);
        if (ca >= QNAN) { if (ca == UNSUPPORTED) u.indefinite(); else u.propagate(a, ae, ca); return; }
        boolean neg = (ae & 0x8000) != 0;
        if (ca == ZERO) { u.set(a, ae); return; }
        if (ca == INF) { if (neg) u.set(MSB_ONE, 0x8000 | BIAS); else u.set(a, ae); return; }
        if ((ca == DENORMAL) && u.denormalTrap()) return;
        if (normExp(a, ae) >= 0 && !(normExp(a, ae) == 0 && normSig(a) == MSB)) {
            u.set(a, ae);                                   // |x| > 1: undefined; the host returns x with PE
            u.status |= PE;
            return;
        }
        if (normExp(a, ae) < -200) {                        // 2^x - 1 = x ln2 (1 + x ln2 / 2 ...)
            BigDecimal p = sigBig(a).multiply(LN2, WIDE);
            fromBig(u, neg ? p.negate() : p, normExp(a, ae) - 63, 0);
            return;
        }
        BigDecimal t = toBig(a, ae).multiply(LN2, WIDE);
        BigDecimal sum = BigDecimal.ZERO, term = BigDecimal.ONE;
        for (int k = 1; k < 400; k++) {
            term = term.multiply(t, MC).divide(BigDecimal.valueOf(k), MC);
            sum = sum.add(term, MC);
            if (term.abs().compareTo(sum.abs().multiply(EPS)) < 0) break;
        }
        fromBig(u, sum, 0);
    }

    /** FYL2X: y * log2(x); x = ST(0) popped, y = ST(1) replaced (SDM vol. 2 FYL2X table). */
    public static void ylog2x(X87 u, long y, int ye, long x, int xe) {
        int cy = classify(y, ye), cx = classify(x, xe);
        if (cy >= QNAN || cx >= QNAN) { u.propagate(y, ye, cy, x, xe, cx); return; }
        boolean ny = (ye & 0x8000) != 0, nx = (xe & 0x8000) != 0;
        if (nx && cx != ZERO) { u.indefinite(); return; }
        if ((cy == DENORMAL || cx == DENORMAL) && u.denormalTrap()) return;
        if (cx == ZERO) {                                   // log2(0) = -infinity
            if (cy == ZERO) { u.indefinite(); return; }
            if (cy != INF) u.status = (u.status & ~DE) | ZE;   // ZE outranks DE (SDM vol. 1 4.9.2)
            u.infResult(!ny);
            return;
        }
        if (cx == INF) {
            if (cy == ZERO) { u.indefinite(); return; }
            u.infResult(ny);
            return;
        }
        int ex = normExp(x, xe);
        long sx = normSig(x);
        boolean one = sx == MSB && ex == 0;
        if (cy == INF) {
            if (one) { u.indefinite(); return; }
            u.infResult(ny ^ (ex < 0));
            return;
        }
        if (cy == ZERO) { u.zeroResult(ny ^ (ex < 0)); return; }
        BigDecimal l = BigDecimal.valueOf(ex);
        if (sx != MSB) l = l.add(lnOfSig(sx).divide(LN2, WIDE), WIDE);
        if (l.signum() == 0) { u.zeroResult(ny); return; }
        BigDecimal p = sigBig(y).multiply(l, MC);
        fromBig(u, ny ? p.negate() : p, normExp(y, ye) - 63, 0);
    }

    /** FYL2XP1: y * log2(x + 1) for |x| < 1 - sqrt(2)/2 (computed for any x > -1). */
    public static void ylog2xp1(X87 u, long y, int ye, long x, int xe) {
        int cy = classify(y, ye), cx = classify(x, xe);
        if (cy >= QNAN || cx >= QNAN) { u.propagate(y, ye, cy, x, xe, cx); return; }
        boolean ny = (ye & 0x8000) != 0, nx = (xe & 0x8000) != 0;
        if (cx == INF) { u.indefinite(); return; }         // IE outranks DE
        if ((cy == DENORMAL || cx == DENORMAL) && u.denormalTrap()) return;
        if (cx == ZERO) {
            if (cy == INF) { u.indefinite(); return; }
            u.zeroResult(ny ^ nx);
            return;
        }
        if (cy == INF) { u.infResult(ny ^ nx); return; }
        if (cy == ZERO) { u.zeroResult(ny ^ nx); return; }
        if (nx && normExp(x, xe) >= 0) {                    // x <= -1: undefined; the host returns x with PE
            u.set(x, xe);
            u.status |= PE;
            return;
        }
        BigDecimal p;
        int ex = normExp(x, xe);
        if (ex < -200) {                                    // log2(1+x) = x/ln2 (1 - x/2 ...): beyond 64 bits
            p = sigBig(x).divide(LN2, WIDE);
            if (nx) p = p.negate();
        } else {
            BigDecimal xv = toBig(x, xe);
            BigDecimal s = xv.divide(xv.add(BigDecimal.TWO), WIDE);   // ln(1+x) = 2 atanh(x / (2 + x))
            p = atanh(s).multiply(BigDecimal.TWO).divide(LN2, WIDE);
            ex = 63;
        }
        p = sigBig(y).multiply(p, MC);
        fromBig(u, ny ? p.negate() : p, normExp(y, ye) - 63 + ex - 63, 0);
    }

    // ---- series on BigDecimal ----

    /** sin and cos of an exact argument with |x| < 2^63, by reduction modulo pi/2 and Taylor series. */
    static BigDecimal[] sinCos(BigDecimal x) {
        BigDecimal q = x.divide(REDUCTION_HALF_PI, WIDE).setScale(0, java.math.RoundingMode.HALF_EVEN);
        BigDecimal r = x.subtract(q.multiply(REDUCTION_HALF_PI), WIDE);
        BigDecimal r2 = r.multiply(r, MC);
        BigDecimal s = r, c = BigDecimal.ONE, ts = r, tc = BigDecimal.ONE;
        for (int k = 1; k < 200; k++) {
            ts = ts.multiply(r2, MC).divide(BigDecimal.valueOf(-(2L * k) * (2L * k + 1)), MC);
            tc = tc.multiply(r2, MC).divide(BigDecimal.valueOf(-(2L * k - 1) * (2L * k)), MC);
            s = s.add(ts, MC);
            c = c.add(tc, MC);
            if (ts.abs().compareTo(s.abs().multiply(EPS)) <= 0 && tc.abs().compareTo(c.abs().multiply(EPS)) <= 0) break;
        }
        int quadrant = q.remainder(BigDecimal.valueOf(4)).intValue() & 3;
        return switch (quadrant) {
            case 0 -> new BigDecimal[] {s, c};
            case 1 -> new BigDecimal[] {c, s.negate()};
            case 2 -> new BigDecimal[] {s.negate(), c.negate()};
            default -> new BigDecimal[] {c.negate(), s};
        };
    }

    /** atan(q) for q > 0. */
    static BigDecimal atanPositive(BigDecimal q) {
        if (q.compareTo(BigDecimal.ONE) > 0) return HALF_PI.subtract(atanPositive(BigDecimal.ONE.divide(q, WIDE)), WIDE);
        BigDecimal z = q;
        for (int i = 0; i < 3; i++) {                        // atan z = 2 atan(z / (1 + sqrt(1 + z^2)))
            z = z.divide(BigDecimal.ONE.add(BigDecimal.ONE.add(z.multiply(z, WIDE)).sqrt(WIDE)), WIDE);
        }
        BigDecimal z2 = z.multiply(z, WIDE), term = z, sum = z;
        for (int k = 1; k < 400; k++) {
            term = term.multiply(z2, WIDE).negate();
            BigDecimal t = term.divide(BigDecimal.valueOf(2L * k + 1), WIDE);
            sum = sum.add(t, WIDE);
            if (t.abs().compareTo(sum.abs().multiply(EPS)) < 0) break;
        }
        return sum.multiply(BigDecimal.valueOf(8));
    }

    static BigDecimal atanh(BigDecimal s) {
        BigDecimal s2 = s.multiply(s, WIDE), term = s, sum = s;
        for (int k = 1; k < 1000; k++) {
            term = term.multiply(s2, WIDE);
            BigDecimal t = term.divide(BigDecimal.valueOf(2L * k + 1), WIDE);
            sum = sum.add(t, WIDE);
            if (t.abs().compareTo(sum.abs().multiply(EPS)) < 0) break;
        }
        return sum;
    }

    /** ln of a significand read as a number in [1, 2). */
    static BigDecimal lnOfSig(long sig) {
        BigDecimal m = scale2(new BigDecimal(unsigned(sig)), -63);
        return atanh(m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), WIDE)).multiply(BigDecimal.TWO);
    }

    // ---- conversions ----

    static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? b.setBit(63) : b;
    }

    /** v * 2^k, exact. */
    static BigDecimal scale2(BigDecimal v, int k) {
        if (k >= 0) return v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(k)));
        return v.multiply(new BigDecimal(BigInteger.valueOf(5).pow(-k), -k));
    }

    /** The exact value of a finite operand. */
    static BigDecimal toBig(long sig, int se) {
        if (classify(sig, se) == ZERO) return BigDecimal.ZERO;
        BigDecimal v = scale2(new BigDecimal(unsigned(normSig(sig))), normExp(sig, se) - 63);
        return (se & 0x8000) != 0 ? v.negate() : v;
    }

    /**
     * Rounds an approximation (60+ digits) to the unit's result per FCW.RC at 64 bits, PE raised: the value's
     * binary expansion to 128 bits plus a sticky bit; {@code dir} says on which side of an exactly representable
     * approximation the true (irrational) value lies (-1 toward zero, +1 away, 0 unknown).
     */
    static void fromBig(X87 u, BigDecimal r, int dir) { fromBig(u, r, 0, dir); }

    /** The significand's value as an integer (exact), leaving its binary exponent to the caller. */
    static BigDecimal sigBig(long sig) { return new BigDecimal(unsigned(normSig(sig))); }

    /** Rounds r * 2^exp2 (see {@link #fromBig(X87, BigDecimal, int)}). */
    static void fromBig(X87 u, BigDecimal r, int exp2, int dir) {
        if (r.signum() == 0) { u.zeroResult(false); u.status |= PE; return; }
        u.zNeg = r.signum() < 0;
        BigDecimal a = r.abs();
        int est = a.unscaledValue().bitLength() - (int) Math.ceil(a.scale() * 3.321928094887362);
        int k = 140 - est;
        BigDecimal scaled = scale2(a, k);
        BigInteger ip = scaled.toBigInteger();
        boolean sticky = scaled.compareTo(new BigDecimal(ip)) != 0;
        int bl = ip.bitLength();
        if (bl > 128) {
            sticky |= ip.getLowestSetBit() < bl - 128;
            ip = ip.shiftRight(bl - 128);
        } else {
            ip = ip.shiftLeft(128 - bl);
        }
        u.zHi = ip.shiftRight(64).longValue();
        u.zLo = ip.longValue() | (sticky ? 1 : 0);
        u.zExp = bl - 1 - k + exp2;
        if (!sticky && u.zLo == 0 && dir != 0) nudgeZ(u, dir);
        u.roundPack(64);
        u.status |= PE;                                     // the host flags every such result inexact,
        if ((u.se & 0x7FFF) == 0) u.status |= UE;           // so a tiny one underflows too
    }
}
