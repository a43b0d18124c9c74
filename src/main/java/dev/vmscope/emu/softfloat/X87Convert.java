package dev.vmscope.emu.softfloat;

import static dev.vmscope.emu.softfloat.FpCore.*;
import static dev.vmscope.emu.softfloat.X87.*;

/**
 * x87 loads and stores that convert: FILD/FIST/FISTTP (SDM vol. 2 FIST/FISTP, FISTTP), FLD/FST m32fp/m64fp,
 * FBLD/FBSTP (SDM vol. 1 4.7, 8.2.3), and FRNDINT. Results land in the {@link X87} unit's fields or are
 * returned; flags accumulate in its status. A store to memory with an unmasked exception other than PE writes
 * nothing (SDM vol. 1 8.5.4, 8.5.5): see {@link X87#storeSuppressed()}.
 */
public final class X87Convert {
    /** The packed BCD indefinite FBSTP stores (SDM vol. 1 table 4-4): bytes 9-8 FFFF, 7-0 C000000000000000. */
    public static final long BCD_INDEFINITE_LOW = 0xC000000000000000L;   // bytes 7-0: C0 00 ... 00
    public static final int BCD_INDEFINITE_HIGH = 0xFFFF;

    private X87Convert() {}

    /** FILD: any signed integer is exact in the 64-bit significand. */
    public static void fromInt(X87 u, long v) {
        if (v == 0) { u.set(0, 0); return; }
        int sign = v < 0 ? 0x8000 : 0;
        long m = v < 0 ? -v : v;                          // Long.MIN_VALUE stays 2^63 as an unsigned magnitude
        int lz = Long.numberOfLeadingZeros(m);
        u.set(m << lz, sign | (63 - lz + BIAS));
    }

    /** FRNDINT: round ST(0) to an integral value per FCW.RC (not PC). */
    public static void roundInt(X87 u, long a, int ae) {
        int ca = classify(a, ae);
        if (ca >= QNAN) { if (ca == UNSUPPORTED) u.indefinite(); else u.propagate(a, ae, ca); return; }
        if (ca == ZERO || ca == INF) { u.set(a, ae); return; }
        if ((ca == DENORMAL) && u.denormalTrap()) return;
        boolean neg = (ae & 0x8000) != 0;
        int e = normExp(a, ae);
        if (e >= 63) { u.set(a, ae); return; }
        long m = u.roundIntegral(neg, e, normSig(a), u.rc());
        if (m == 0) { u.zeroResult(neg); return; }
        int lz = Long.numberOfLeadingZeros(m);
        u.set(m << lz, (ae & 0x8000) | (63 - lz + BIAS));
    }

    /**
     * FIST/FISTP (truncate = false, FCW.RC) and FISTTP (truncate = true) to a signed integer of {@code bits} 16, 32
     * or 64: NaN, infinity, unsupported or out of range give IE and the integer indefinite (0x8000...).
     */
    public static long toInt(X87 u, long a, int ae, int bits, boolean truncate) {
        long indefinite = bits == 64 ? MSB : 1L << (bits - 1);
        int ca = classify(a, ae);
        if (ca >= INF) { u.status |= IE; return indefinite; }
        if (ca == ZERO) return 0;                          // stores raise no DE (checked against the host)
        boolean neg = (ae & 0x8000) != 0;
        int e = normExp(a, ae);
        if (e >= 64) { u.status |= IE; return indefinite; }
        int saved = u.status;
        long m = e == 63 ? normSig(a) : u.roundIntegral(neg, e, normSig(a), truncate ? RC_ZERO : u.rc());
        long limit = 1L << (bits - 1);                    // magnitude bound: 2^(bits-1) negative, one less positive
        boolean fits = neg ? Long.compareUnsigned(m, limit) <= 0 : Long.compareUnsigned(m, limit) < 0;
        if (bits == 64 && !neg) fits = m >= 0;
        if (!fits) { u.status = saved | IE; return indefinite; }
        long v = neg ? -m : m;
        return bits == 64 ? v : v & ((1L << bits) - 1);
    }

    /** FLD m32fp: exact; an SNaN is quieted with IE, a denormal raises DE (SDM vol. 2 FLD). */
    public static void fromFloat32(X87 u, int f) {
        int sign = f < 0 ? 0x8000 : 0;
        int e = (f >>> 23) & 0xFF;
        long frac = f & 0x7FFFFFL;
        if (e == 0xFF) {
            if (frac == 0) { u.infResult(sign != 0); return; }
            if ((frac & 0x400000) == 0) u.status |= IE;
            u.set(MSB | 0x4000000000000000L | (frac << 40), sign | 0x7FFF);
            return;
        }
        if (e == 0) {
            if (frac == 0) { u.set(0, sign); return; }
            if (u.denormalTrap()) return;                 // unmasked DE: nothing is loaded
            int lz = Long.numberOfLeadingZeros(frac);
            u.set(frac << lz, sign | (63 - lz - 149 + BIAS));     // value = frac * 2^-149
            return;
        }
        u.set(MSB | (frac << 40), sign | (e - 127 + BIAS));
    }

