package dev.vmscope.emu;

/**
 * The architectural registers of one emulated CPU and its lazily computed arithmetic flags. Fields are
 * package-visible primitives so the interpreter layers (CpuMemory ... Interpreter) reach them directly.
 * Segment arrays are indexed in the ModRM sreg order: ES, CS, SS, DS, FS, GS, then LDTR and TR.
 */
abstract class CpuRegs {
    static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, LDTR = 6, TR = 7;
    // RFLAGS bits (Intel SDM Vol. 1 3.4.3).
    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400,
            OF = 0x800, IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, VIF = 0x80000,
            VIP = 0x100000, ID = 0x200000, ARITH = CF | PF | AF | ZF | SF | OF;
    // Lazy flag operations: the flags are those of the last such operation on (la, lb) giving lres.
    static final int L_NONE = 0, L_ADD = 1, L_SUB = 2, L_LOGIC = 3, L_INC = 4, L_DEC = 5, L_ADC = 6, L_SBB = 7;
    // CR0/CR4/EFER bits (SDM Vol. 3A 2.5, 2.2.1).
    static final long CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20, CR0_WP = 1L << 16,
            CR0_AM = 1L << 18, CR0_NW = 1L << 29, CR0_CD = 1L << 30, CR0_PG = 1L << 31;
    static final long CR4_VME = 1, CR4_PVI = 2, CR4_TSD = 4, CR4_DE = 8, CR4_PSE = 0x10, CR4_PAE = 0x20, CR4_MCE = 0x40,
            CR4_PGE = 0x80, CR4_PCE = 0x100, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400, CR4_FSGSBASE = 1L << 16;
    static final long EFER_SCE = 1, EFER_LME = 1L << 8, EFER_LMA = 1L << 10, EFER_NXE = 1L << 11;

    final long[] r = new long[16];
    long rip;
    long flags = 2;
    int lop;
    long lres, la, lb;
    int lsz = 4;

    final int[] segSel = new int[8];
    final long[] segBase = new long[8];
    final long[] segLimit = new long[8];
    final int[] segAttr = new int[8];
    long gdtBase, idtBase;
    int gdtLimit = 0xffff, idtLimit = 0xffff;

    long cr0 = 0x60000010L, cr2, cr3, cr4, cr8, efer;
    final long[] dr = new long[8];

    // Derived from CR0, EFER and CS/SS (updateMode): what the decoder and address arithmetic need.
    boolean protectedMode, longMode, code64;
    int codeSize = 2, stackSize = 2, cpl;

    CpuRegs() {
        dr[6] = 0xffff0ff0L;
        dr[7] = 0x400;
    }

    final void updateMode() {
        protectedMode = (cr0 & CR0_PE) != 0;
        longMode = (efer & EFER_LMA) != 0;
        int csAttr = segAttr[CS];
        code64 = longMode && (csAttr & 1 << 13) != 0;
        codeSize = code64 ? 8 : protectedMode && (csAttr & 1 << 14) != 0 ? 4 : 2;
        stackSize = code64 ? 8 : protectedMode && (segAttr[SS] & 1 << 14) != 0 ? 4 : 2;
        if (!protectedMode) {
            codeSize = (csAttr & 1 << 14) != 0 ? 4 : 2;   // a 32-bit CS cached from protected mode ("unreal" code)
            stackSize = (segAttr[SS] & 1 << 14) != 0 ? 4 : 2;
        }
        cpl = !protectedMode ? 0 : (flags & VM) != 0 ? 3 : segAttr[SS] >> 5 & 3;
        modeChanged();
    }

    /** Hook for layers that cache mode-dependent data (TLB, decoded code). */
    abstract void modeChanged();

    private static final long[] MASKS = {0, 0xffL, 0xffffL, 0, 0xffffffffL, 0, 0, 0, -1L};
    private static final long[] SIGNS = {0, 0x80L, 0x8000L, 0, 0x80000000L, 0, 0, 0, 1L << 63};

