package dev.vmscope.emu.softfloat;

/**
 * The x87 arithmetic unit on the 80-bit double extended format (SDM vol. 1 4.2.2, 8.2): an operand is a 64-bit
 * significand with its explicit integer bit J (bit 63) and a 16-bit sign+exponent word {@code se} (bit 15 sign,
 * bits 14:0 biased exponent, bias 16383). One instance per vCPU; not thread-safe; nothing allocates.
 *
 * <p>Usage per instruction: {@link #setControl} with FCW (precision and rounding control, exception masks),
 * {@link #clearStatus}, call an operation, then read {@link #sig()}/{@link #signExp()} and {@link #status()}: the
 * exception bits (IE..PE) go into FSW's sticky flags, C1 is "rounded up" (SDM vol. 1 8.1.3.1); when
 * {@link #suppressed()} is true an unmasked IE, DE or ZE leaves the destination unchanged (SDM vol. 1 8.5).
 * Stack faults (SF, C1 = push/pop) are the caller's: it owns the tag word.
 */
public final class X87 extends FpCore {
    /** Operand classes (SDM vol. 1 table 8-3 and 8.2.2; unsupported = table 8-3's pseudo-NaN, pseudo-infinity, unnormal). */
    public static final int ZERO = 0, NORMAL = 1, DENORMAL = 2, INF = 3, QNAN = 4, SNAN = 5, UNSUPPORTED = 6;

    /** The real indefinite QNaN (SDM vol. 1 table 4-3 / 8.2.2): sign 1, exponent all ones, significand C000...0. */
    public static final long INDEFINITE_SIG = 0xC000000000000000L;
    public static final int INDEFINITE_SE = 0xFFFF;

    /** Significand of 1.0 (the integer bit alone). */
    public static final long MSB_ONE = 0x8000000000000000L;

    static final int EMIN = -16382, EMAX = 16383, BIAS = 16383;
    /** Exponent wrap for unmasked numeric overflow/underflow (SDM vol. 1 8.5.4, 8.5.5). */
    static final int WRAP = 24576;

    int fcw = 0x037F;
    long sig;
    int se;
    /** Second result of FXTRACT, FSINCOS and FPTAN (the value left in the new ST(1)). */
    long sig2;
    int se2;

    /** Sets FCW (SDM vol. 1 8.1.5): PC bits 9:8, RC bits 11:10, exception masks bits 5:0. */
    public void setControl(int fcw) { this.fcw = fcw & 0xFFFF; }
    public int control() { return fcw; }
    public void clearStatus() { status = 0; }
    /** IE..PE and C1 (rounded up) raised since {@link #clearStatus}; C0/C2/C3 for comparisons and FPREM. */
    public int status() { return status; }
    public long sig() { return sig; }
    public int signExp() { return se; }
    public long sig2() { return sig2; }
    public int signExp2() { return se2; }
    /** An unmasked invalid, denormal or zero-divide exception: the destination must not be written. */
    public boolean suppressed() { return (status & ~fcw & (IE | DE | ZE)) != 0; }

    /** A store to memory (FST/FIST/FBSTP) with an unmasked IE, DE, ZE, OE or UE writes nothing (SDM vol. 1 8.5.4). */
    public boolean storeSuppressed() { return (status & ~fcw & (IE | DE | ZE | OE | UE)) != 0; }

    int rc() { return (fcw >> 10) & 3; }

    /** Significand precision per FCW.PC (SDM vol. 1 table 8-2); the reserved 01 encoding behaves as 64 bits here. */
    int precision() {
        return switch ((fcw >> 8) & 3) {
            case 0 -> 24;
            case 2 -> 53;
            default -> 64;
        };
    }

    public static int classify(long sig, int se) {
        int e = se & 0x7FFF;
        if (e == 0) return sig == 0 ? ZERO : DENORMAL;          // J=1 here is a pseudo-denormal: a denormal operand
        if (sig >= 0) return UNSUPPORTED;                        // J=0: unnormal, pseudo-infinity, pseudo-NaN
        if (e == 0x7FFF) {
            if ((sig << 1) == 0) return INF;
            return (sig & 0x4000000000000000L) != 0 ? QNAN : SNAN;
        }
        return NORMAL;
    }

