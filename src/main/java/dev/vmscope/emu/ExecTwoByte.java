package dev.vmscope.emu;

/**
 * The 0F opcode map (Intel SDM Vol. 2D table A-3) for the general-purpose and system instructions CPUID
 * advertises. MMX/SSE encodings and the 0F38/0F3A maps go to {@code ExecSimd}; undefined encodings #UD.
 */
abstract class ExecTwoByte extends ExecSimd {
    CpuidModel cpuid;

    ExecTwoByte(PhysMemory phys) { super(phys); }

    final void execTwoByte(Insn in) {
        int op = in.op & 0xff;
        if (in.op >= 0x200) { execSimd(in); return; }
        if (op >= 0x80 && op <= 0x8f) {
            if (cond(op & 15)) jumpRel(in, immZ(in));
        } else if (op >= 0x40 && op <= 0x4f) {
            long v = readRm(in, in.osz);
            if (cond(op & 15)) writeReg(in, in.osz, v);
            else if (in.osz == 4) setReg(in.reg, 4, r[in.reg]);
        } else if (op >= 0x90 && op <= 0x9f) {
            writeRm(in, 1, cond(op & 15) ? 1 : 0);
        } else if (op >= 0xc8 && op <= 0xcf) {
            int rg = op & 7 | (in.rex & 1) << 3;
            setReg(rg, in.osz, in.osz == 8 ? Long.reverseBytes(r[rg]) : in.osz == 4 ? Integer.reverseBytes((int) r[rg]) & 0xffffffffL : 0);
        } else if (op < 0x40) row0(in, op);
        else if (op >= 0xa0 && op < 0xc8) rowA(in, op);
        else if (op == 0xff) throw Fault.ud();   // UD0 (SDM Vol. 2B UD): not an SSE encoding
        else execSimd(in);
    }

    private void row0(Insn in, int op) {
        switch (op) {
            case 0x00 -> group6(in);
            case 0x01 -> group7(in);
            case 0x02, 0x03 -> larLsl(in, op == 0x02);
            case 0x05 -> { syscall(next); next = rip; }   // SYSCALL jumps to IA32_LSTAR
            case 0x06 -> { requireCpl0(); cr0 &= ~CR0_TS; }
            case 0x07 -> { sysret(in.rexW()); next = rip; }
            case 0x08, 0x09 -> requireCpl0();
            case 0x0b -> throw Fault.ud();
            case 0x0d, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f -> { }   // prefetch, hint NOPs, ENDBR
            case 0x20, 0x22 -> movCr(in, op == 0x22);
            case 0x21, 0x23 -> movDr(in, op == 0x23);
            case 0x30 -> { requireCpl0(); writeMsr((int) r[1], (r[2] & 0xffffffffL) << 32 | r[0] & 0xffffffffL); }
            case 0x31 -> rdtsc(false);
            case 0x32 -> {
                requireCpl0();
                long v = readMsr((int) r[1]);
                setReg(0, 4, v);
                setReg(2, 4, v >>> 32);
            }
            case 0x33 -> throw Fault.gp(0);
            case 0x34 -> { sysenter(); next = rip; }
            case 0x35 -> { sysexit(in.rexW()); next = rip; }
            default -> {
                if (op >= 0x10 && op < 0x18 || op >= 0x28) { execSimd(in); return; }
                throw Fault.ud();
            }
        }
    }

    private void rdtsc(boolean withAux) {
        if ((cr4 & CR4_TSD) != 0 && protectedMode && cpl != 0) throw Fault.gp(0);
        long t = tsc();
        setReg(0, 4, t);
        setReg(2, 4, t >>> 32);
        if (withAux) setReg(1, 4, tscAux);
    }

    private void movCr(Insn in, boolean write) {
        requireCpl0();
        int n = in.reg;
        int size = code64 ? 8 : 4;
        if (write) writeCr(n, reg(in.rm, size));
        else setReg(in.rm, size, readCr(n));
    }

