package dev.vmscope.emu;

/**
 * The one-byte opcode map (Intel SDM Vol. 2D table A-2), split by rows into small methods so HotSpot compiles
 * each. System-flavoured one-byte instructions (far transfers, INT, IRET, HLT, port I/O) are in ExecSystem.
 */
abstract class ExecMain extends ExecOperands {
    ExecMain(PhysMemory phys) { super(phys); }

    final void execOneByte(Insn in) {
        int op = in.op;
        if (op < 0x40) {
            if ((op & 7) < 6) aluForm(in, op);
            else row0(in, op);
        } else if (op < 0x80) row4(in, op);
        else if (op < 0xc0) row8(in, op);
        else rowC(in, op);
    }

    private void aluForm(Insn in, int op) {
        int alu = op >> 3;
        switch (op & 7) {
            case 0, 1 -> {
                int size = (op & 1) == 0 ? 1 : in.osz;
                long b = readReg(in, size);
                if (alu == 7) alu(7, readRm(in, size), b, size);
                else rmwWrite(in, size, alu(alu, rmwRead(in, size), b, size));
            }
            case 2, 3 -> {
                int size = (op & 1) == 0 ? 1 : in.osz;
                long res = alu(alu, readReg(in, size), readRm(in, size), size);
                if (alu != 7) writeReg(in, size, res);
            }
            case 4 -> {
                long res = alu(alu, r[0], in.imm, 1);
                if (alu != 7) setReg(0, 1, res);
            }
            default -> {
                long res = alu(alu, r[0], immZ(in), in.osz);
                if (alu != 7) setReg(0, in.osz, res);
            }
        }
    }

    private void row0(Insn in, int op) {
        switch (op) {
            case 0x06, 0x0e, 0x16, 0x1e -> push(segSel[op >> 3], in.osz);
            case 0x07, 0x17, 0x1f -> popSeg(in, op >> 3);
            case 0x27 -> decimalAdjust(false);
            case 0x2f -> decimalAdjust(true);
            case 0x37 -> asciiAdjust(false);
            case 0x3f -> asciiAdjust(true);
            default -> throw Fault.ud();
        }
    }

    final void popSeg(Insn in, int s) {
        long v = peek(0, in.osz);
        loadSeg(s, (int) v & 0xffff);
        setReg(4, stackSize, r[4] + in.osz);
        if (s == SS) interruptShadow = true;   // POP SS blocks interrupts for one instruction, as MOV SS does
    }

    private void row4(Insn in, int op) {
        switch (op >> 3) {
            case 8 -> setReg(op & 7, in.osz, inc(r[op & 7], in.osz));
            case 9 -> setReg(op & 7, in.osz, dec(r[op & 7], in.osz));
            case 10 -> push(reg(op & 7 | (in.rex & 1) << 3, in.osz), in.osz);
            case 11 -> {
                int rg = op & 7 | (in.rex & 1) << 3;
                long v = pop(in.osz);
                setReg(rg, in.osz, v);
            }
            case 14, 15 -> { if (cond(op & 15)) jumpRel(in, (byte) in.imm); }
            default -> row6(in, op);
        }
    }

