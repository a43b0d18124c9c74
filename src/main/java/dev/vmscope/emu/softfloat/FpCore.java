package dev.vmscope.emu.softfloat;

/**
 * Exact arithmetic on unpacked binary floating-point values and the one rounding step shared by the x87 and SSE
 * units. Operands are unpacked as (sign, exponent, significand) with the significand's most significant set bit at
 * bit 63 worth 2^exponent. Every operation computes the exact result as a 128-bit significand (hi:lo, with a sticky
 * bit jammed into lo's bit 0 where bits were lost) and {@link #round} rounds it once, as IEEE 754-2008 section 4.3
 * requires. Nothing here allocates: results are left in fields.
 */
abstract class FpCore {
    /** Exception flag bits, the same positions in FSW (SDM vol. 1 8.1.3) and MXCSR (SDM vol. 1 10.2.3). */
    public static final int IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20;
    /** FSW stack fault and condition code bits (SDM vol. 1 figure 8-4). C1 also means "rounded up" after PE. */
    public static final int SF = 0x40, C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;

    /** Rounding control encodings, FCW.RC bits 11:10 and MXCSR.RC bits 14:13 (SDM vol. 1 table 4-8). */
    public static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

    static final long MSB = Long.MIN_VALUE;

    // Exact intermediate result: (-1)^zNeg * 0.zHi zLo * 2^(zExp+1), i.e. zHi bit 63 weighs 2^zExp.
    boolean zNeg;
    int zExp;
    long zHi, zLo;

    // Rounded result: sig with bit 63 weighing 2^exp; a subnormal keeps exp = emin with bit 63 clear;
    // an overflow to infinity sets exp = emax + 1, sig = MSB.
    long rSig;
    int rExp;
    /** Status bits raised by the current operation (IE..PE, and C1 when the result was rounded up). */
    int status;

    /** Magnitude addition |a| + |b| into z (sign set by caller). Both significands normalized. */
    final void addMag(int ea, long a, int eb, long b) {
        if (ea < eb || (ea == eb && Long.compareUnsigned(a, b) < 0)) {
            int te = ea; ea = eb; eb = te;
            long t = a; a = b; b = t;
        }
        shiftJam(b, 0, ea - eb);
        long lo = zLo, hi = a + zHi;
        int e = ea;
        if (Long.compareUnsigned(hi, a) < 0) {  // carry out of bit 63
            lo = (lo >>> 1) | (hi << 63) | (lo & 1);
            hi = (hi >>> 1) | MSB;
            e++;
        }
        zExp = e; zHi = hi; zLo = lo;
    }

    /**
     * Magnitude subtraction |a| - |b| into z; returns false when the result is exactly zero. zNeg is flipped
     * when |b| > |a|. Jamming keeps bit 0 sticky far below any rounding position (at most one bit of cancellation
     * once bits were lost), so the rounding decision is the exact one.
     */
    final boolean subMag(int ea, long a, int eb, long b) {
        if (ea < eb || (ea == eb && Long.compareUnsigned(a, b) < 0)) {
            int te = ea; ea = eb; eb = te;
            long t = a; a = b; b = t;
            zNeg = !zNeg;
        } else if (ea == eb && a == b) {
            return false;
        }
        shiftJam(b, 0, ea - eb);
        long lo = -zLo;
        long hi = a - zHi - (zLo != 0 ? 1 : 0);
        zExp = ea; zHi = hi; zLo = lo;
        normalizeZ();
        return true;
    }

    /** Product of two normalized significands into z. */
    final void mulSig(int ea, long a, int eb, long b) {
        zHi = Math.unsignedMultiplyHigh(a, b);
        zLo = a * b;
        zExp = ea + eb + 1;
        normalizeZ();
    }

    /** Quotient a / b of normalized significands into z: 128 quotient bits plus a sticky bit. */
    final void divSig(int ea, long a, int eb, long b) {
        long nHi = a, nLo = 0;
        int e = ea - eb;
        if (Long.compareUnsigned(a, b) < 0) {
            e--;                 // a/b in [1/2, 1): take a * 2^64 / b
        } else {
            nLo = a << 63;       // a/b in [1, 2): take a * 2^63 / b
            nHi = a >>> 1;
        }
        long q1 = divlu(nHi, nLo, b);
        long q0 = divlu(divRem, 0, b);
        zHi = q1;
        zLo = q0 | (divRem != 0 ? 1 : 0);
        zExp = e;
    }

    /** Square root of a normalized significand worth 2^e: 64 root bits, a guard bit and a sticky bit. */
    final void sqrtSig(int e, long a) {
        // N = a * 2^63 (e even) or a * 2^64 (e odd) so that the root has bit 63 set; see the class comment.
        long nh, nl;
        if ((e & 1) == 0) { nh = a >>> 1; nl = a << 63; } else { nh = a; nl = 0; }
        long r = isqrt(nh, nl);
        long sqH = Math.unsignedMultiplyHigh(r, r), sqL = r * r;
        long remL = nl - sqL;
        long remH = nh - sqH - (Long.compareUnsigned(nl, sqL) < 0 ? 1 : 0);
        // root + 1/2 <= sqrt(N) exactly when remainder > root; an exact tie is impossible.
        boolean guard = remH != 0 || Long.compareUnsigned(remL, r) > 0;
        zHi = r;
        zLo = (guard ? MSB : 0) | ((remH | remL) != 0 ? 1 : 0);
        zExp = e >> 1;
    }

