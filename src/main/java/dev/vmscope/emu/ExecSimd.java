package dev.vmscope.emu;

import dev.vmscope.emu.softfloat.FpuState;
import dev.vmscope.emu.softfloat.Sse;
import dev.vmscope.emu.softfloat.SseConvert;

/**
 * MMX, SSE and SSE2 in the 0F map (Intel SDM Vol. 2D table A-3: the mandatory prefix none/66/F3/F2 selects the
 * instruction), FXSAVE/FXRSTOR/LDMXCSR/STMXCSR (group 15), and the 0F38/0F3A maps, which are #UD because
 * SSSE3 and SSE4 are not advertised. The packed-integer and floating-point work is in {@link SimdInt} and
 * {@link SimdFloat}; this layer decodes operands, raises the exceptions (SDM Vol. 2 section 22.x exception
 * tables: CR0.EM/CR4.OSFXSR #UD, CR0.TS #NM, misaligned m128 #GP(0), #XM/#UD for unmasked SIMD FP exceptions)
 * and writes results only after every operand has been read, so a faulting or exiting instruction changes
 * nothing and can run again.
 */
abstract class ExecSimd extends ExecX87 {
    final Sse sse = new Sse();
    /** Mandatory-prefix classes: none, 66, F3, F2. */
    static final int NP = 0, P66 = 1, F3 = 2, F2 = 3;
    /** The r/m (source) operand of the current instruction, read before anything is written. */
    private long sLo, sHi;
    private final byte[] fxImage = new byte[512];

    ExecSimd(PhysMemory phys) { super(phys); }

    /** An 0F-map SSE/MMX opcode (0F 10-17, 28-2F, 50-7F, C2-C7, D0-FF), group 15 memory forms, or 0F38/0F3A. */
    final void execSimd(Insn in) {
        if (in.op >= 0x200) throw Fault.ud();   // SSSE3, SSE4.x, MOVBE, CRC32: not advertised
        int op = in.op & 0xff;
        if (op == 0xae) { fxGroup(in); return; }
        int pfx = in.rep == 3 ? F3 : in.rep == 2 ? F2 : in.pfx66 ? P66 : NP;
        if (op == 0xc3) { movnti(in, pfx); return; }
        if (op == 0x77) {
            if (pfx != NP) throw Fault.ud();
            mmxCheck();
            fpu.emms();
            return;
        }
        if (op >= 0x60 && op <= 0x7f || op >= 0xd0 || op == 0xc4 || op == 0xc5) integer(in, op, pfx);
        else floating(in, op, pfx);
    }

    // ---- exception checks (SDM Vol. 3A 2.5 CR0.EM/TS, CR4.OSFXSR/OSXMMEXCPT; Vol. 1 11.6.2) ----

    /** MMX instructions: #UD with CR0.EM, #NM with CR0.TS, #MF for a pending unmasked x87 exception. */
    final void mmxCheck() {
        if ((cr0 & CR0_EM) != 0) throw Fault.ud();
        if ((cr0 & CR0_TS) != 0) throw Fault.of(Fault.NM);
        x87Pending();
    }

    private void x87Pending() {
        if ((cr0 & CR0_NE) != 0 && (fpu.statusWord() & 0x80) != 0) throw Fault.of(Fault.MF);
    }

    /** SSE/SSE2 instructions: #UD with CR0.EM or without CR4.OSFXSR, #NM with CR0.TS. */
    final void sseCheck() {
        if ((cr0 & CR0_EM) != 0 || (cr4 & CR4_OSFXSR) == 0) throw Fault.ud();
        if ((cr0 & CR0_TS) != 0) throw Fault.of(Fault.NM);
    }

    /** SSE instructions with an MMX register operand (CVTPI2PS...): SSE checks, then a pending x87 exception. */
    private void sseMmxCheck() {
        sseCheck();
        x87Pending();
    }

    private void fpBegin() {
        sse.setMxcsr(fpu.mxcsr);
        sse.clearStatus();
    }

    /**
     * Merges the flags into MXCSR; false when an unmasked exception suppresses the result. An unmasked
     * pre-computation exception (IE, DE, ZE) in any element stops the whole instruction before the
     * post-computation checks, so only IE/DE/ZE of all elements are recorded (SDM Vol. 1 11.5.2.1). Any
     * unmasked exception, PE included, leaves the destination unchanged (what the host CPU shows at #XM).
     */
    private boolean fpWrite() {
        int st = sse.status(), pre = Sse.IE | Sse.DE | Sse.ZE;
        if ((st & ~(fpu.mxcsr >> 7) & pre) != 0) st &= pre;
        fpu.mxcsr |= st;
        return !sse.trap();
    }

