package dev.vmscope.emu.softfloat;

/**
 * SSE/SSE2 scalar arithmetic on IEEE 754 binary32 and binary64 under MXCSR (SDM vol. 1 10.2.3, 11.5): rounding
 * control, DAZ, FTZ, and the exception flags IE DE ZE OE UE PE, with x86's NaN rules (SDM vol. 1 table 4-7, SSE
 * column: the first source's NaN wins and is quieted; invalid operations give the QNaN indefinite). binary32
 * values travel as {@code int} bits, binary64 as {@code long} bits. Packed instructions apply the scalar
 * operation per element and OR the flags.
 *
 * <p>Per instruction: {@link #setMxcsr}, {@link #clearStatus}, operate, then OR {@link #status()} into MXCSR
 * bits 5:0; when {@link #suppressed()} an unmasked exception leaves the destination unchanged (#XM or #UD per
 * CR4.OSXMMEXCPT is the caller's, SDM vol. 1 11.5.1).
 */
public final class Sse extends FpCore {
    public static final int DEFAULT_NAN32 = 0xFFC00000;
    public static final long DEFAULT_NAN64 = 0xFFF8000000000000L;
    /** MXCSR bits (SDM vol. 1 figure 10-3). */
    public static final int MXCSR_DAZ = 0x40, MXCSR_FTZ = 0x8000, MXCSR_DEFAULT = 0x1F80;

    static final int ZERO = 0, NORMAL = 1, DENORMAL = 2, INF = 3, QNAN = 4, SNAN = 5;
    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;
    static final boolean S = false, D = true;   // format selectors: single, double

    int mxcsr = MXCSR_DEFAULT;

    public void setMxcsr(int mxcsr) { this.mxcsr = mxcsr; }
    public int mxcsr() { return mxcsr; }
    public void clearStatus() { status = 0; }
    /** IE..PE raised since {@link #clearStatus}. */
    public int status() { return status & 0x3F; }
    /** Any unmasked exception raised: the instruction ends in #XM (CR4.OSXMMEXCPT = 1) or #UD (SDM vol. 1 11.5.1). */
    public boolean trap() { return (status & ~(mxcsr >> 7) & 0x3F) != 0; }

    /**
     * An unmasked exception other than PE: the destination is left unchanged (SDM vol. 1 11.5.2). With only PE
     * unmasked the result is written before #XM, as the SDM describes (the host oracle cannot see that register).
     */
    public boolean suppressed() { return (status & ~(mxcsr >> 7) & (IE | DE | ZE | OE | UE)) != 0; }

    int rc() { return (mxcsr >> 13) & 3; }
    boolean daz() { return (mxcsr & MXCSR_DAZ) != 0; }

    static int fbits(boolean d) { return d ? 52 : 23; }
    static int emax(boolean d) { return d ? 1023 : 127; }
    static long expMask(boolean d) { return d ? 0x7FF : 0xFF; }
    static long signBit(boolean d) { return d ? Long.MIN_VALUE : 0x80000000L; }
    static long quietBit(boolean d) { return 1L << (fbits(d) - 1); }
    static long defaultNan(boolean d) { return d ? DEFAULT_NAN64 : DEFAULT_NAN32 & 0xFFFFFFFFL; }

    /** Class of an operand; with DAZ a denormal is a zero (SDM vol. 1 10.2.3.4). */
    int classify(long v, boolean d) {
        long e = (v >>> fbits(d)) & expMask(d);
        long f = v & ((1L << fbits(d)) - 1);
        if (e == 0) return f == 0 || daz() ? ZERO : DENORMAL;
        if (e == expMask(d)) return f == 0 ? INF : (f & quietBit(d)) != 0 ? QNAN : SNAN;
        return NORMAL;
    }

    /** A denormal becomes a zero of its sign (DAZ). */
    static long flushDenormal(long v, boolean d) {
        return ((v >>> fbits(d)) & expMask(d)) == 0 ? v & signBit(d) : v;
    }

    static boolean neg(long v, boolean d) { return (v & signBit(d)) != 0; }

    static int normExp(long v, boolean d) {
        long e = (v >>> fbits(d)) & expMask(d);
        long f = v & ((1L << fbits(d)) - 1);
        int bias = emax(d);
        if (e != 0) return (int) e - bias;
        return 1 - bias - (Long.numberOfLeadingZeros(f) - (63 - fbits(d)));
    }

    static long normSig(long v, boolean d) {
        long e = (v >>> fbits(d)) & expMask(d);
        long f = v & ((1L << fbits(d)) - 1);
        if (e != 0) return (f << (63 - fbits(d))) | MSB;
        return f << Long.numberOfLeadingZeros(f);
    }

    /** Two operands, at least one NaN: the first NaN operand, quieted; IE for any SNaN. */
    long propagate(long a, int ca, long b, int cb, boolean d) {
        if (ca == SNAN || cb == SNAN) status |= IE;
        return (ca >= QNAN ? a : b) | quietBit(d);
    }

    /** Raises DE; true when it is unmasked: the instruction then stops before computing (host behaviour). */
    boolean denormalTrap() {
        status |= DE;
        return (mxcsr & (DE << 7)) == 0;
    }