    /** FLD m64fp. */
    public static void fromFloat64(X87 u, long d) {
        int sign = d < 0 ? 0x8000 : 0;
        int e = (int) (d >>> 52) & 0x7FF;
        long frac = d & 0xFFFFFFFFFFFFFL;
        if (e == 0x7FF) {
            if (frac == 0) { u.infResult(sign != 0); return; }
            if ((frac & 0x8000000000000L) == 0) u.status |= IE;
            u.set(MSB | 0x4000000000000000L | (frac << 11), sign | 0x7FFF);
            return;
        }
        if (e == 0) {
            if (frac == 0) { u.set(0, sign); return; }
            if (u.denormalTrap()) return;                 // unmasked DE: nothing is loaded
            int lz = Long.numberOfLeadingZeros(frac);
            u.set(frac << lz, sign | (63 - lz - 1074 + BIAS));    // value = frac * 2^-1074
            return;
        }
        u.set(MSB | (frac << 11), sign | (e - 1023 + BIAS));
    }

    /** FST m32fp: rounded per FCW.RC to binary32 (PC does not apply). */
    public static int toFloat32(X87 u, long a, int ae) {
        return (int) toIeee(u, a, ae, 24, -126, 127, 8);
    }

    /** FST m64fp. */
    public static long toFloat64(X87 u, long a, int ae) {
        return toIeee(u, a, ae, 53, -1022, 1023, 11);
    }

    private static long toIeee(X87 u, long a, int ae, int prec, int emin, int emax, int ebits) {
        int fbits = prec - 1;
        int width = 1 + ebits + fbits;
        long sign = (ae & 0x8000) != 0 ? 1L << (width - 1) : 0;
        long expAll = ((1L << ebits) - 1) << fbits;
        int ca = classify(a, ae);
        switch (ca) {
            case ZERO: return sign;
            case INF: return sign | expAll;
            case UNSUPPORTED:
                u.status |= IE;
                return (1L << (width - 1)) | expAll | (1L << (fbits - 1));
            case QNAN, SNAN:
                if (ca == SNAN) u.status |= IE;
                return sign | expAll | (1L << (fbits - 1)) | ((a << 1) >>> (64 - fbits));
            default:
        }
        u.zNeg = sign != 0;
        u.zExp = normExp(a, ae);
        u.zHi = normSig(a);
        u.zLo = 0;
        int saved = u.status;
        boolean oeMasked = (u.fcw & OE) != 0, ueMasked = (u.fcw & UE) != 0;
        u.round(prec, emin, emax, u.rc(), oeMasked, ueMasked, 0, false);
        int raised = u.status & ~saved;
        if ((raised & OE) != 0 && !oeMasked || (raised & UE) != 0 && !ueMasked) {
            u.status = saved | (raised & (OE | UE));        // unmasked: only OE/UE, nothing stored (host)
            return 0;
        }
        long s = u.rSig;
        if (u.rExp > emax) return sign | expAll;
        long frac = (s >>> (64 - prec)) & ((1L << fbits) - 1);
        long biased = s < 0 ? u.rExp - emin + 1 : 0;
        return sign | (biased << fbits) | frac;
    }

    /** FBLD: 18 packed BCD digits in bytes 0-8 ({@code low} = bytes 0-7, {@code high} bits 7:0 = byte 8) and the
     * sign in byte 9 bit 7 (SDM vol. 1 4.7). Invalid digits give an undefined result; here they weigh as read. */
    public static void fromBcd(X87 u, long low, int high) {
        long v = 0;
        for (int i = 1; i >= 0; i--) v = v * 10 + ((high >>> (4 * i)) & 0xF);
        for (int i = 15; i >= 0; i--) v = v * 10 + ((low >>> (4 * i)) & 0xF);
        fromInt(u, v);
        if (v == 0) u.set(0, 0);
        if ((high & 0x8000) != 0) u.se |= 0x8000;
    }

    /**
     * FBSTP: rounds per FCW.RC to an integer and packs it as 18 BCD digits; returns bytes 0-7 and leaves bytes
     * 8-9 in {@link X87#signExp()}. NaN, infinity or |value| >= 10^18 give IE and the BCD indefinite.
     */
    public static long toBcd(X87 u, long a, int ae) {
        int ca = classify(a, ae);
        int sign = ae & 0x8000;
        if (ca >= INF) return bcdIndefinite(u);
        u.se = sign;
        if (ca == ZERO) return 0;                          // stores raise no DE (checked against the host)
        int e = normExp(a, ae);
        if (e >= 60) return bcdIndefinite(u);
        int saved = u.status;
        long m = u.roundIntegral(sign != 0, e, normSig(a), u.rc());
        if (m >= 1_000_000_000_000_000_000L || m < 0) { u.status = saved; return bcdIndefinite(u); }
        long low = 0;
        for (int i = 0; i < 16; i++) { low |= (m % 10) << (4 * i); m /= 10; }
        u.se = sign | (int) (m % 10) | (int) ((m / 10) << 4);
        return low;
    }

    private static long bcdIndefinite(X87 u) {
        u.status |= IE;
        u.se = BCD_INDEFINITE_HIGH;
        return BCD_INDEFINITE_LOW;
    }
}