    /** An unmasked SIMD FP exception: #XM with CR4.OSXMMEXCPT, else #UD (SDM Vol. 1 11.5.1). */
    private void fpTrap() {
        if (sse.trap()) throw (cr4 & CR4_OSXMMEXCPT) != 0 ? Fault.of(Fault.XM) : Fault.ud();
    }

    private void fpEnd(int d, long lo, long hi) {
        if (fpWrite()) setX(d, lo, hi);
        fpTrap();
    }

    // ---- operands ----

    private void setX(int i, long lo, long hi) {
        fpu.xmm[2 * i] = lo;
        fpu.xmm[2 * i + 1] = hi;
    }

    private long xlo(int i) { return fpu.xmm[2 * i]; }

    private long xhi(int i) { return fpu.xmm[2 * i + 1]; }

    /** Reads xmm/m{size} into sLo/sHi; a 16-byte memory operand of an aligned form must be 16-byte aligned. */
    private void readX(Insn in, int size, boolean aligned) {
        if (in.mod == 3) { sLo = xlo(in.rm); sHi = xhi(in.rm); return; }
        long a = memAddr(in, size, false);
        if (size == 16) {
            if (aligned && (a & 15) != 0) throw Fault.gp(0);
            sLo = rd(a, 8);
            sHi = rd(a + 8, 8);   // MMIO: two 8-byte reads in order, as KVM splits them
        } else {
            sLo = rd(a, size);
            sHi = 0;
        }
    }

    /** Reads mm/m{size} (MMX registers ignore REX). */
    private long readMm(Insn in, int size) {
        if (in.mod == 3) return fpu.mmx(in.rm & 7);
        return rd(memAddr(in, size, false), size);
    }

    /** Stores 16 bytes; both pages are checked for writing first so a #PF leaves memory untouched. */
    private void store128(Insn in, long lo, long hi, boolean aligned) {
        long a = memAddr(in, 16, true);
        if (aligned && (a & 15) != 0) throw Fault.gp(0);
        if ((a & 0xfff) > 0xff0) { translate(a, ACC_WRITE); translate(a + 15, ACC_WRITE); }
        wr(a, 8, lo);
        wr(a + 8, 8, hi);
    }

    private void store(Insn in, int size, long v) { wr(memAddr(in, size, true), size, v); }

    // ---- packed integer (0F 60-7F, C4, C5, D0-FF) ----

    private void integer(Insn in, int op, int pfx) {
        switch (op) {
            case 0x6e -> movdIn(in, pfx);
            case 0x7e -> movdOut(in, pfx);
            case 0x6f -> moveLoad(in, pfx);
            case 0x7f -> moveStore(in, pfx);
            case 0x70 -> pshuf(in, pfx);
            case 0x71, 0x72, 0x73 -> shiftImm(in, op, pfx);
            case 0xc4 -> pinsrw(in, pfx);
            case 0xc5 -> pextrw(in, pfx);
            case 0xd6 -> movqD6(in, pfx);
            case 0xd7 -> pmovmskb(in, pfx);
            case 0xe6 -> convertE6(in, pfx);
            case 0xe7 -> moveNonTemporal(in, pfx);
            case 0xf7 -> maskMove(in, pfx);
            default -> {
                if (!binaryInteger(op)) throw Fault.ud();
                if (pfx == P66) xmmBinary(in, op);
                else if (pfx == NP && op != 0x6c && op != 0x6d) mmxBinary(in, op);
                else throw Fault.ud();
            }
        }
    }

    private static boolean binaryInteger(int op) {
        return SimdInt.laneWise(op) || op >= 0x60 && op <= 0x6d || isShift(op);
    }

    private static boolean isShift(int op) {
        return op >= 0xd1 && op <= 0xd3 || op == 0xe1 || op == 0xe2 || op >= 0xf1 && op <= 0xf3;
    }