    static long mask(int size) { return MASKS[size]; }

    static long signBit(int size) { return SIGNS[size]; }

    static long signExtend(long v, int size) {
        return switch (size) { case 1 -> (byte) v; case 2 -> (short) v; case 4 -> (int) v; default -> v; };
    }

    // ---- general registers by size (byte registers 4-7 are AH..BH unless a REX prefix is present) ----

    final long reg(int i, int size) { return r[i] & MASKS[size]; }

    final long reg8(int i, boolean rex) {
        return rex || i < 4 ? r[i] & 0xff : r[i - 4] >>> 8 & 0xff;
    }

    final void setReg8(int i, boolean rex, long v) {
        if (rex || i < 4) r[i] = r[i] & ~0xffL | v & 0xff;
        else r[i - 4] = r[i - 4] & ~0xff00L | (v & 0xff) << 8;
    }

    /** Writes {@code v} to register {@code i} with the x86-64 rule that 32-bit writes zero the upper half. */
    final void setReg(int i, int size, long v) { r[i] = r[i] & KEEP[size] | v & MASKS[size]; }

    /** The bits of a register that a write of each size leaves alone (none for 4 and 8 bytes). */
    private static final long[] KEEP = {0, ~0xffL, ~0xffffL, 0, 0, 0, 0, 0, 0};

    // ---- lazy flags ----

    final void setLazy(int op, long a, long b, long res, int size) {
        lop = op;
        la = a;
        lb = b;
        lres = res;
        lsz = size;
    }

    /** INC/DEC keep CF: materialize it into {@link #flags} before switching the lazy operation. */
    final void setLazyKeepCf(int op, long a, long res, int size) {
        flags = flags & ~CF | (cf() ? CF : 0);
        setLazy(op, a, 1, res, size);
    }

    final boolean cf() {
        long m = mask(lsz);
        return switch (lop) {
            case L_NONE, L_INC, L_DEC -> (flags & CF) != 0;
            case L_ADD -> Long.compareUnsigned(lres & m, la & m) < 0;
            case L_ADC -> adcCarry(m);
            case L_SUB -> Long.compareUnsigned(la & m, lb & m) < 0;
            case L_SBB -> sbbBorrow(m);
            default -> false;
        };
    }

    // ADC/SBB keep the carry-in in bit 0 of flags (materialized before the operation).
    private boolean adcCarry(long m) {
        boolean cin = (flags & CF) != 0;
        return cin ? Long.compareUnsigned(lres & m, la & m) <= 0 : Long.compareUnsigned(lres & m, la & m) < 0;
    }

    private boolean sbbBorrow(long m) {
        boolean cin = (flags & CF) != 0;
        return cin ? Long.compareUnsigned(la & m, lb & m) <= 0 : Long.compareUnsigned(la & m, lb & m) < 0;
    }

    final boolean zf() { return lop == L_NONE ? (flags & ZF) != 0 : (lres & mask(lsz)) == 0; }

    final boolean sf() { return lop == L_NONE ? (flags & SF) != 0 : (lres & signBit(lsz)) != 0; }

    final boolean pf() { return lop == L_NONE ? (flags & PF) != 0 : (Long.bitCount(lres & 0xff) & 1) == 0; }

    final boolean af() {
        return switch (lop) {
            case L_NONE -> (flags & AF) != 0;
            case L_LOGIC -> false;
            default -> ((la ^ lb ^ lres) & 0x10) != 0;
        };
    }

    final boolean of() {
        long s = signBit(lsz);
        return switch (lop) {
            case L_NONE -> (flags & OF) != 0;
            case L_ADD, L_ADC -> ((la ^ lres) & (lb ^ lres) & s) != 0;
            case L_SUB, L_SBB -> ((la ^ lb) & (la ^ lres) & s) != 0;
            case L_INC -> (lres & mask(lsz)) == s;
            case L_DEC -> (lres & mask(lsz)) == s - 1;
            default -> false;
        };
    }