    private void row6(Insn in, int op) {
        switch (op) {
            case 0x60 -> {
                long sp = r[4];
                for (int k = 0; k < 8; k++) push(k == 4 ? sp : r[k], in.osz);
            }
            case 0x61 -> {
                long[] v = new long[8];
                for (int k = 0; k < 8; k++) v[k] = peek((long) k * in.osz, in.osz);
                for (int k = 0; k < 8; k++) if (k != 3) setReg(7 - k, in.osz, v[k]);
                setReg(4, stackSize, r[4] + 8L * in.osz);
            }
            case 0x62 -> {
                if (in.mod == 3) throw Fault.ud();
                long a = memAddr(in, in.osz, false);
                long idx = signExtend(readReg(in, in.osz), in.osz);
                long lo = signExtend(rd(a, in.osz), in.osz), hi = signExtend(rd(lin(in.seg, ea(in) + in.osz, in.osz, false), in.osz), in.osz);
                if (idx < lo || idx > hi) throw Fault.of(Fault.BR);
            }
            case 0x63 -> {
                if (code64) writeReg(in, in.osz, signExtend(readRm(in, 4), 4));
                else arpl(in);
            }
            case 0x68 -> push(immZ(in), in.osz);
            case 0x6a -> push((byte) in.imm, in.osz);
            case 0x69 -> writeReg(in, in.osz, imul2(readRm(in, in.osz), immZ(in), in.osz));
            case 0x6b -> writeReg(in, in.osz, imul2(readRm(in, in.osz), (byte) in.imm, in.osz));
            case 0x6c, 0x6d -> ins(in);
            case 0x6e, 0x6f -> outs(in);
            default -> throw Fault.ud();
        }
    }

    private void arpl(Insn in) {
        if (!protectedMode) throw Fault.ud();
        long dst = rmwRead(in, 2);
        long src = readReg(in, 2);
        getFlags();
        if ((dst & 3) < (src & 3)) {
            rmwWrite(in, 2, dst & ~3L | src & 3);
            flags |= ZF;
        } else flags &= ~ZF;
    }

    private void row8(Insn in, int op) {
        switch (op) {
            case 0x80, 0x82 -> group1(in, 1, in.imm);
            case 0x81 -> group1(in, in.osz, immZ(in));
            case 0x83 -> group1(in, in.osz, (byte) in.imm);
            case 0x84, 0x85 -> {
                int size = op == 0x84 ? 1 : in.osz;
                alu(4, readRm(in, size), readReg(in, size), size);
            }
            case 0x86, 0x87 -> {
                int size = op == 0x86 ? 1 : in.osz;
                long a = rmwRead(in, size), b = readReg(in, size);
                rmwWrite(in, size, b);
                writeReg(in, size, a);
            }
            case 0x88 -> writeRm(in, 1, readReg(in, 1));
            case 0x89 -> writeRm(in, in.osz, readReg(in, in.osz));
            case 0x8a -> writeReg(in, 1, readRm(in, 1));
            case 0x8b -> writeReg(in, in.osz, readRm(in, in.osz));
            case 0x8c -> {
                if ((in.reg & 7) > 5) throw Fault.ud();
                writeRm(in, in.mod == 3 ? in.osz : 2, segSel[in.reg & 7]);
            }
            case 0x8d -> {
                if (in.mod == 3) throw Fault.ud();
                writeReg(in, in.osz, ea(in));
            }
            case 0x8e -> {
                int s = in.reg & 7;
                if (s == CS || s > 5) throw Fault.ud();
                loadSeg(s, (int) readRm(in, 2));
                if (s == SS) interruptShadow = true;
            }
            case 0x8f -> popRm(in);
            default -> row9(in, op);
        }
    }

    /** Group 1 (80-83): the ALU operation is the ModRM reg field; CMP only reads. */
    private void group1(Insn in, int size, long imm) {
        int alu = in.reg & 7;
        if (alu == 7) alu(7, readRm(in, size), imm, size);
        else rmwWrite(in, size, alu(alu, rmwRead(in, size), imm, size));
    }

    /** POP r/m: the value is read first and RSP incremented before the destination address is computed. */
    private void popRm(Insn in) {
        if ((in.reg & 7) != 0) throw Fault.ud();
        long v = peek(0, in.osz);
        long oldSp = r[4];
        setReg(4, stackSize, r[4] + in.osz);
        try {
            writeRm(in, in.osz, v);
        } catch (RuntimeException e) {
            r[4] = oldSp;
            throw e;
        }
    }