    long invalid(boolean d) {
        status |= IE;
        return defaultNan(d);
    }

    long signedZero(boolean neg, boolean d) { return neg ? signBit(d) : 0; }
    long inf(boolean neg, boolean d) { return signedZero(neg, d) | (expMask(d) << fbits(d)); }

    /** Rounds z in the format and packs it. */
    long roundPack(boolean d) {
        int prec = fbits(d) + 1, emax = emax(d), emin = 1 - emax;
        boolean ueMasked = (mxcsr & (UE << 7)) != 0, oeMasked = (mxcsr & (OE << 7)) != 0;
        boolean ftz = (mxcsr & MXCSR_FTZ) != 0;
        int saved = status;
        // Unmasked #O/#U write nothing; PE then says whether the result rounded with an unbounded exponent is
        // inexact (the host's behaviour): the x87 exponent-wrap path computes exactly that.
        round(prec, emin, emax, rc(), oeMasked, ueMasked, 1 << 20, ftz);
        status &= ~C1;
        int raised = status & ~saved;
        if ((raised & OE) != 0 && !oeMasked || (raised & UE) != 0 && !ueMasked) return 0;
        long sign = signedZero(zNeg, d);
        if (rExp > emax) return inf(zNeg, d);
        long frac = (rSig >>> (64 - prec)) & ((1L << fbits(d)) - 1);
        long biased = rSig < 0 ? rExp - emin + 1 : 0;
        return sign | (biased << fbits(d)) | frac;
    }

    long arith(int op, long a, long b, boolean d) {
        int ca = classify(a, d), cb = classify(b, d);
        if (ca >= QNAN || cb >= QNAN) return propagate(a, ca, b, cb, d);
        boolean na = neg(a, d), nb = neg(b, d) ^ (op == SUB);
        if (op == DIV && cb == ZERO && ca != INF) {         // ZE and 0/0's IE outrank DE (SDM vol. 1 4.9.2)
            if (ca == ZERO) return invalid(d);
            status |= ZE;
            return inf(na ^ nb, d);
        }
        if ((ca == DENORMAL || cb == DENORMAL) && denormalTrap()) return a;
        switch (op) {
            case ADD, SUB -> {
                if (ca == INF || cb == INF) {
                    if (ca == INF && cb == INF && na != nb) return invalid(d);
                    return inf(ca == INF ? na : nb, d);
                }
                if (ca == ZERO && cb == ZERO) return signedZero(na == nb ? na : rc() == RC_DOWN, d);
                zNeg = na;
                if (ca == ZERO) { zNeg = nb; zExp = normExp(b, d); zHi = normSig(b, d); zLo = 0; }
                else if (cb == ZERO) { zExp = normExp(a, d); zHi = normSig(a, d); zLo = 0; }
                else if (na == nb) addMag(normExp(a, d), normSig(a, d), normExp(b, d), normSig(b, d));
                else if (!subMag(normExp(a, d), normSig(a, d), normExp(b, d), normSig(b, d))) {
                    return signedZero(rc() == RC_DOWN, d);
                }
            }
            case MUL -> {
                boolean n = na ^ nb;
                if (ca == INF || cb == INF) return ca == ZERO || cb == ZERO ? invalid(d) : inf(n, d);
                if (ca == ZERO || cb == ZERO) return signedZero(n, d);
                zNeg = n;
                mulSig(normExp(a, d), normSig(a, d), normExp(b, d), normSig(b, d));
            }
            default -> {
                boolean n = na ^ nb;
                if (ca == INF) return cb == INF ? invalid(d) : inf(n, d);
                if (cb == INF) return signedZero(n, d);
                if (ca == ZERO) return signedZero(n, d);
                zNeg = n;
                divSig(normExp(a, d), normSig(a, d), normExp(b, d), normSig(b, d));
            }
        }
        return roundPack(d);
    }

    long sqrt(long a, boolean d) {
        int ca = classify(a, d);
        if (ca >= QNAN) return propagate(a, ca, 0, ZERO, d);
        boolean n = neg(a, d);
        if (ca == ZERO) return signedZero(n, d);
        if (n) return invalid(d);                   // IE outranks DE (SDM vol. 1 4.9.2)
        if ((ca == DENORMAL) && denormalTrap()) return a;
        if (ca == INF) return a;
        zNeg = false;
        sqrtSig(normExp(a, d), normSig(a, d));
        return roundPack(d);
    }

    public long add64(long a, long b) { return arith(ADD, a, b, D); }
    public long sub64(long a, long b) { return arith(SUB, a, b, D); }
    public long mul64(long a, long b) { return arith(MUL, a, b, D); }
    public long div64(long a, long b) { return arith(DIV, a, b, D); }
    public long sqrt64(long a) { return sqrt(a, D); }
    public int add32(int a, int b) { return (int) arith(ADD, a & 0xFFFFFFFFL, b & 0xFFFFFFFFL, S); }
    public int sub32(int a, int b) { return (int) arith(SUB, a & 0xFFFFFFFFL, b & 0xFFFFFFFFL, S); }
    public int mul32(int a, int b) { return (int) arith(MUL, a & 0xFFFFFFFFL, b & 0xFFFFFFFFL, S); }
    public int div32(int a, int b) { return (int) arith(DIV, a & 0xFFFFFFFFL, b & 0xFFFFFFFFL, S); }
    public int sqrt32(int a) { return (int) sqrt(a & 0xFFFFFFFFL, S); }

