package dev.vmscope.emu;

import dev.vmscope.emu.softfloat.Sse;
import dev.vmscope.emu.softfloat.SseConvert;

/**
 * SSE/SSE2 floating point on 64-bit lanes (two singles or one double), for the packed and scalar forms of
 * ADD/MUL/SUB/MIN/DIV/MAX/SQRT (0F 51, 58-5F), CMPccPS/PD/SS/SD (0F C2), RCP/RSQRT (0F 52, 53) and the
 * conversions (Intel SDM Vol. 2 each instruction's page). Rounding, flags and NaN rules are the softfloat
 * package's; the caller sets MXCSR in {@link Sse} first and collects the flags afterwards.
 */
final class SimdFloat {
    private SimdFloat() {}

    static int op32(Sse u, int op, int a, int b) {
        return switch (op) {
            case 0x58 -> u.add32(a, b);
            case 0x59 -> u.mul32(a, b);
            case 0x5c -> u.sub32(a, b);
            case 0x5d -> u.min32(a, b);
            case 0x5e -> u.div32(a, b);
            case 0x5f -> u.max32(a, b);
            case 0x51 -> u.sqrt32(b);
            case 0x52 -> rsqrt32(b);
            case 0x53 -> rcp32(b);
            default -> throw new IllegalStateException("not an SSE arithmetic opcode " + Integer.toHexString(op));
        };
    }

    static long op64(Sse u, int op, long a, long b) {
        return switch (op) {
            case 0x58 -> u.add64(a, b);
            case 0x59 -> u.mul64(a, b);
            case 0x5c -> u.sub64(a, b);
            case 0x5d -> u.min64(a, b);
            case 0x5e -> u.div64(a, b);
            case 0x5f -> u.max64(a, b);
            case 0x51 -> u.sqrt64(b);
            default -> throw new IllegalStateException("not an SSE2 arithmetic opcode " + Integer.toHexString(op));
        };
    }

    /** Two singles of a lane. */
    static long ps(Sse u, int op, long a, long b) {
        long lo = op32(u, op, (int) a, (int) b) & 0xffffffffL;
        return lo | (long) op32(u, op, (int) (a >>> 32), (int) (b >>> 32)) << 32;
    }

    /** CMPPS lane (predicate imm8 bits 2:0; legacy encodings ignore the rest). */
    static long cmpps(Sse u, long a, long b, int imm) {
        long lo = u.cmp32((int) a, (int) b, imm & 7) & 0xffffffffL;
        return lo | (long) u.cmp32((int) (a >>> 32), (int) (b >>> 32), imm & 7) << 32;
    }

    /**
     * RCPSS/RCPPS. The SDM only bounds the error (|relative error| <= 1.5 * 2^-12) and hardware tables differ
     * between implementations; this returns 1/x correctly rounded to nearest, which is within every such bound.
     * Specials per SDM Vol. 2 RCPPS: a zero or a denormal (always treated as zero) gives the signed infinity,
     * an infinity the signed zero, a NaN its quiet form; results that would be denormal flush to signed zero.
     * No exceptions, no flags.
     */
    static int rcp32(int a) {
        int sign = a & 0x80000000, e = a >>> 23 & 0xff;
        if (e == 0xff) return (a & 0x7fffff) != 0 ? a | 0x400000 : sign;
        if (e == 0) return sign | 0x7f800000;
        int r = Float.floatToRawIntBits((float) (1.0 / Float.intBitsToFloat(a)));
        return (r >>> 23 & 0xff) == 0 ? sign : r;
    }

    /**
     * RSQRTSS/RSQRTPS, same approach as {@link #rcp32}: 1/sqrt(x) rounded to nearest. Zero or denormal: signed
     * infinity; negative: the QNaN indefinite; +infinity: +0; NaN: quieted (SDM Vol. 2 RSQRTPS).
     */
    static int rsqrt32(int a) {
        int sign = a & 0x80000000, e = a >>> 23 & 0xff;
        if (e == 0xff && (a & 0x7fffff) != 0) return a | 0x400000;
        if (e == 0) return sign | 0x7f800000;
        if (sign != 0) return Sse.DEFAULT_NAN32;
        if (e == 0xff) return 0;
        return Float.floatToRawIntBits((float) (1.0 / Math.sqrt(Float.intBitsToFloat(a))));
    }

    /** CVTDQ2PS / CVTPI2PS lane: two signed doublewords to singles under MXCSR.RC. */
    static long intsToSingles(Sse u, long v) {
        long lo = SseConvert.intToSingle(u, (int) v) & 0xffffffffL;
        return lo | (long) SseConvert.intToSingle(u, (int) (v >> 32)) << 32;
    }

    /** CVT(T)PS2DQ / CVT(T)PS2PI lane: two singles to signed doublewords. */
    static long singlesToInts(Sse u, long v, boolean truncate) {
        long lo = SseConvert.singleToInt(u, (int) v, 32, truncate) & 0xffffffffL;
        return lo | SseConvert.singleToInt(u, (int) (v >>> 32), 32, truncate) << 32;
    }

    /** CVT(T)PD2DQ / CVT(T)PD2PI: two doubles to two signed doublewords in one lane. */
    static long doublesToInts(Sse u, long d0, long d1, boolean truncate) {
        long lo = SseConvert.doubleToInt(u, d0, 32, truncate) & 0xffffffffL;
        return lo | SseConvert.doubleToInt(u, d1, 32, truncate) << 32;
    }

    /** CVTPD2PS: two doubles to two singles in one lane. */
    static long doublesToSingles(Sse u, long d0, long d1) {
        long lo = SseConvert.toSingle(u, d0) & 0xffffffffL;
        return lo | (long) SseConvert.toSingle(u, d1) << 32;
    }

    /** The sign bits of the singles (MOVMSKPS) or doubles (MOVMSKPD) of a register. */
    static int signMask(long lo, long hi, boolean dbl) {
        if (dbl) return (int) (lo >>> 63 | hi >>> 63 << 1);
        return (int) (lo >>> 31 & 1 | lo >>> 63 << 1 | (hi >>> 31 & 1) << 2 | hi >>> 63 << 3);
    }
}