    private void xmmBinary(Insn in, int op) {
        sseCheck();
        readX(in, 16, true);
        int d = in.reg;
        long a0 = xlo(d), a1 = xhi(d), b0 = sLo, b1 = sHi, r0, r1;
        int bits = SimdInt.elementBits(op);
        if (op >= 0x60 && op <= 0x62) {
            r0 = SimdInt.interleave(bits, a0, b0);
            r1 = SimdInt.interleave(bits, a0 >>> 32, b0 >>> 32);
        } else if (op >= 0x68 && op <= 0x6a) {
            r0 = SimdInt.interleave(bits, a1, b1);
            r1 = SimdInt.interleave(bits, a1 >>> 32, b1 >>> 32);
        } else if (op == 0x6c || op == 0x6d) {
            r0 = op == 0x6c ? a0 : a1;
            r1 = op == 0x6c ? b0 : b1;
        } else if (op == 0x63 || op == 0x67 || op == 0x6b) {
            r0 = SimdInt.pack(op, a0) | SimdInt.pack(op, a1) << 32;
            r1 = SimdInt.pack(op, b0) | SimdInt.pack(op, b1) << 32;
        } else if (isShift(op)) {
            r0 = SimdInt.shift(op, a0, b0);
            r1 = SimdInt.shift(op, a1, b0);
        } else {
            r0 = SimdInt.lane(op, a0, b0);
            r1 = SimdInt.lane(op, a1, b1);
        }
        setX(d, r0, r1);
    }

    private void mmxBinary(Insn in, int op) {
        mmxCheck();
        long b = readMm(in, op >= 0x60 && op <= 0x62 ? 4 : 8);   // PUNPCKLxx mm, mm/m32
        fpu.mmxEnter();
        int d = in.reg & 7;
        long a = fpu.mmx(d), r;
        int bits = SimdInt.elementBits(op);
        if (op >= 0x60 && op <= 0x62) r = SimdInt.interleave(bits, a, b);
        else if (op >= 0x68 && op <= 0x6a) r = SimdInt.interleave(bits, a >>> 32, b >>> 32);
        else if (op == 0x63 || op == 0x67 || op == 0x6b) r = SimdInt.pack(op, a) | SimdInt.pack(op, b) << 32;
        else if (isShift(op)) r = SimdInt.shift(op, a, b);
        else r = SimdInt.lane(op, a, b);
        fpu.setMmx(d, r);
    }

    /** MOVD/MOVQ mm or xmm, r/m32 (r/m64 with REX.W), zero-extended. */
    private void movdIn(Insn in, int pfx) {
        int size = in.rexW() ? 8 : 4;
        if (pfx == NP) {
            mmxCheck();
            long v = readRm(in, size);
            fpu.mmxEnter();
            fpu.setMmx(in.reg & 7, v);
        } else if (pfx == P66) {
            sseCheck();
            setX(in.reg, readRm(in, size), 0);
        } else throw Fault.ud();
    }

    /** MOVD/MOVQ r/m32/64, mm or xmm; F3: MOVQ xmm, xmm/m64. */
    private void movdOut(Insn in, int pfx) {
        int size = in.rexW() ? 8 : 4;
        switch (pfx) {
            case NP -> {
                mmxCheck();
                writeRm(in, size, fpu.mmx(in.reg & 7));
                fpu.mmxEnter();
            }
            case P66 -> {
                sseCheck();
                writeRm(in, size, xlo(in.reg));
            }
            case F3 -> {
                sseCheck();
                readX(in, 8, false);
                setX(in.reg, sLo, 0);
            }
            default -> throw Fault.ud();
        }
    }

    /** MOVQ mm, mm/m64; MOVDQA (aligned) / MOVDQU xmm, xmm/m128. */
    private void moveLoad(Insn in, int pfx) {
        if (pfx == NP) {
            mmxCheck();
            long v = readMm(in, 8);
            fpu.mmxEnter();
            fpu.setMmx(in.reg & 7, v);
        } else if (pfx == P66 || pfx == F3) {
            sseCheck();
            readX(in, 16, pfx == P66);
            setX(in.reg, sLo, sHi);
        } else throw Fault.ud();
    }

    /** MOVQ mm/m64, mm; MOVDQA / MOVDQU xmm/m128, xmm. */
    private void moveStore(Insn in, int pfx) {
        if (pfx == NP) {
            mmxCheck();
            long v = fpu.mmx(in.reg & 7);
            if (in.mod != 3) store(in, 8, v);
            fpu.mmxEnter();
            if (in.mod == 3) fpu.setMmx(in.rm & 7, v);
        } else if (pfx == P66 || pfx == F3) {
            sseCheck();
            storeX(in, in.reg, pfx == P66);
        } else throw Fault.ud();
    }

    /** xmm/m128 = xmm(reg). */
    private void storeX(Insn in, int src, boolean aligned) {
        if (in.mod == 3) setX(in.rm, xlo(src), xhi(src));
        else store128(in, xlo(src), xhi(src), aligned);
    }