    private void movDr(Insn in, boolean write) {
        requireCpl0();
        if (in.reg > 7) throw Fault.ud();
        int size = code64 ? 8 : 4;
        if (write) writeDr(in.reg, reg(in.rm, size));
        else setReg(in.rm, size, readDr(in.reg));
    }

    private void group6(Insn in) {
        if (!protectedMode || (flags & VM) != 0) throw Fault.ud();
        switch (in.reg & 7) {
            case 0 -> writeRm(in, in.mod == 3 ? in.osz : 2, segSel[LDTR]);
            case 1 -> writeRm(in, in.mod == 3 ? in.osz : 2, segSel[TR]);
            case 2 -> lldt((int) readRm(in, 2));
            case 3 -> ltr((int) readRm(in, 2));
            case 4, 5 -> verify(in, (in.reg & 7) == 5);
            default -> throw Fault.ud();
        }
    }

    /** A selector operand of VERR/VERW/LAR/LSL and its descriptor. */
    private record Probe(int sel, long desc) {}

    /**
     * Reads the selector operand and clears ZF (the answer when nothing else is said); null for a null
     * selector or one whose descriptor cannot be read, which these instructions report by ZF, not a fault.
     */
    private Probe probe(Insn in) {
        int sel = (int) readRm(in, 2);
        getFlags();
        flags &= ~ZF;
        if ((sel & 0xfffc) == 0) return null;
        try {
            return new Probe(sel, descriptor(sel, Fault.GP));
        } catch (Fault f) {
            return null;
        }
    }

    private void verify(Insn in, boolean write) {
        Probe p = probe(in);
        if (p == null) return;
        int sel = p.sel();
        long d = p.desc();
        int a = descAttr(d), dpl = a >> 5 & 3;
        if ((a & A_S) == 0) return;
        boolean code = (a & A_CODE) != 0, conforming = code && (a & 4) != 0;
        if (!conforming && (dpl < cpl || dpl < (sel & 3))) return;
        boolean ok = write ? !code && (a & 2) != 0 : !code || (a & 2) != 0;
        if (ok) flags |= ZF;
    }

    private void larLsl(Insn in, boolean lar) {
        if (!protectedMode) throw Fault.ud();
        Probe p = probe(in);
        if (p == null) return;
        int sel = p.sel();
        long d = p.desc();
        int a = descAttr(d), dpl = a >> 5 & 3, type = a & 0x1f;
        boolean conforming = (a & (A_S | A_CODE | 4)) == (A_S | A_CODE | 4);
        if (!conforming && (dpl < cpl || dpl < (sel & 3))) return;
        if ((a & A_S) == 0 && !(type == 1 || type == 2 || type == 3 || type == 9 || type == 0xb || lar && (type == 4 || type == 5 || type == 0xc)))
            return;
        flags |= ZF;
        writeReg(in, in.osz, lar ? d >>> 32 & 0x00f0ff00L : descLimit(d));
    }

    private void group7(Insn in) {
        int reg = in.reg & 7;
        if (in.mod == 3) {
            int modrm = 0xc0 | reg << 3 | (in.rm & 7);
            switch (modrm) {
                case 0xf8 -> swapgs();
                case 0xf9 -> rdtsc(true);
                default -> {
                    if (reg == 4) writeRm(in, in.osz, cr0 & 0xffff);
                    else if (reg == 6) lmsw(readRm(in, 2));
                    else throw Fault.ud();
                }
            }
            return;
        }
        switch (reg) {
            case 0, 1 -> {
                if (protectedMode && cpl != 0 && (cr4 & (1L << 11)) != 0) throw Fault.gp(0);
                long a = ea(in);
                int limitOnly = reg == 0 ? gdtLimit : idtLimit;
                long base = reg == 0 ? gdtBase : idtBase;
                wr(lin(in.seg, a, 2, true), 2, limitOnly);
                int bs = code64 ? 8 : 4;
                wr(lin(in.seg, a + 2, bs, true), bs, in.osz == 2 && !code64 ? base & 0xffffff : base);
            }
            case 2, 3 -> {
                requireCpl0();
                long a = ea(in);
                int limit = (int) rd(lin(in.seg, a, 2, false), 2);
                int bs = code64 ? 8 : 4;
                long base = rd(lin(in.seg, a + 2, bs, false), bs);
                if (!code64 && in.osz == 2) base &= 0xffffff;
                if (code64 && !canonical(base)) throw Fault.gp(0);
                if (reg == 2) { gdtBase = base; gdtLimit = limit; }
                else { idtBase = base; idtLimit = limit; }
            }
            case 4 -> writeRm(in, 2, cr0 & 0xffff);
            case 6 -> lmsw(readRm(in, 2));
            case 7 -> {
                requireCpl0();
                invlpg(ea(in) + (code64 && in.seg < FS ? 0 : segBase[in.seg]));
            }
            default -> throw Fault.ud();
        }
    }