    private void row9(Insn in, int op) {
        switch (op) {
            case 0x90 -> {
                if ((in.rex & 1) != 0) xchgAx(in, 8);
            }
            case 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 -> xchgAx(in, op & 7 | (in.rex & 1) << 3);
            case 0x98 -> setReg(0, in.osz, signExtend(r[0], in.osz / 2));
            case 0x99 -> setReg(2, in.osz, (signExtend(r[0], in.osz) < 0) ? -1 : 0);
            case 0x9b -> fwait();
            case 0x9c -> push(getFlags() & ~(VM | RF), in.osz);
            case 0x9d -> {
                long v = peek(0, in.osz);
                writeFlags(v, in.osz, false);
                setReg(4, stackSize, r[4] + in.osz);
            }
            case 0x9e -> setArith(getFlags() & ~0xffL | (r[0] >>> 8) & 0xd5 | 2);
            case 0x9f -> setReg8(4, false, getFlags() & 0xd7 | 2);
            case 0xa0, 0xa1, 0xa2, 0xa3 -> moffs(in, op);
            case 0xa8 -> alu(4, r[0], in.imm, 1);
            case 0xa9 -> alu(4, r[0], immZ(in), in.osz);
            default -> {
                if (op >= 0xb0 && op < 0xb8) setReg8(op & 7 | (in.rex & 1) << 3, in.rex != 0, in.imm);
                else if (op >= 0xb8) setReg(op & 7 | (in.rex & 1) << 3, in.osz, in.imm);
                else if (op >= 0xa4) string(in);
                else execSystemOneByte(in);
            }
        }
    }

    private void xchgAx(Insn in, int rg) {
        long a = reg(0, in.osz), b = reg(rg, in.osz);
        setReg(0, in.osz, b);
        setReg(rg, in.osz, a);
    }

    private void moffs(Insn in, int op) {
        int size = (op & 1) == 0 ? 1 : in.osz;
        long off = in.asz == 8 ? in.imm : in.imm & mask(in.asz);
        if (op < 0xa2) setReg(0, size, rd(lin(in.seg, off, size, false), size));
        else wr(lin(in.seg, off, size, true), size, r[0]);
    }

    private void rowC(Insn in, int op) {
        switch (op) {
            case 0xc0, 0xc1 -> {
                int size = op == 0xc0 ? 1 : in.osz;
                rmwWrite(in, size, shift(in.reg & 7, rmwRead(in, size), (int) in.imm, size));
            }
            case 0xd0, 0xd1, 0xd2, 0xd3 -> {
                int size = (op & 1) == 0 ? 1 : in.osz;
                int count = op < 0xd2 ? 1 : (int) r[1] & 0xff;
                rmwWrite(in, size, shift(in.reg & 7, rmwRead(in, size), count, size));
            }
            case 0xc2, 0xc3 -> {
                long t = peek(0, in.osz);
                jumpNear(t, in.osz);
                setReg(4, stackSize, r[4] + in.osz + (op == 0xc2 ? in.imm : 0));
            }
            case 0xc6, 0xc7 -> {
                if ((in.reg & 7) != 0) throw Fault.ud();
                int size = op == 0xc6 ? 1 : in.osz;
                writeRm(in, size, op == 0xc6 ? in.imm : immZ(in));
            }
            case 0xc8 -> enter(in);
            case 0xc9 -> {
                long bp = r[5] & mask(stackSize);
                long v = rd(lin(SS, bp, in.osz, false), in.osz);
                setReg(4, stackSize, bp + in.osz);
                setReg(5, in.osz, v);
            }
            case 0xd4 -> aam((int) in.imm);
            case 0xd5 -> aad((int) in.imm);
            case 0xd6 -> setReg(0, 1, cf() ? 0xff : 0);
            case 0xd7 -> setReg(0, 1, rd(lin(in.seg, (r[3] + (r[0] & 0xff)) & mask(in.asz), 1, false), 1));
            case 0xe0, 0xe1, 0xe2, 0xe3 -> loop(in, op);
            case 0xe8 -> {
                long ret = next;
                jumpRel(in, immZ(in));
                push(ret, in.osz);
            }
            case 0xe9 -> jumpRel(in, immZ(in));
            case 0xeb -> jumpRel(in, (byte) in.imm);
            case 0xf5 -> { getFlags(); flags ^= CF; }
            case 0xf6, 0xf7 -> group3(in, op == 0xf6 ? 1 : in.osz);
            case 0xf8 -> { getFlags(); flags &= ~CF; }
            case 0xf9 -> { getFlags(); flags |= CF; }
            case 0xfc -> flags &= ~DF;
            case 0xfd -> flags |= DF;
            case 0xfe -> group4(in);
            case 0xff -> group5(in);
            default -> execSystemOneByte(in);
        }
    }