    /** PSHUFW (none), PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2). */
    private void pshuf(Insn in, int pfx) {
        int imm = (int) in.imm & 0xff;
        if (pfx == NP) {
            mmxCheck();
            long s = readMm(in, 8);
            fpu.mmxEnter();
            fpu.setMmx(in.reg & 7, SimdInt.shuffleWords(s, imm));
            return;
        }
        sseCheck();
        readX(in, 16, true);
        long lo = sLo, hi = sHi;
        switch (pfx) {
            case P66 -> setX(in.reg, SimdInt.dword(lo, hi, imm & 3) | SimdInt.dword(lo, hi, imm >> 2 & 3) << 32,
                    SimdInt.dword(lo, hi, imm >> 4 & 3) | SimdInt.dword(lo, hi, imm >> 6 & 3) << 32);
            case F3 -> setX(in.reg, lo, SimdInt.shuffleWords(hi, imm));
            default -> setX(in.reg, SimdInt.shuffleWords(lo, imm), hi);
        }
    }

    /** Groups 12-14 (0F 71-73): shifts by imm8 of mm or xmm; 66 0F 73 /3 PSRLDQ and /7 PSLLDQ shift bytes. */
    private void shiftImm(Insn in, int op, int pfx) {
        int kind = in.reg & 7, n = (int) in.imm & 0xff;
        boolean bytes = op == 0x73 && (kind == 3 || kind == 7);
        boolean ok = kind == 2 || kind == 6 || kind == 4 && op != 0x73 || bytes && pfx == P66;
        if (in.mod != 3 || !ok || pfx != NP && pfx != P66) throw Fault.ud();
        int shiftOp = (kind == 2 ? 0xd0 : kind == 4 ? 0xe0 : 0xf0) | (op - 0x70);
        if (pfx == NP) {
            mmxCheck();
            fpu.mmxEnter();
            fpu.setMmx(in.rm & 7, SimdInt.shift(shiftOp, fpu.mmx(in.rm & 7), n));
            return;
        }
        sseCheck();
        int x = in.rm;
        long lo = xlo(x), hi = xhi(x);
        if (kind == 3) setX(x, SimdInt.shrBytesLo(lo, hi, n), SimdInt.shrBytesHi(hi, n));
        else if (kind == 7) setX(x, SimdInt.shlBytesLo(lo, n), SimdInt.shlBytesHi(lo, hi, n));
        else setX(x, SimdInt.shift(shiftOp, lo, n), SimdInt.shift(shiftOp, hi, n));
    }

    /** PINSRW mm/xmm, r32/m16, imm8. */
    private void pinsrw(Insn in, int pfx) {
        int imm = (int) in.imm;
        if (pfx == NP) {
            mmxCheck();
            long v = readRm(in, 2);
            fpu.mmxEnter();
            int sh = 16 * (imm & 3), d = in.reg & 7;
            fpu.setMmx(d, fpu.mmx(d) & ~(0xffffL << sh) | v << sh);
        } else if (pfx == P66) {
            sseCheck();
            long v = readRm(in, 2);
            int sh = 16 * (imm & 3), d = in.reg, i = 2 * d + (imm >> 2 & 1);
            fpu.xmm[i] = fpu.xmm[i] & ~(0xffffL << sh) | v << sh;
        } else throw Fault.ud();
    }

    /** PEXTRW r32, mm/xmm, imm8 (register source only in this map). */
    private void pextrw(Insn in, int pfx) {
        int imm = (int) in.imm;
        if (in.mod != 3) throw Fault.ud();
        if (pfx == NP) {
            mmxCheck();
            long v = fpu.mmx(in.rm & 7) >>> (16 * (imm & 3)) & 0xffff;
            fpu.mmxEnter();
            setReg(in.reg, 4, v);
        } else if (pfx == P66) {
            sseCheck();
            setReg(in.reg, 4, fpu.xmm[2 * in.rm + (imm >> 2 & 1)] >>> (16 * (imm & 3)) & 0xffff);
        } else throw Fault.ud();
    }

    /** 66: MOVQ xmm/m64, xmm; F3: MOVQ2DQ xmm, mm; F2: MOVDQ2Q mm, xmm. */
    private void movqD6(Insn in, int pfx) {
        switch (pfx) {
            case P66 -> {
                sseCheck();
                if (in.mod == 3) setX(in.rm, xlo(in.reg), 0);
                else store(in, 8, xlo(in.reg));
            }
            case F3 -> {
                if (in.mod != 3) throw Fault.ud();
                sseMmxCheck();
                long v = fpu.mmx(in.rm & 7);
                fpu.mmxEnter();
                setX(in.reg, v, 0);
            }
            case F2 -> {
                if (in.mod != 3) throw Fault.ud();
                sseMmxCheck();
                fpu.mmxEnter();
                fpu.setMmx(in.reg & 7, xlo(in.rm));
            }
            default -> throw Fault.ud();
        }
    }

