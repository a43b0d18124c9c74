package dev.vmscope.emu.softfloat;

/**
 * The x87/MMX/SSE register state of one vCPU: the eight 80-bit data registers R0-R7 with TOP and the tag word,
 * FCW, FSW, FOP, the last instruction and data pointers (SDM vol. 1 8.1), MXCSR and XMM0-15 (SDM vol. 1 10.2),
 * with the FXSAVE/FXRSTOR image (SDM vol. 1 10.5.1, table 10-2; vol. 2 FXSAVE tables 3-53..3-56), FNSTENV/FSAVE
 * in their 32-bit protected-mode form (SDM vol. 1 figures 8-9, 8-10), and the MMX aliasing (SDM vol. 1 9.5).
 * Registers are physical: ST(i) is R((TOP + i) mod 8). Fields are public for the interpreter's hot paths.
 */
public final class FpuState {
    /** Tag values per register (SDM vol. 1 figure 8-7). */
    public static final int TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3;
    public static final int FCW_INIT = 0x037F;
    /** MXCSR bits this model implements (FXSAVE's MXCSR_MASK, SDM vol. 1 11.6.6): everything incl. DAZ. */
    public static final int MXCSR_MASK = 0xFFFF;

    public final long[] sig = new long[8];
    public final int[] se = new int[8];
    /** Full tag word, two bits per physical register. */
    public int tags = 0xFFFF;
    public int top;
    public int fcw = FCW_INIT;
    /** FSW without the TOP field (bits 13:11 come from {@link #top}). */
    public int fsw;
    public int fop;
    public long fip, fdp;
    public int fcs, fds;
    public int mxcsr = Sse.MXCSR_DEFAULT;
    /** XMMi = xmm[2i] (bits 63:0) and xmm[2i + 1] (bits 127:64). */
    public final long[] xmm = new long[32];

    /** FNINIT/FINIT (SDM vol. 2 FINIT: FCW 037FH, FSW 0, tags empty, pointers and opcode cleared). */
    public void finit() {
        fcw = FCW_INIT;
        fsw = 0;
        top = 0;
        tags = 0xFFFF;
        fop = 0;
        fip = fdp = 0;
        fcs = fds = 0;
    }

    /** Power-up/RESET and INIT state of the whole unit (SDM vol. 3 table 9-1): FINIT, MXCSR 1F80H, XMM zero. */
    public void reset() {
        finit();
        java.util.Arrays.fill(sig, 0);
        java.util.Arrays.fill(se, 0);
        mxcsr = Sse.MXCSR_DEFAULT;
        java.util.Arrays.fill(xmm, 0);
    }

    /** FSW as FNSTSW reads it: TOP in bits 13:11, ES (bit 7) and B (bit 15) from unmasked pending exceptions. */
    public int statusWord() {
        int s = (fsw & ~0xB880) | (top << 11);
        if ((s & ~fcw & 0x3F) != 0) s |= 0x8080;
        return s & 0xFFFF;
    }

    public void setStatusWord(int value) {
        top = (value >> 11) & 7;
        fsw = value & ~0x3800 & 0xFFFF;
    }

    public int physical(int i) { return (top + i) & 7; }
    public int tag(int phys) { return (tags >> (2 * phys)) & 3; }
    public boolean isEmpty(int i) { return tag(physical(i)) == TAG_EMPTY; }
    public long stSig(int i) { return sig[physical(i)]; }
    public int stSe(int i) { return se[physical(i)]; }

    /** The tag a value earns (SDM vol. 1 8.1.7): zero, valid, or special (NaN, infinity, denormal, unsupported). */
    public static int tagFor(long sig, int se) {
        int e = se & 0x7FFF;
        if (e == 0) return sig == 0 ? TAG_ZERO : TAG_SPECIAL;
        if (e == 0x7FFF || sig >= 0) return TAG_SPECIAL;
        return TAG_VALID;
    }

    private void setTag(int phys, int tag) { tags = (tags & ~(3 << (2 * phys))) | (tag << (2 * phys)); }

    /** Writes ST(i) and its tag. */
    public void setSt(int i, long s, int e) {
        int p = physical(i);
        sig[p] = s;
        se[p] = e & 0xFFFF;
        setTag(p, tagFor(s, e));
    }

    /** Pushes onto the stack; false (and nothing pushed) when the new ST(0) is not empty: a stack overflow. */
    public boolean push(long s, int e) {
        int p = (top - 1) & 7;
        if (tag(p) != TAG_EMPTY) return false;
        top = p;
        setSt(0, s, e);
        return true;
    }