    private void loop(Insn in, int op) {
        long m = mask(in.asz);
        if (op == 0xe3) {
            if ((r[1] & m) == 0) jumpRel(in, (byte) in.imm);
            return;
        }
        long c = (r[1] - 1) & m;
        setReg(1, in.asz, c);
        boolean take = c != 0 && (op == 0xe2 || (op == 0xe1) == zf());
        if (take) jumpRel(in, (byte) in.imm);
    }

    private void enter(Insn in) {
        int size = (int) in.imm, level = (int) in.imm2 & 31, osz = in.osz;
        long m = mask(stackSize);
        long sp = r[4] & m;
        sp = (sp - osz) & m;
        wr(lin(SS, sp, osz, true), osz, r[5]);
        long frame = sp, bp = r[5];
        for (int k = 1; k < level; k++) {
            bp = (bp - osz) & mask(stackSize);
            long v = rd(lin(SS, bp, osz, false), osz);
            sp = (sp - osz) & m;
            wr(lin(SS, sp, osz, true), osz, v);
        }
        if (level > 0) {
            sp = (sp - osz) & m;
            wr(lin(SS, sp, osz, true), osz, frame);
        }
        sp = (sp - size) & m;
        lin(SS, sp, 1, true);
        setReg(5, osz, frame);
        setReg(4, stackSize, sp);
    }

    private void group3(Insn in, int size) {
        switch (in.reg & 7) {
            case 0, 1 -> alu(4, readRm(in, size), size == 1 ? in.imm : immZ(in), size);
            case 2 -> rmwWrite(in, size, ~rmwRead(in, size) & mask(size));
            case 3 -> rmwWrite(in, size, neg(rmwRead(in, size), size));
            case 4 -> mul1(readRm(in, size), size, false);
            case 5 -> mul1(readRm(in, size), size, true);
            case 6 -> div(readRm(in, size), size, false);
            default -> div(readRm(in, size), size, true);
        }
    }

    private void group4(Insn in) {
        switch (in.reg & 7) {
            case 0 -> rmwWrite(in, 1, inc(rmwRead(in, 1), 1));
            case 1 -> rmwWrite(in, 1, dec(rmwRead(in, 1), 1));
            default -> throw Fault.ud();
        }
    }

    private void group5(Insn in) {
        int osz = in.osz;
        switch (in.reg & 7) {
            case 0 -> rmwWrite(in, osz, inc(rmwRead(in, osz), osz));
            case 1 -> rmwWrite(in, osz, dec(rmwRead(in, osz), osz));
            case 2 -> {
                long t = readRm(in, osz);
                long ret = next;
                jumpNear(t, osz);
                push(ret, osz);
            }
            case 4 -> jumpNear(readRm(in, osz), osz);
            case 3, 5 -> farIndirect(in);
            case 6 -> push(readRm(in, osz), osz);
            default -> throw Fault.ud();
        }
    }

    boolean interruptShadow;

    abstract void execSystemOneByte(Insn in);

    /** WAIT/FWAIT (9B), in ExecX87. */
    abstract void fwait();

    abstract void farIndirect(Insn in);
}