    private long divRem;

    /**
     * floor(sqrt(N)) for N = (nh:nl) in [2^126, 2^128): a double estimate (error below 2^13), one integer Newton
     * step, then an exact correction so that r^2 <= N < (r+1)^2.
     */
    private long isqrt(long nh, long nl) {
        double approx = Math.sqrt(unsignedToDouble(nh) * 0x1p64 + unsignedToDouble(nl));
        long r = approx >= 0x1p64 ? -1L : approx >= 0x1p63 ? (long) (approx - 0x1p63) ^ MSB : MSB;
        if (Long.compareUnsigned(nh, r) < 0) {              // Newton: r = (r + N / r) / 2
            long q = divlu(nh, nl, r);
            r = (r >>> 1) + (q >>> 1) + (r & q & 1);
            if (r >= 0) r = MSB;
        }
        while (true) {                                      // too big: r^2 > N
            long sqH = Math.unsignedMultiplyHigh(r, r), sqL = r * r;
            if (Long.compareUnsigned(sqH, nh) < 0 || (sqH == nh && Long.compareUnsigned(sqL, nl) <= 0)) break;
            r--;
        }
        while (r != -1L) {                                  // too small: (r+1)^2 <= N
            long s = r + 1;
            long sqH = Math.unsignedMultiplyHigh(s, s), sqL = s * s;
            if (Long.compareUnsigned(sqH, nh) > 0 || (sqH == nh && Long.compareUnsigned(sqL, nl) > 0)) break;
            r = s;
        }
        return r;
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }

    /** Hacker's Delight divlu: (u1:u0) / v for normalized v and u1 < v; remainder in divRem. */
    private long divlu(long u1, long u0, long v) {
        final long b = 1L << 32;
        long vn1 = v >>> 32, vn0 = v & 0xFFFFFFFFL;
        long un1 = u0 >>> 32, un0 = u0 & 0xFFFFFFFFL;
        long q1 = Long.divideUnsigned(u1, vn1);
        long rhat = Long.remainderUnsigned(u1, vn1);
        while (q1 >= b || Long.compareUnsigned(q1 * vn0, (rhat << 32) + un1) > 0) {
            q1--;
            rhat += vn1;
            if (rhat >= b) break;
        }
        long un21 = (u1 << 32) + un1 - q1 * v;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = Long.remainderUnsigned(un21, vn1);
        while (q0 >= b || Long.compareUnsigned(q0 * vn0, (rhat << 32) + un0) > 0) {
            q0--;
            rhat += vn1;
            if (rhat >= b) break;
        }
        divRem = (un21 << 32) + un0 - q0 * v;
        return (q1 << 32) + q0;
    }

    /** z = (hi:lo) >> n with every lost bit ORed into bit 0. */
    final void shiftJam(long hi, long lo, int n) {
        if (n == 0) {
            zHi = hi; zLo = lo;
        } else if (n < 64) {
            zLo = (hi << (64 - n)) | (lo >>> n) | ((lo << (64 - n)) != 0 ? 1 : 0);
            zHi = hi >>> n;
        } else if (n == 64) {
            zLo = hi | (lo != 0 ? 1 : 0);
            zHi = 0;
        } else if (n < 128) {
            zLo = (hi >>> (n - 64)) | (((hi << (128 - n)) | lo) != 0 ? 1 : 0);
            zHi = 0;
        } else {
            zLo = (hi | lo) != 0 ? 1 : 0;
            zHi = 0;
        }
    }

    final void normalizeZ() {
        if (zHi == 0) {
            if (zLo == 0) return;
            zHi = zLo; zLo = 0; zExp -= 64;
        }
        int lz = Long.numberOfLeadingZeros(zHi);
        if (lz != 0) {
            zHi = (zHi << lz) | (zLo >>> (64 - lz));
            zLo <<= lz;
            zExp -= lz;
        }
    }

    /** The bits of a 64-bit significand below a {@code prec}-bit rounding position. */
    static long lowMask(int prec) {
        return prec == 64 ? 0 : -1L >>> prec;
    }