    private void lmsw(long v) {
        requireCpl0();
        writeCr0(cr0 & ~0xeL | v & 0xf | cr0 & CR0_PE);
    }

    private void rowA(Insn in, int op) {
        switch (op) {
            case 0xa0, 0xa8 -> push(segSel[op == 0xa0 ? FS : GS], in.osz);
            case 0xa1, 0xa9 -> popSeg(in, op == 0xa1 ? FS : GS);
            case 0xa2 -> {
                int[] v = cpuid.query((int) r[0], (int) r[1]);
                setReg(0, 4, v[0] & 0xffffffffL);
                setReg(3, 4, v[1] & 0xffffffffL);
                setReg(1, 4, v[2] & 0xffffffffL);
                setReg(2, 4, v[3] & 0xffffffffL);
            }
            case 0xa3, 0xab, 0xb3, 0xbb -> bitOp(in, (op >> 3) & 3, readReg(in, in.osz), true);
            case 0xba -> {
                if ((in.reg & 7) < 4) throw Fault.ud();
                bitOp(in, in.reg & 3, in.imm, false);
            }
            case 0xa4, 0xa5, 0xac, 0xad -> {
                int count = (op & 1) == 0 ? (int) in.imm : (int) r[1] & 0xff;
                rmwWrite(in, in.osz, shiftDouble(op < 0xa8, rmwRead(in, in.osz), readReg(in, in.osz), count, in.osz));
            }
            case 0xae -> group15(in);
            case 0xaf -> writeReg(in, in.osz, imul2(readReg(in, in.osz), readRm(in, in.osz), in.osz));
            case 0xb0, 0xb1 -> cmpxchg(in, op == 0xb0 ? 1 : in.osz);
            case 0xb2 -> loadFarPointerTo(in, SS);
            case 0xb4 -> loadFarPointerTo(in, FS);
            case 0xb5 -> loadFarPointerTo(in, GS);
            case 0xb6, 0xb7 -> writeReg(in, in.osz, readRm(in, op == 0xb6 ? 1 : 2));
            case 0xbe, 0xbf -> writeReg(in, in.osz, signExtend(readRm(in, op == 0xbe ? 1 : 2), op == 0xbe ? 1 : 2));
            case 0xb8 -> {
                if (in.rep != 3) throw Fault.ud();
                writeReg(in, in.osz, popcnt(readRm(in, in.osz), in.osz));
            }
            case 0xbc, 0xbd -> writeReg(in, in.osz, bitScan(op == 0xbd, readRm(in, in.osz), readReg(in, in.osz), in.osz));
            case 0xc0, 0xc1 -> {
                int size = op == 0xc0 ? 1 : in.osz;
                long d = rmwRead(in, size), s = readReg(in, size);
                long sum = alu(0, d, s, size);
                writeReg(in, size, d);
                rmwWrite(in, size, sum);
            }
            case 0xc7 -> group9(in);
            case 0xb9, 0xff -> throw Fault.ud();
            case 0xc2, 0xc3, 0xc4, 0xc5, 0xc6 -> execSimd(in);   // CMPPS.., MOVNTI, PINSRW, PEXTRW, SHUFPS
            default -> throw new EmuFailure("0F instruction not implemented");
        }
    }