    /** RFLAGS with the arithmetic flags computed; the lazy state is folded in. */
    final long getFlags() {
        if (lop != L_NONE) {
            flags = flags & ~ARITH | lazyArith();
            lop = L_NONE;
        }
        return flags | 2;
    }

    /** The six arithmetic flags of the lazy operation, with one dispatch (the same rules as cf() ... of()). */
    private long lazyArith() {
        long m = mask(lsz), s = signBit(lsz), res = lres & m;
        long f = (res == 0 ? ZF : 0) | ((res & s) != 0 ? SF : 0) | ((Long.bitCount(res & 0xff) & 1) == 0 ? PF : 0);
        if (lop == L_LOGIC) return f;
        f |= ((la ^ lb ^ lres) & 0x10) != 0 ? AF : 0;
        return switch (lop) {
            case L_ADD -> f | (Long.compareUnsigned(res, la & m) < 0 ? CF : 0) | (((la ^ lres) & (lb ^ lres) & s) != 0 ? OF : 0);
            case L_ADC -> f | (adcCarry(m) ? CF : 0) | (((la ^ lres) & (lb ^ lres) & s) != 0 ? OF : 0);
            case L_SUB -> f | (Long.compareUnsigned(la & m, lb & m) < 0 ? CF : 0) | (((la ^ lb) & (la ^ lres) & s) != 0 ? OF : 0);
            case L_SBB -> f | (sbbBorrow(m) ? CF : 0) | (((la ^ lb) & (la ^ lres) & s) != 0 ? OF : 0);
            case L_INC -> f | flags & CF | (res == s ? OF : 0);
            case L_DEC -> f | flags & CF | (res == s - 1 ? OF : 0);
            default -> f & ~AF;
        };
    }

    /** Sets the arithmetic flags eagerly (shifts, multiplies, BCD). */
    final void setArith(long arith) {
        lop = L_NONE;   // all six are replaced: the lazy ones need not be computed
        flags = flags & ~ARITH | arith & ARITH;
    }

    /** Flags of a result for ZF/SF/PF with CF/OF/AF given (shifts, logic with explicit flags). */
    static long szp(long res, int size) {
        long f = 0;
        if ((res & mask(size)) == 0) f |= ZF;
        if ((res & signBit(size)) != 0) f |= SF;
        if ((Long.bitCount(res & 0xff) & 1) == 0) f |= PF;
        return f;
    }

    /** Condition code {@code cc} (the low nibble of Jcc/SETcc/CMOVcc; SDM Vol. 1 appendix B). */
    final boolean cond(int cc) {
        if ((cc & ~1) == 4 && lop != L_NONE) return ((lres & mask(lsz)) == 0) ^ (cc & 1) != 0;
        if (lop == L_SUB) {   // the common CMP/SUB case straight from the operands
            long m = mask(lsz);
            long a = la & m, b = lb & m;
            switch (cc) {
                case 2: return Long.compareUnsigned(a, b) < 0;
                case 3: return Long.compareUnsigned(a, b) >= 0;
                case 4: return a == b;
                case 5: return a != b;
                case 6: return Long.compareUnsigned(a, b) <= 0;
                case 7: return Long.compareUnsigned(a, b) > 0;
                case 12: return signExtend(a, lsz) < signExtend(b, lsz);
                case 13: return signExtend(a, lsz) >= signExtend(b, lsz);
                case 14: return signExtend(a, lsz) <= signExtend(b, lsz);
                case 15: return signExtend(a, lsz) > signExtend(b, lsz);
                default: break;
            }
        }
        boolean v = switch (cc >> 1) {
            case 0 -> of();
            case 1 -> cf();
            case 2 -> zf();
            case 3 -> cf() || zf();
            case 4 -> sf();
            case 5 -> pf();
            case 6 -> sf() != of();
            default -> zf() || sf() != of();
        };
        return v ^ (cc & 1) != 0;
    }
}