    static boolean isNan(int cls) { return cls == QNAN || cls == SNAN; }

    /** Unbiased exponent of a finite nonzero operand once its significand is normalized (see {@link #normSig}). */
    static int normExp(long sig, int se) {
        int e = se & 0x7FFF;
        return e == 0 ? EMIN - Long.numberOfLeadingZeros(sig) : e - BIAS;
    }

    static long normSig(long sig) { return sig << Long.numberOfLeadingZeros(sig); }

    void set(long s, int e) { sig = s; se = e & 0xFFFF; }

    /**
     * Raises DE for a denormal operand; true when DE is unmasked, in which case the instruction stops before
     * computing anything (SDM vol. 1 8.5.2: the handler runs before the operation, no other flag is raised).
     */
    boolean denormalTrap() {
        status |= DE;
        return (fcw & DE) == 0;
    }

    void indefinite() {
        status |= IE;
        set(INDEFINITE_SIG, INDEFINITE_SE);
    }

    /** One NaN operand: quieted, IE when it was signalling (SDM vol. 1 4.8.3.4). */
    void propagate(long a, int ae, int ca) {
        if (ca == SNAN) status |= IE;
        set(a | 0x4000000000000000L, ae);
    }

    /**
     * Two operands of which at least one is a NaN or unsupported (SDM vol. 1 table 4-7, x87 column): an SNaN
     * and a QNaN give the QNaN; two NaNs of the same kind give the one with the larger significand.
     */
    void propagate(long a, int ae, int ca, long b, int be, int cb) {
        if (ca == UNSUPPORTED || cb == UNSUPPORTED) { indefinite(); return; }
        if (ca == SNAN || cb == SNAN) status |= IE;
        boolean takeA;
        if (!isNan(cb)) takeA = true;
        else if (!isNan(ca)) takeA = false;
        else if (ca != cb) takeA = ca == QNAN;
        else {
            long ma = a & 0x3FFFFFFFFFFFFFFFL, mb = b & 0x3FFFFFFFFFFFFFFFL;
            int c = Long.compareUnsigned(ma, mb);
            takeA = c > 0 || (c == 0 && (ae & 0x8000) <= (be & 0x8000));
        }
        if (takeA) set(a | 0x4000000000000000L, ae);
        else set(b | 0x4000000000000000L, be);
    }

    /** Packs the rounded result rSig/rExp with sign zNeg. */
    void pack() {
        int sign = zNeg ? 0x8000 : 0;
        if (rExp > EMAX) set(MSB, sign | 0x7FFF);
        else if (rSig == 0) set(0, sign);
        else if (rSig < 0) set(rSig, sign | (rExp + BIAS));
        else set(rSig, sign);                                 // denormal (SDM vol. 1 8.2.2: exponent 0, J = 0)
    }

    /** Rounds z at the given precision in the extended exponent range and packs it. */
    void roundPack(int prec) {
        round(prec, EMIN, EMAX, rc(), (fcw & OE) != 0, (fcw & UE) != 0, WRAP, false);
        pack();
    }

    void zeroResult(boolean neg) { set(0, neg ? 0x8000 : 0); }

    void infResult(boolean neg) { set(MSB, (neg ? 0x8000 : 0) | 0x7FFF); }

    /** FADD (SDM vol. 2 FADD/FADDP/FIADD, its "FADD/FADDP/FIADD Results" table); PC applies (SDM vol. 1 8.1.5.2). */
    public void add(long a, int ae, long b, int be) { addSub(a, ae, b, be, false); }

    /** FSUB: a - b. */
    public void sub(long a, int ae, long b, int be) { addSub(a, ae, b, be, true); }