    /** Marks ST(0) empty and increments TOP (FSTP, FINCSTP-like pop). */
    public void pop() {
        setTag(top, TAG_EMPTY);
        top = (top + 1) & 7;
    }

    /** FINCSTP / FDECSTP: TOP moves, tags stay. */
    public void incrementTop() { top = (top + 1) & 7; }
    public void decrementTop() { top = (top - 1) & 7; }

    /** FFREE ST(i). */
    public void free(int i) { setTag(physical(i), TAG_EMPTY); }

    /**
     * Records a stack fault (SDM vol. 1 8.5.1.1): IE and SF set, C1 = 1 for overflow, 0 for underflow. Returns
     * whether IE is masked, in which case the caller writes the real indefinite to the destination.
     */
    public boolean stackFault(boolean overflow) {
        fsw = (fsw & ~FpCore.C1) | FpCore.IE | FpCore.SF | (overflow ? FpCore.C1 : 0);
        return (fcw & FpCore.IE) != 0;
    }

    /** Merges an operation's status into FSW: sticky flags ORed, C1 replaced (SDM vol. 1 8.1.3). */
    public void mergeStatus(int status) {
        fsw = (fsw & ~FpCore.C1) | (status & (0x3F | FpCore.C1));
    }

    /** Sets C0-C3 from a comparison/FXAM/FPREM result (other condition bits cleared). */
    public void setConditionCodes(int cc) {
        int mask = FpCore.C0 | FpCore.C1 | FpCore.C2 | FpCore.C3;
        fsw = (fsw & ~mask) | (cc & mask);
    }

    /** Any MMX instruction except EMMS: TOP = 0 and every tag valid (SDM vol. 1 9.5.1, table 9-2). */
    public void mmxEnter() {
        top = 0;
        tags = 0;
    }

    /** EMMS: every tag empty. */
    public void emms() { tags = 0xFFFF; }

    /** MMi is R(i)'s significand. */
    public long mmx(int i) { return sig[i & 7]; }

    /** An MMX write sets the register's exponent and sign bits (79:64) to ones (SDM vol. 1 9.5.1). */
    public void setMmx(int i, long value) {
        sig[i & 7] = value;
        se[i & 7] = 0xFFFF;
    }

    /** FXSAVE's abridged tag byte: bit i set when R(i) is not empty (SDM vol. 1 10.5.1.1). */
    public int abridgedTags() {
        int t = 0;
        for (int p = 0; p < 8; p++) if (tag(p) != TAG_EMPTY) t |= 1 << p;
        return t;
    }

    /** FXRSTOR: full tags rebuilt from the abridged byte and the register contents. */
    public void setAbridgedTags(int abridged) {
        int t = 0;
        for (int p = 0; p < 8; p++) {
            t |= ((abridged & (1 << p)) == 0 ? TAG_EMPTY : tagFor(sig[p], se[p])) << (2 * p);
        }
        tags = t;
    }

    /**
     * FXSAVE into {@code m[off..off+512)}: {@code rexW} selects FXSAVE64's 64-bit FPU IP/DP (table 3-56), otherwise
     * the 32-bit layout with CS and DS (table 3-53); {@code xmmCount} is 16 in 64-bit mode, else 8. Bytes 464-511
     * are left as they are (available to software).
     */
    public void fxsave(byte[] m, int off, boolean rexW, int xmmCount) {
        put(m, off, fcw, 2);
        put(m, off + 2, statusWord(), 2);
        m[off + 4] = (byte) abridgedTags();
        m[off + 5] = 0;
        put(m, off + 6, fop & 0x7FF, 2);
        if (rexW) {
            put(m, off + 8, fip, 8);
            put(m, off + 16, fdp, 8);
        } else {
            put(m, off + 8, fip, 4);
            put(m, off + 12, fcs & 0xFFFF, 4);
            put(m, off + 16, fdp, 4);
            put(m, off + 20, fds & 0xFFFF, 4);
        }
        put(m, off + 24, mxcsr, 4);
        put(m, off + 28, MXCSR_MASK, 4);
        for (int i = 0; i < 8; i++) {
            int o = off + 32 + 16 * i;
            put(m, o, stSig(i), 8);
            put(m, o + 8, stSe(i), 2);
            put(m, o + 10, 0, 6);
        }
        for (int i = 0; i < 16; i++) {
            int o = off + 160 + 16 * i;
            if (i < xmmCount) {
                put(m, o, xmm[2 * i], 8);
                put(m, o + 8, xmm[2 * i + 1], 8);
            } else {
                put(m, o, 0, 8);
                put(m, o + 8, 0, 8);
            }
        }
        for (int o = off + 416; o < off + 464; o++) m[o] = 0;
    }