    /** PMOVMSKB r32, mm/xmm. */
    private void pmovmskb(Insn in, int pfx) {
        if (in.mod != 3) throw Fault.ud();
        if (pfx == NP) {
            mmxCheck();
            int m = SimdInt.byteMask(fpu.mmx(in.rm & 7));
            fpu.mmxEnter();
            setReg(in.reg, 4, m);
        } else if (pfx == P66) {
            sseCheck();
            setReg(in.reg, 4, SimdInt.byteMask(xlo(in.rm)) | SimdInt.byteMask(xhi(in.rm)) << 8);
        } else throw Fault.ud();
    }

    /** MOVNTQ m64, mm; MOVNTDQ m128, xmm (aligned). Memory destinations only. */
    private void moveNonTemporal(Insn in, int pfx) {
        if (in.mod == 3) throw Fault.ud();
        if (pfx == NP) {
            mmxCheck();
            store(in, 8, fpu.mmx(in.reg & 7));
            fpu.mmxEnter();
        } else if (pfx == P66) {
            sseCheck();
            store128(in, xlo(in.reg), xhi(in.reg), true);
        } else throw Fault.ud();
    }

    /** MOVNTI m32/m64, r32/r64 (SSE2, a general-purpose store: no SSE state involved). */
    private void movnti(Insn in, int pfx) {
        if (in.mod == 3 || pfx != NP) throw Fault.ud();
        int size = in.rexW() ? 8 : 4;
        store(in, size, reg(in.reg, size));
    }

    /** MASKMOVQ mm1, mm2 / MASKMOVDQU xmm1, xmm2: the bytes whose mask byte has bit 7 set go to DS:rDI. */
    private void maskMove(Insn in, int pfx) {
        if (in.mod != 3 || pfx != NP && pfx != P66) throw Fault.ud();
        long dLo, dHi, mLo, mHi;
        if (pfx == NP) {
            mmxCheck();
            dLo = fpu.mmx(in.reg & 7); mLo = fpu.mmx(in.rm & 7); dHi = mHi = 0;
        } else {
            sseCheck();
            dLo = xlo(in.reg); dHi = xhi(in.reg); mLo = xlo(in.rm); mHi = xhi(in.rm);
        }
        int n = pfx == NP ? 8 : 16;
        if (((mLo | mHi) & 0x8080808080808080L) != 0) {
            long a = lin(in.seg, in.asz == 8 ? r[7] : r[7] & mask(in.asz), n, true);
            if ((a & 0xfff) + n > 4096) { translate(a, ACC_WRITE); translate(a + n - 1, ACC_WRITE); }
            for (int i = 0; i < n; i++) {
                long m = i < 8 ? mLo : mHi, d = i < 8 ? dLo : dHi;
                int sh = 8 * (i & 7);
                if ((m >>> sh & 0x80) != 0) wr(a + i, 1, d >>> sh & 0xff);
            }
        }
        if (pfx == NP) fpu.mmxEnter();
    }

    // ---- floating point and moves (0F 10-17, 28-2F, 50-5F, C2, C6) ----

    private void floating(Insn in, int op, int pfx) {
        switch (op) {
            case 0x10, 0x11, 0x28, 0x29 -> moveFloat(in, op, pfx);
            case 0x12, 0x13, 0x16, 0x17 -> moveHalf(in, op, pfx);
            case 0x14, 0x15 -> unpack(in, op, pfx);
            case 0x2a -> convert2A(in, pfx);
            case 0x2b -> {
                if (in.mod == 3 || pfx > P66) throw Fault.ud();
                sseCheck();
                store128(in, xlo(in.reg), xhi(in.reg), true);
            }
            case 0x2c, 0x2d -> convert2C(in, pfx, op == 0x2c);
            case 0x2e, 0x2f -> compareEflags(in, pfx, op == 0x2f);
            case 0x50 -> {
                if (in.mod != 3 || pfx > P66) throw Fault.ud();
                sseCheck();
                setReg(in.reg, 4, SimdFloat.signMask(xlo(in.rm), xhi(in.rm), pfx == P66));
            }
            case 0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f, 0x52, 0x53 -> arith(in, op, pfx);
            case 0x54, 0x55, 0x56, 0x57 -> logic(in, op, pfx);
            case 0x5a -> convert5A(in, pfx);
            case 0x5b -> convert5B(in, pfx);
            case 0xc2 -> compare(in, pfx);
            case 0xc6 -> shuffle(in, pfx);
            default -> throw Fault.ud();
        }
    }