    /** BT/BTS/BTR/BTC: a register bit offset addresses memory beyond the operand (SDM Vol. 2A BT). */
    private void bitOp(Insn in, int kind, long offset, boolean regOffset) {
        int size = in.osz, bits = size * 8;
        getFlags();
        if (in.mod == 3 || !regOffset) {
            int bit = (int) (offset & (bits - 1));
            long v = kind == 0 ? readRm(in, size) : rmwRead(in, size);
            flags = flags & ~CF | (v >>> bit & 1);
            if (kind != 0) rmwWrite(in, size, kind == 1 ? v | 1L << bit : kind == 2 ? v & ~(1L << bit) : v ^ 1L << bit);
            return;
        }
        long sOff = signExtend(offset, size);
        long a = ea(in) + (sOff >> (31 - Integer.numberOfLeadingZeros(bits))) * size;
        int bit = (int) (sOff & (bits - 1));
        long at = lin(in.seg, in.asz == 8 ? a : a & mask(in.asz), size, kind != 0);
        long v = kind == 0 ? rd(at, size) : rdForWrite(at, size);
        flags = flags & ~CF | (v >>> bit & 1);
        if (kind != 0) wr(at, size, kind == 1 ? v | 1L << bit : kind == 2 ? v & ~(1L << bit) : v ^ 1L << bit);
    }

    private void cmpxchg(Insn in, int size) {
        long d = rmwRead(in, size);
        long acc = reg(0, size);
        alu(7, acc, d, size);
        if ((acc & mask(size)) == d) rmwWrite(in, size, readReg(in, size));
        else {
            // Memory gets its own value back (SDM Vol. 2A CMPXCHG: a write cycle either way); a register
            // destination is left alone, its upper half included (a 32-bit write would zero-extend it).
            if (in.mod != 3) rmwWrite(in, size, d);
            setReg(0, size, d);
        }
    }

    private void group9(Insn in) {
        if ((in.reg & 7) != 1 || in.mod == 3) throw Fault.ud();
        getFlags();
        if (in.rexW()) {
            long a = memAddr(in, 16, true);
            if ((a & 15) != 0) throw Fault.gp(0);
            long lo = rdForWrite(a, 8), hi = rdForWrite(a + 8, 8);
            if (lo == r[0] && hi == r[2]) {
                wr(a, 8, r[3]);
                wr(a + 8, 8, r[1]);
                flags |= ZF;
            } else {
                wr(a, 8, lo);
                wr(a + 8, 8, hi);
                r[0] = lo;
                r[2] = hi;
                flags &= ~ZF;
            }
            return;
        }
        long a = memAddr(in, 8, true);
        long v = rdForWrite(a, 8);
        long cmp = (r[2] & 0xffffffffL) << 32 | r[0] & 0xffffffffL;
        if (v == cmp) {
            wr(a, 8, (r[1] & 0xffffffffL) << 32 | r[3] & 0xffffffffL);
            flags |= ZF;
        } else {
            wr(a, 8, v);
            setReg(0, 4, v);
            setReg(2, 4, v >>> 32);
            flags &= ~ZF;
        }
    }

    private void group15(Insn in) {
        int reg = in.reg & 7;
        if (in.mod == 3) {
            if (reg >= 5) return;   // LFENCE, MFENCE, SFENCE: accesses are already in order here
            throw Fault.ud();
        }
        if (reg == 7) {   // CLFLUSH: checks the address like a byte read
            memAddr(in, 1, false);
            translate(memAddr(in, 1, false), ACC_READ);
            return;
        }
        execSimd(in);   // FXSAVE, FXRSTOR, LDMXCSR, STMXCSR; XSAVE family not implemented
    }
}