    /** Whether rounding the kept top {@code prec} bits of (hi:lo) increments them (IEEE 754 4.3.1/4.3.2). */
    static boolean roundsUp(boolean neg, long hi, long lo, int prec, int rc) {
        long rest, half;
        boolean sticky, lsb;
        if (prec == 64) {
            rest = lo; half = MSB; sticky = false; lsb = (hi & 1) != 0;
        } else {
            long mask = -1L >>> prec;
            rest = hi & mask; half = 1L << (63 - prec); sticky = lo != 0; lsb = (hi & (mask + 1)) != 0;
        }
        boolean inexact = rest != 0 || sticky;
        return switch (rc) {
            case RC_NEAREST -> {
                int c = Long.compareUnsigned(rest, half);
                yield c > 0 || (c == 0 && (sticky || lsb));
            }
            case RC_DOWN -> neg && inexact;
            case RC_UP -> !neg && inexact;
            default -> false;
        };
    }

    /**
     * Rounds z (nonzero, normalized) to {@code prec} significand bits in the exponent range [emin, emax]
     * into rSig/rExp and raises OE, UE, PE and C1 (IEEE 754 7.4/7.5; SDM vol. 1 4.9.1.4-4.9.1.6). Tininess is
     * detected after rounding, as x86 does (SDM vol. 1 4.9.1.5). {@code bias} != 0 is the x87 response to an
     * unmasked overflow/underflow: the exponent is wrapped by that amount (SDM vol. 1 8.5.4, 8.5.5) unless even
     * the wrapped exponent is out of range (FSCALE), which gives infinity or zero whatever RC says; {@code ftz}
     * flushes a tiny result to zero (MXCSR.FTZ, SDM vol. 1 10.2.3.3) when UE is masked.
     */
    final void round(int prec, int emin, int emax, int rc, boolean oeMasked, boolean ueMasked, int bias, boolean ftz) {
        long hi = zHi, lo = zLo;
        int e = zExp;
        boolean neg = zNeg;
        boolean tiny = false, wrapped = false;
        if (e < emin) {
            boolean carries = e == emin - 1 && (hi | lowMask(prec)) == -1L && roundsUp(neg, hi, lo, prec, rc);
            tiny = !carries;
            if (tiny && ftz && ueMasked) {
                rSig = 0; rExp = emin; status |= UE | PE;
                return;
            }
            if (tiny && !ueMasked && bias != 0 && e + bias < emin) {
                rSig = 0; rExp = emin; status |= UE | PE;      // beyond the wrap: zero in every mode (host)
                return;
            }
            if (tiny && !ueMasked && bias != 0) {
                e += bias;
                status |= UE;
                tiny = false;
                wrapped = true;
            } else {
                shiftJam(hi, lo, emin - e);
                hi = zHi; lo = zLo; e = emin;
            }
        }
        boolean up = roundsUp(neg, hi, lo, prec, rc);
        boolean inexact;
        if (prec == 64) {
            inexact = lo != 0;
        } else {
            long mask = -1L >>> prec;
            inexact = (hi & mask) != 0 || lo != 0;
            hi &= ~mask;
        }
        if (up) {
            long inc = prec == 64 ? 1 : MSB >>> (prec - 1);
            long n = hi + inc;
            if (Long.compareUnsigned(n, hi) < 0) { n = MSB; e++; }
            hi = n;
        }
        if (inexact) {
            status |= PE;
            if (up) status |= C1;
            if (tiny) status |= UE;
        } else if (tiny && !ueMasked) {
            status |= UE;
        }
        if (e > emax && !wrapped) {
            if (!oeMasked && bias != 0 && e - bias <= emax) {
                e -= bias;
                status |= OE;
            } else if (!oeMasked && bias != 0) {
                hi = MSB; e = emax + 1; status |= OE | PE | C1;  // beyond the wrap: infinity in every mode (host)
            } else {
                status |= OE | PE;
                status &= ~C1;
                boolean toInf = switch (rc) {
                    case RC_NEAREST -> true;
                    case RC_DOWN -> neg;
                    case RC_UP -> !neg;
                    default -> false;
                };
                if (toInf) {
                    hi = MSB; e = emax + 1; status |= C1;
                } else {
                    hi = prec == 64 ? -1L : ~(-1L >>> prec); e = emax;
                }
            }
        }
        rSig = hi;
        rExp = e;
    }

    /**
     * Rounds a finite operand to an integral magnitude (at most 2^64 - 1 once e <= 63) in rc; sets PE and C1.
     * Returns the magnitude; e is the unbiased exponent of the normalized significand.
     */
    final long roundIntegral(boolean neg, int e, long sig, int rc) {
        if (e >= 63) return sig;
        long kept, rest;                                  // rest: the fraction, bit 63 worth 1/2
        if (e < 0) {
            kept = 0;
            rest = e == -1 ? sig : 1;                     // below 1/2 but nonzero
        } else {
            kept = sig >>> (63 - e);
            rest = sig << (e + 1);
        }
        long half = MSB;
        if (rest == 0) return kept;
        status |= PE;
        boolean up = switch (rc) {
            case RC_NEAREST -> Long.compareUnsigned(rest, half) > 0 || (rest == half && (kept & 1) != 0);
            case RC_DOWN -> neg;
            case RC_UP -> !neg;
            default -> false;
        };
        if (up) { status |= C1; kept++; }
        return kept;
    }

}