    /** MOVUPS/MOVUPD/MOVSS/MOVSD (10, 11) and MOVAPS/MOVAPD (28, 29, aligned). */
    private void moveFloat(Insn in, int op, int pfx) {
        boolean aligned = op >= 0x28, load = (op & 1) == 0;
        if (aligned && pfx > P66) throw Fault.ud();
        sseCheck();
        if (pfx <= P66) {
            if (load) {
                readX(in, 16, aligned);
                setX(in.reg, sLo, sHi);
            } else storeX(in, in.reg, aligned);
            return;
        }
        int size = pfx == F3 ? 4 : 8;
        long keep = size == 4 ? 0xffffffff00000000L : 0;
        if (load) {
            readX(in, size, false);
            int d = in.reg;
            if (in.mod == 3) fpu.xmm[2 * d] = xlo(d) & keep | sLo & ~keep;
            else setX(d, sLo & ~keep, 0);               // from memory: the rest of the register is zeroed
        } else if (in.mod == 3) {
            fpu.xmm[2 * in.rm] = xlo(in.rm) & keep | xlo(in.reg) & ~keep;
        } else store(in, size, xlo(in.reg));
    }

    /** MOVLPS/MOVLPD/MOVHLPS (12), MOVLPS/MOVLPD store (13), MOVHPS/MOVHPD/MOVLHPS (16), MOVHPS/MOVHPD store (17). */
    private void moveHalf(Insn in, int op, int pfx) {
        if (pfx > P66 || pfx == P66 && in.mod == 3 || (op & 1) == 1 && in.mod == 3) throw Fault.ud();   // F2/F3: SSE3
        sseCheck();
        int d = in.reg, half = op < 0x16 ? 0 : 1;
        if ((op & 1) == 1) { store(in, 8, fpu.xmm[2 * d + half]); return; }
        long v = in.mod == 3 ? fpu.xmm[2 * in.rm + 1 - half] : rd(memAddr(in, 8, false), 8);
        fpu.xmm[2 * d + half] = v;
    }

    /** UNPCKLPS/UNPCKHPS/UNPCKLPD/UNPCKHPD. */
    private void unpack(Insn in, int op, int pfx) {
        if (pfx > P66) throw Fault.ud();
        sseCheck();
        readX(in, 16, true);
        int d = in.reg;
        long a = op == 0x14 ? xlo(d) : xhi(d), b = op == 0x14 ? sLo : sHi;
        if (pfx == P66) setX(d, a, b);
        else setX(d, a & 0xffffffffL | b << 32, a >>> 32 | b & 0xffffffff00000000L);
    }

    private void shuffle(Insn in, int pfx) {
        if (pfx > P66) throw Fault.ud();
        sseCheck();
        readX(in, 16, true);
        int d = in.reg, imm = (int) in.imm & 0xff;
        long a0 = xlo(d), a1 = xhi(d);
        if (pfx == P66) setX(d, (imm & 1) == 0 ? a0 : a1, (imm & 2) == 0 ? sLo : sHi);
        else setX(d, SimdInt.dword(a0, a1, imm & 3) | SimdInt.dword(a0, a1, imm >> 2 & 3) << 32,
                SimdInt.dword(sLo, sHi, imm >> 4 & 3) | SimdInt.dword(sLo, sHi, imm >> 6 & 3) << 32);
    }

    private void logic(Insn in, int op, int pfx) {
        if (pfx > P66) throw Fault.ud();
        sseCheck();
        readX(in, 16, true);
        int d = in.reg;
        int lop = op == 0x54 ? 0xdb : op == 0x55 ? 0xdf : op == 0x56 ? 0xeb : 0xef;
        setX(d, SimdInt.lane(lop, xlo(d), sLo), SimdInt.lane(lop, xhi(d), sHi));
    }

    /** The source size of the PS/PD/SS/SD form. */
    private static int fpSize(int pfx) { return pfx <= P66 ? 16 : pfx == F3 ? 4 : 8; }