    private void addSub(long a, int ae, long b, int be, boolean negateB) {
        int ca = classify(a, ae), cb = classify(b, be);
        if (ca >= QNAN || cb >= QNAN) { propagate(a, ae, ca, b, be, cb); return; }
        boolean na = (ae & 0x8000) != 0, nb = ((be & 0x8000) != 0) ^ negateB;
        if (ca == INF || cb == INF) {
            if (ca == INF && cb == INF && na != nb) { indefinite(); return; }
            if ((ca == DENORMAL || cb == DENORMAL) && denormalTrap()) return;
            infResult(ca == INF ? na : nb);
            return;
        }
        if ((ca == DENORMAL || cb == DENORMAL) && denormalTrap()) return;
        if (ca == ZERO && cb == ZERO) {
            zeroResult(na == nb ? na : rc() == RC_DOWN);
            return;
        }
        zNeg = na;
        if (ca == ZERO) {
            zNeg = nb; zExp = normExp(b, be); zHi = normSig(b); zLo = 0;
        } else if (cb == ZERO) {
            zExp = normExp(a, ae); zHi = normSig(a); zLo = 0;
        } else if (na == nb) {
            addMag(normExp(a, ae), normSig(a), normExp(b, be), normSig(b));
        } else if (!subMag(normExp(a, ae), normSig(a), normExp(b, be), normSig(b))) {
            zeroResult(rc() == RC_DOWN);                       // exact zero difference: IEEE 754 6.3
            return;
        }
        roundPack(precision());
    }

    /** FMUL. */
    public void mul(long a, int ae, long b, int be) {
        int ca = classify(a, ae), cb = classify(b, be);
        if (ca >= QNAN || cb >= QNAN) { propagate(a, ae, ca, b, be, cb); return; }
        boolean neg = ((ae ^ be) & 0x8000) != 0;
        if (ca == INF || cb == INF) {
            if (ca == ZERO || cb == ZERO) { indefinite(); return; }
            if ((ca == DENORMAL || cb == DENORMAL) && denormalTrap()) return;
            infResult(neg);
            return;
        }
        if ((ca == DENORMAL || cb == DENORMAL) && denormalTrap()) return;
        if (ca == ZERO || cb == ZERO) { zeroResult(neg); return; }
        zNeg = neg;
        mulSig(normExp(a, ae), normSig(a), normExp(b, be), normSig(b));
        roundPack(precision());
    }

    /** FDIV: a / b. */
    public void div(long a, int ae, long b, int be) {
        int ca = classify(a, ae), cb = classify(b, be);
        if (ca >= QNAN || cb >= QNAN) { propagate(a, ae, ca, b, be, cb); return; }
        boolean neg = ((ae ^ be) & 0x8000) != 0;
        if (ca == INF) {
            if (cb == INF) { indefinite(); return; }
            if ((cb == DENORMAL) && denormalTrap()) return;
            infResult(neg);
            return;
        }
        if (cb == INF) {
            if ((ca == DENORMAL) && denormalTrap()) return;
            zeroResult(neg);
            return;
        }
        if (cb == ZERO) {
            if (ca == ZERO) { indefinite(); return; }
            status |= ZE;                                   // ZE outranks DE (SDM vol. 1 4.9.2)
            infResult(neg);
            return;
        }
        if ((ca == DENORMAL || cb == DENORMAL) && denormalTrap()) return;
        if (ca == ZERO) { zeroResult(neg); return; }
        zNeg = neg;
        divSig(normExp(a, ae), normSig(a), normExp(b, be), normSig(b));
        roundPack(precision());
    }

    /** FSQRT; -0 gives -0 (SDM vol. 2 FSQRT table). */
    public void sqrt(long a, int ae) {
        int ca = classify(a, ae);
        if (ca >= QNAN) {
            if (ca == UNSUPPORTED) indefinite(); else propagate(a, ae, ca);
            return;
        }
        boolean neg = (ae & 0x8000) != 0;
        if (ca == ZERO) { zeroResult(neg); return; }
        if (neg) { indefinite(); return; }                  // IE outranks DE (SDM vol. 1 4.9.2)
        if ((ca == DENORMAL) && denormalTrap()) return;
        if (ca == INF) { infResult(false); return; }
        zNeg = false;
        sqrtSig(normExp(a, ae), normSig(a));
        roundPack(precision());
    }
}