    /**
     * FXRSTOR from {@code m[off..off+512)}. Returns false, changing nothing, when the image's MXCSR sets bits outside
     * MXCSR_MASK: the instruction then raises #GP(0) (SDM vol. 2 FXRSTOR).
     */
    public boolean fxrstor(byte[] m, int off, boolean rexW, int xmmCount) {
        int newMxcsr = (int) get(m, off + 24, 4);
        if ((newMxcsr & ~MXCSR_MASK) != 0) return false;
        fcw = (int) get(m, off, 2);
        setStatusWord((int) get(m, off + 2, 2));
        fop = (int) get(m, off + 6, 2) & 0x7FF;
        if (rexW) {
            fip = get(m, off + 8, 8);
            fdp = get(m, off + 16, 8);
            fcs = fds = 0;
        } else {
            fip = get(m, off + 8, 4);
            fcs = (int) get(m, off + 12, 2);
            fdp = get(m, off + 16, 4);
            fds = (int) get(m, off + 20, 2);
        }
        mxcsr = newMxcsr;
        for (int i = 0; i < 8; i++) {
            int o = off + 32 + 16 * i;
            int p = physical(i);
            sig[p] = get(m, o, 8);
            se[p] = (int) get(m, o + 8, 2);
        }
        setAbridgedTags(m[off + 4] & 0xFF);
        for (int i = 0; i < xmmCount; i++) {
            int o = off + 160 + 16 * i;
            xmm[2 * i] = get(m, o, 8);
            xmm[2 * i + 1] = get(m, o + 8, 8);
        }
        return true;
    }

    /** FNSTENV, 32-bit protected-mode layout (28 bytes, SDM vol. 1 figure 8-9): full tag word. */
    public void fnstenv(byte[] m, int off) {
        put(m, off, 0xFFFF0000L | fcw, 4);
        put(m, off + 4, 0xFFFF0000L | statusWord(), 4);
        put(m, off + 8, 0xFFFF0000L | fullTags(), 4);
        put(m, off + 12, fip, 4);
        put(m, off + 16, (fcs & 0xFFFF) | ((long) (fop & 0x7FF) << 16), 4);
        put(m, off + 20, fdp, 4);
        put(m, off + 24, 0xFFFF0000L | (fds & 0xFFFF), 4);
    }

    /** FLDENV, 32-bit protected-mode layout. */
    public void fldenv(byte[] m, int off) {
        fcw = (int) get(m, off, 2);
        setStatusWord((int) get(m, off + 4, 2));
        tags = (int) get(m, off + 8, 2);
        fip = get(m, off + 12, 4);
        fcs = (int) get(m, off + 16, 2);
        fop = (int) get(m, off + 18, 2) & 0x7FF;
        fdp = get(m, off + 20, 4);
        fds = (int) get(m, off + 24, 2);
    }

    /** FNSAVE (108 bytes: the environment, then ST0-ST7 as 10 bytes each), then FNINIT. */
    public void fnsave(byte[] m, int off) {
        fnstenv(m, off);
        for (int i = 0; i < 8; i++) {
            put(m, off + 28 + 10 * i, stSig(i), 8);
            put(m, off + 36 + 10 * i, stSe(i), 2);
        }
        finit();
    }

    /** FRSTOR. */
    public void frstor(byte[] m, int off) {
        fldenv(m, off);
        for (int i = 0; i < 8; i++) {
            int p = physical(i);
            sig[p] = get(m, off + 28 + 10 * i, 8);
            se[p] = (int) get(m, off + 36 + 10 * i, 2);
        }
    }

    /**
     * The tag word as FNSTENV stores it: computed from the contents for non-empty registers (SDM vol. 1 8.1.7:
     * the stored tags describe the register contents).
     */
    public int fullTags() {
        int t = 0;
        for (int p = 0; p < 8; p++) t |= (tag(p) == TAG_EMPTY ? TAG_EMPTY : tagFor(sig[p], se[p])) << (2 * p);
        return t;
    }

    /** Little-endian {@code n}-byte store into a save image (FXSAVE/FNSAVE layouts are little-endian). */
    public static void put(byte[] m, int off, long v, int n) {
        for (int i = 0; i < n; i++) m[off + i] = (byte) (v >>> (8 * i));
    }

    /** Little-endian {@code n}-byte load from a save image. */
    public static long get(byte[] m, int off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v |= (m[off + i] & 0xFFL) << (8 * i);
        return v;
    }
}