    /** ADD/MUL/SUB/MIN/DIV/MAX/SQRT in all four forms, RSQRT/RCP in PS and SS form. */
    private void arith(Insn in, int op, int pfx) {
        if ((op == 0x52 || op == 0x53) && (pfx == P66 || pfx == F2)) throw Fault.ud();
        sseCheck();
        readX(in, fpSize(pfx), true);
        int d = in.reg;
        long a0 = xlo(d), a1 = xhi(d), r0, r1 = a1;
        fpBegin();
        switch (pfx) {
            case NP -> { r0 = SimdFloat.ps(sse, op, a0, sLo); r1 = SimdFloat.ps(sse, op, a1, sHi); }
            case P66 -> { r0 = SimdFloat.op64(sse, op, a0, sLo); r1 = SimdFloat.op64(sse, op, a1, sHi); }
            case F3 -> r0 = a0 & 0xffffffff00000000L | SimdFloat.op32(sse, op, (int) a0, (int) sLo) & 0xffffffffL;
            default -> r0 = SimdFloat.op64(sse, op, a0, sLo);
        }
        fpEnd(d, r0, r1);
    }

    /** CMPPS/CMPPD/CMPSS/CMPSD with predicate imm8[2:0]. */
    private void compare(Insn in, int pfx) {
        sseCheck();
        readX(in, fpSize(pfx), true);
        int d = in.reg, imm = (int) in.imm & 7;
        long a0 = xlo(d), a1 = xhi(d), r0, r1 = a1;
        fpBegin();
        switch (pfx) {
            case NP -> { r0 = SimdFloat.cmpps(sse, a0, sLo, imm); r1 = SimdFloat.cmpps(sse, a1, sHi, imm); }
            case P66 -> { r0 = sse.cmp64(a0, sLo, imm); r1 = sse.cmp64(a1, sHi, imm); }
            case F3 -> r0 = a0 & 0xffffffff00000000L | sse.cmp32((int) a0, (int) sLo, imm) & 0xffffffffL;
            default -> r0 = sse.cmp64(a0, sLo, imm);
        }
        fpEnd(d, r0, r1);
    }

    /** UCOMISS/UCOMISD (2E) and COMISS/COMISD (2F): ZF PF CF from the comparison, OF SF AF cleared. */
    private void compareEflags(Insn in, int pfx, boolean signalQnan) {
        if (pfx > P66) throw Fault.ud();
        sseCheck();
        readX(in, pfx == NP ? 4 : 8, false);
        int d = in.reg;
        fpBegin();
        int f = pfx == NP ? sse.comi32((int) xlo(d), (int) sLo, signalQnan) : sse.comi64(xlo(d), sLo, signalQnan);
        if (fpWrite()) setArith(f);
        fpTrap();
    }

    /** CVTPI2PS, CVTPI2PD (mm/m64), CVTSI2SS, CVTSI2SD (r/m32, r/m64 with REX.W). */
    private void convert2A(Insn in, int pfx) {
        int d = in.reg;
        long a0 = xlo(d), a1 = xhi(d), r0, r1 = a1;
        if (pfx <= P66) {
            sseMmxCheck();
            long v = readMm(in, 8);
            if (in.mod == 3) fpu.mmxEnter();
            fpBegin();
            if (pfx == NP) r0 = SimdFloat.intsToSingles(sse, v);
            else {
                r0 = SseConvert.intToDouble(sse, (int) v);
                r1 = SseConvert.intToDouble(sse, (int) (v >> 32));
            }
        } else {
            sseCheck();
            int size = in.rexW() ? 8 : 4;
            long v = readRm(in, size);
            if (size == 4) v = (int) v;
            fpBegin();
            r0 = pfx == F3 ? a0 & 0xffffffff00000000L | SseConvert.intToSingle(sse, v) & 0xffffffffL
                    : SseConvert.intToDouble(sse, v);
        }
        fpEnd(d, r0, r1);
    }

    /** CVT(T)PS2PI, CVT(T)PD2PI (to mm), CVT(T)SS2SI, CVT(T)SD2SI (to r32, r64 with REX.W). */
    private void convert2C(Insn in, int pfx, boolean truncate) {
        if (pfx <= P66) {
            sseMmxCheck();
            readX(in, pfx == NP ? 8 : 16, true);
            fpBegin();
            long v = pfx == NP ? SimdFloat.singlesToInts(sse, sLo, truncate)
                    : SimdFloat.doublesToInts(sse, sLo, sHi, truncate);
            fpu.mmxEnter();
            if (fpWrite()) fpu.setMmx(in.reg & 7, v);
        } else {
            sseCheck();
            readX(in, pfx == F3 ? 4 : 8, false);
            int size = in.rexW() ? 8 : 4;
            fpBegin();
            long v = pfx == F3 ? SseConvert.singleToInt(sse, (int) sLo, size * 8, truncate)
                    : SseConvert.doubleToInt(sse, sLo, size * 8, truncate);
            if (fpWrite()) setReg(in.reg, size, v);
        }
        fpTrap();
    }