    /**
     * MINSD/MINSS/MAXSD/MAXSS (SDM vol. 2 MINSD): the second operand is returned unchanged when either is a NaN
     * (IE for any NaN) or both are zeros of either sign.
     */
    long minMax(long a, long b, boolean d, boolean max) {
        int ca = classify(a, d), cb = classify(b, d);
        if (daz()) { a = flushDenormal(a, d); b = flushDenormal(b, d); }   // the returned operand is the flushed one
        if (ca >= QNAN || cb >= QNAN) { status |= IE; return b; }
        if ((ca == DENORMAL || cb == DENORMAL) && denormalTrap()) return a;
        int c = compareOrdered(a, ca, b, cb, d);
        if (c == 0) return b;
        return (c > 0) == max ? a : b;
    }

    public long min64(long a, long b) { return minMax(a, b, D, false); }
    public long max64(long a, long b) { return minMax(a, b, D, true); }
    public int min32(int a, int b) { return (int) minMax(a & 0xFFFFFFFFL, b & 0xFFFFFFFFL, S, false); }
    public int max32(int a, int b) { return (int) minMax(a & 0xFFFFFFFFL, b & 0xFFFFFFFFL, S, true); }

    /** Sign of a - b for ordered operands (DAZ zeros compare equal to zeros). */
    int compareOrdered(long a, int ca, long b, int cb, boolean d) {
        boolean na = neg(a, d) && ca != ZERO, nb = neg(b, d) && cb != ZERO;
        if (na != nb) return na ? -1 : 1;
        int m;
        if (ca == ZERO || cb == ZERO || ca == INF || cb == INF) {
            m = Integer.compare(ca == ZERO ? 0 : ca == INF ? 2 : 1, cb == ZERO ? 0 : cb == INF ? 2 : 1);
        } else {
            int ea = normExp(a, d), eb = normExp(b, d);
            m = ea != eb ? Integer.compare(ea, eb) : Long.compareUnsigned(normSig(a, d), normSig(b, d));
        }
        return na ? -m : m;
    }

    /** Comparison of a with b as X87Ops.GREATER/LESS/EQUAL/UNORDERED; {@code signalQnan}: any NaN raises IE. */
    int compare(long a, long b, boolean d, boolean signalQnan) {
        int ca = classify(a, d), cb = classify(b, d);
        if (ca >= QNAN || cb >= QNAN) {
            if (signalQnan || ca == SNAN || cb == SNAN) status |= IE;
            return X87Ops.UNORDERED;
        }
        if ((ca == DENORMAL || cb == DENORMAL) && denormalTrap()) return X87Ops.UNORDERED;
        int c = compareOrdered(a, ca, b, cb, d);
        return c == 0 ? X87Ops.EQUAL : c < 0 ? X87Ops.LESS : X87Ops.GREATER;
    }

    /** COMISD (signalQnan) / UCOMISD: ZF, PF, CF; OF, SF, AF cleared (SDM vol. 2 COMISD). */
    public int comi64(long a, long b, boolean signalQnan) { return X87Ops.eflags(compare(a, b, D, signalQnan)); }
    public int comi32(int a, int b, boolean signalQnan) {
        return X87Ops.eflags(compare(a & 0xFFFFFFFFL, b & 0xFFFFFFFFL, S, signalQnan));
    }

    /**
     * CMPSD/CMPSS/CMPPD/CMPPS predicate imm8 0-7 (EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD; SDM vol. 2 CMPPD table):
     * true or false; LT, LE, NLT, NLE signal on QNaN too.
     */
    boolean predicate(long a, long b, boolean d, int imm) {
        int p = imm & 7;
        boolean signal = p == 1 || p == 2 || p == 5 || p == 6;
        int r = compare(a, b, d, signal);
        boolean un = r == X87Ops.UNORDERED;
        return switch (p) {
            case 0 -> r == X87Ops.EQUAL;
            case 1 -> r == X87Ops.LESS;
            case 2 -> r == X87Ops.LESS || r == X87Ops.EQUAL;
            case 3 -> un;
            case 4 -> r != X87Ops.EQUAL;
            case 5 -> r != X87Ops.LESS;
            case 6 -> r == X87Ops.GREATER || un;
            default -> !un;
        };
    }

    /** CMPSD: all ones when the predicate holds, else zero. */
    public long cmp64(long a, long b, int imm) { return predicate(a, b, D, imm) ? -1L : 0; }
    /** CMPSS. */
    public int cmp32(int a, int b, int imm) { return predicate(a & 0xFFFFFFFFL, b & 0xFFFFFFFFL, S, imm) ? -1 : 0; }
}
