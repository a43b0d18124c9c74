package dev.vmscope.emu.softfloat;

import static dev.vmscope.emu.softfloat.FpCore.*;
import static dev.vmscope.emu.softfloat.Sse.*;

/**
 * SSE/SSE2 conversions (SDM vol. 2 CVTSD2SS, CVTSS2SD, CVTSI2SD, CVTSI2SS, CVT(T)SD2SI, CVT(T)SS2SI; the packed
 * CVTDQ2PS, CVT(T)PS2DQ, CVTDQ2PD, CVT(T)PD2DQ, CVTPS2PD and CVTPD2PS apply these per element). Out-of-range or
 * NaN sources to an integer give IE and the integer indefinite 0x80000000 / 0x8000000000000000 (SDM vol. 1
 * 4.2.2, table 4-1).
 */
public final class SseConvert {
    public static final int INT32_INDEFINITE = 0x80000000;
    public static final long INT64_INDEFINITE = 0x8000000000000000L;

    private SseConvert() {}

    /** CVTSD2SS: rounded per MXCSR; an SNaN is quieted with IE, a NaN keeps its top fraction bits. */
    public static int toSingle(Sse u, long a) {
        int ca = u.classify(a, D);
        boolean n = neg(a, D);
        switch (ca) {
            case ZERO: return n ? 0x80000000 : 0;
            case INF: return (int) u.inf(n, S);
            case QNAN, SNAN:
                if (ca == SNAN) u.status |= IE;
                return (n ? 0x80000000 : 0) | 0x7FC00000 | (int) ((a >>> 29) & 0x3FFFFF);
            default:
        }
        if ((ca == DENORMAL) && u.denormalTrap()) return 0;                  // unmasked DE: suppressed
        u.zNeg = n; u.zExp = normExp(a, D); u.zHi = normSig(a, D); u.zLo = 0;
        return (int) u.roundPack(S);
    }

    /** CVTSS2SD: exact. */
    public static long toDouble(Sse u, int a) {
        long v = a & 0xFFFFFFFFL;
        int ca = u.classify(v, S);
        boolean n = a < 0;
        long sign = n ? MSB : 0;
        switch (ca) {
            case ZERO: return sign;
            case INF: return u.inf(n, D);
            case QNAN, SNAN:
                if (ca == SNAN) u.status |= IE;
                return sign | 0x7FF8000000000000L | ((v & 0x3FFFFFL) << 29);
            default:
        }
        if ((ca == DENORMAL) && u.denormalTrap()) return 0;                  // unmasked DE: suppressed
        u.zNeg = n; u.zExp = normExp(v, S); u.zHi = normSig(v, S); u.zLo = 0;
        return u.roundPack(D);
    }

    /** CVTSI2SD (32- or 64-bit source; only a 64-bit source can be inexact). */
    public static long intToDouble(Sse u, long v) { return fromInt(u, v, D); }

    /** CVTSI2SS / CVTDQ2PS element. */
    public static int intToSingle(Sse u, long v) { return (int) fromInt(u, v, S); }

    private static long fromInt(Sse u, long v, boolean d) {
        if (v == 0) return 0;
        u.zNeg = v < 0;
        long m = v < 0 ? -v : v;
        int lz = Long.numberOfLeadingZeros(m);
        u.zHi = m << lz; u.zLo = 0; u.zExp = 63 - lz;
        return u.roundPack(d);
    }

    /** CVTSD2SI ({@code truncate} false, MXCSR.RC) and CVTTSD2SI to a 32- or 64-bit signed integer. */
    public static long doubleToInt(Sse u, long a, int bits, boolean truncate) {
        return toInt(u, a, D, bits, truncate);
    }

    /** CVTSS2SI / CVTTSS2SI / CVT(T)PS2DQ element. */
    public static long singleToInt(Sse u, int a, int bits, boolean truncate) {
        return toInt(u, a & 0xFFFFFFFFL, S, bits, truncate);
    }

    private static long toInt(Sse u, long a, boolean d, int bits, boolean truncate) {
        long indefinite = bits == 64 ? INT64_INDEFINITE : INT32_INDEFINITE & 0xFFFFFFFFL;
        int ca = u.classify(a, d);
        if (ca >= INF) { u.status |= IE; return indefinite; }
        if (ca == ZERO) return 0;
        boolean n = neg(a, d);
        int e = normExp(a, d);
        if (e >= 63) {
            if (n && e == 63 && normSig(a, d) == MSB && bits == 64) return MSB;
            u.status |= IE;
            return indefinite;
        }
        int saved = u.status;
        long m = u.roundIntegral(n, e, normSig(a, d), truncate ? RC_ZERO : u.rc());
        u.status &= ~C1;
        long limit = 1L << (bits - 1);
        boolean fits = n ? Long.compareUnsigned(m, limit) <= 0 : Long.compareUnsigned(m, limit) < 0;
        if (!fits) { u.status = saved | IE; return indefinite; }
        long v = n ? -m : m;
        return bits == 64 ? v : v & 0xFFFFFFFFL;
    }
}