    /** CVTPS2PD (m64), CVTPD2PS (m128), CVTSS2SD (m32), CVTSD2SS (m64). */
    private void convert5A(Insn in, int pfx) {
        sseCheck();
        readX(in, pfx == P66 ? 16 : pfx == F3 ? 4 : 8, true);
        int d = in.reg;
        long a0 = xlo(d), r0, r1 = xhi(d);
        fpBegin();
        switch (pfx) {
            case NP -> {
                r0 = SseConvert.toDouble(sse, (int) sLo);
                r1 = SseConvert.toDouble(sse, (int) (sLo >>> 32));
            }
            case P66 -> { r0 = SimdFloat.doublesToSingles(sse, sLo, sHi); r1 = 0; }
            case F3 -> r0 = SseConvert.toDouble(sse, (int) sLo);
            default -> r0 = a0 & 0xffffffff00000000L | SseConvert.toSingle(sse, sLo) & 0xffffffffL;
        }
        fpEnd(d, r0, r1);
    }

    /** CVTDQ2PS (none), CVTPS2DQ (66), CVTTPS2DQ (F3). */
    private void convert5B(Insn in, int pfx) {
        if (pfx == F2) throw Fault.ud();
        sseCheck();
        readX(in, 16, true);
        fpBegin();
        long r0, r1;
        if (pfx == NP) {
            r0 = SimdFloat.intsToSingles(sse, sLo);
            r1 = SimdFloat.intsToSingles(sse, sHi);
        } else {
            r0 = SimdFloat.singlesToInts(sse, sLo, pfx == F3);
            r1 = SimdFloat.singlesToInts(sse, sHi, pfx == F3);
        }
        fpEnd(in.reg, r0, r1);
    }

    /** CVTTPD2DQ (66), CVTDQ2PD (F3, m64), CVTPD2DQ (F2). */
    private void convertE6(Insn in, int pfx) {
        if (pfx == NP) throw Fault.ud();
        sseCheck();
        readX(in, pfx == F3 ? 8 : 16, true);
        fpBegin();
        long r0, r1 = 0;
        if (pfx == F3) {
            r0 = SseConvert.intToDouble(sse, (int) sLo);
            r1 = SseConvert.intToDouble(sse, (int) (sLo >> 32));
        } else r0 = SimdFloat.doublesToInts(sse, sLo, sHi, pfx == P66);
        fpEnd(in.reg, r0, r1);
    }

    // ---- group 15 memory forms: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR (SDM Vol. 2A FXSAVE, FXRSTOR, LDMXCSR) ----

    private void fxGroup(Insn in) {
        int kind = in.reg & 7;
        if (kind > 3 || in.rep != 0) throw Fault.ud();   // XSAVE family (/4-/6) is not advertised
        if (kind >= 2) {
            sseCheck();
            if (kind == 3) { store(in, 4, fpu.mxcsr); return; }
            long v = rd(memAddr(in, 4, false), 4);
            if ((v & ~(long) FpuState.MXCSR_MASK) != 0) throw Fault.gp(0);
            fpu.mxcsr = (int) v;
            return;
        }
        if ((cr0 & (CR0_EM | CR0_TS)) != 0) throw Fault.of(Fault.NM);
        boolean save = kind == 0;
        long a = memAddr(in, 512, save);
        if ((a & 15) != 0) throw Fault.gp(0);
        translate(a, save ? ACC_WRITE : ACC_READ);            // every page first: a #PF changes nothing
        translate(a + 511, save ? ACC_WRITE : ACC_READ);
        byte[] m = fxImage;
        int xmmCount = code64 ? 16 : 8;
        if (save) {
            fpu.fxsave(m, 0, in.rexW(), xmmCount);
            for (int o = 0; o < 464; o += 8) wr(a + o, 8, getLong(m, o));   // bytes 464-511 stay as they are
            return;
        }
        for (int o = 0; o < 416; o += 8) putLong(m, o, rd(a + o, 8));      // 416-511: reserved / software
        if (!fpu.fxrstor(m, 0, in.rexW(), xmmCount)) throw Fault.gp(0);
    }

    private static long getLong(byte[] m, int o) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | m[o + i] & 0xff;
        return v;
    }

    private static void putLong(byte[] m, int o, long v) {
        for (int i = 0; i < 8; i++) m[o + i] = (byte) (v >>> (8 * i));
    }
}
