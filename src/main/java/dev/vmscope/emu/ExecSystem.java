package dev.vmscope.emu;

import dev.vmscope.hypervisor.VcpuExit;

/**
 * One-byte instructions that touch system state: far JMP/CALL/RET, INT n/INT3/INTO/INT1, IRET, HLT, CLI/STI,
 * IN/OUT, LDS/LES; the x87 escapes go to {@code ExecX87}.
 */
abstract class ExecSystem extends ExecMain {
    /** Set by STI when IF was clear, and by MOV/POP SS: no interrupt before the next instruction completes. */
    boolean stiShadow;

    ExecSystem(PhysMemory phys) { super(phys); }

    @Override
    final void execSystemOneByte(Insn in) {
        int op = in.op;
        switch (op) {
            case 0x9a -> farCall(in, (int) in.imm2, in.imm);
            case 0xea -> farJump((int) in.imm2, in.imm);
            case 0xc4, 0xc5 -> loadFarPointer(in, op == 0xc4 ? ES : DS);
            case 0xca, 0xcb -> farReturn(in, op == 0xca ? (int) in.imm : 0);
            case 0xcc -> {
                int3Intercept();
                softInterrupt(3, true);
            }
            case 0xcd -> softInterrupt((int) in.imm, true);
            case 0xce -> { if (of()) softInterrupt(4, true); }
            case 0xf1 -> softInterrupt(1, false);
            case 0xcf -> {
                iret(in.osz);
                next = rip;
                iretDone();
            }
            case 0xe4, 0xe5 -> setReg(0, op == 0xe4 ? 1 : Math.min(in.osz, 4), portIn((int) in.imm, op == 0xe4 ? 1 : Math.min(in.osz, 4)));
            case 0xec, 0xed -> setReg(0, op == 0xec ? 1 : Math.min(in.osz, 4), portIn((int) r[2] & 0xffff, op == 0xec ? 1 : Math.min(in.osz, 4)));
            case 0xe6, 0xe7 -> portOut((int) in.imm, op == 0xe6 ? 1 : Math.min(in.osz, 4), r[0]);
            case 0xee, 0xef -> portOut((int) r[2] & 0xffff, op == 0xee ? 1 : Math.min(in.osz, 4), r[0]);
            case 0xf4 -> {
                requireCpl0();
                queuedExits.add(new VcpuExit.Hlt());
            }
            case 0xfa -> {
                checkIopl();
                flags &= ~IF;
            }
            case 0xfb -> {
                checkIopl();
                if ((flags & IF) == 0) stiShadow = true;
                flags |= IF;
            }
            case 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf -> execX87(in);
            default -> throw Fault.ud();
        }
    }

    /** Ends the instruction with a KVM_EXIT_DEBUG (exception 3) when the debugger intercepts INT3. */
    abstract void int3Intercept();

    /** Called after IRET (NMI blocking ends there). */
    abstract void iretDone();

    private void checkIopl() {
        if (protectedMode && cpl > ((getFlags() >>> 12) & 3)) throw Fault.gp(0);
    }

    private void softInterrupt(int v, boolean soft) {
        long start = rip;
        rip = next;
        try {
            deliver(v, 0, false, soft, false);
        } catch (RuntimeException e) {
            rip = start;
            throw e;
        }
        next = rip;
    }

    // ---- far transfers (SDM Vol. 2A CALL, JMP; Vol. 2B RET) ----

    final void farJump(int sel, long off) {
        if (!protectedMode || (flags & VM) != 0) {
            setSegReal(CS, sel);
            next = off & 0xffffffffL;
            return;
        }
        long d = farTarget(sel);
        if (!((descAttr(d) & A_L) != 0 && longMode) && (off & 0xffffffffL) > descLimit(d)) throw Fault.gp(0);
        loadCs(sel, d, cpl);
        next = code64 ? off : off & 0xffffffffL;
    }

    final void farCall(Insn in, int sel, long off) {
        int osz = in.osz;
        long retIp = next;
        int retCs = segSel[CS];
        if (!protectedMode || (flags & VM) != 0) {
            pushReturn(retCs, retIp, osz);
            setSegReal(CS, sel);
            next = off & mask(osz);
            return;
        }
        long d = farTarget(sel);
        pushReturn(retCs, retIp, osz);
        loadCs(sel, d, cpl);
        next = code64 ? off : off & mask(osz);
    }

    /** Pushes CS then IP of a far call; a fault on the second push leaves RSP as it was (nothing committed). */
    private void pushReturn(int cs, long ip, int osz) {
        long sp = r[4];
        push(cs, osz);
        try {
            push(ip, osz);
        } catch (RuntimeException e) {
            r[4] = sp;
            throw e;
        }
    }

    /** FF /3 (CALL m16:xx) and FF /5 (JMP m16:xx). */
    @Override
    final void farIndirect(Insn in) {
        if (in.mod == 3) throw Fault.ud();
        int osz = in.osz;
        long a = ea(in);
        long off = rd(lin(in.seg, a, osz, false), osz);
        int sel = (int) rd(lin(in.seg, a + osz, 2, false), 2);
        if ((in.reg & 7) == 3) farCall(in, sel, off);
        else farJump(sel, off);
    }

    private void loadFarPointer(Insn in, int s) {
        if (in.mod == 3) throw Fault.ud();
        int osz = in.osz;
        long a = ea(in);
        long off = rd(lin(in.seg, a, osz, false), osz);
        int sel = (int) rd(lin(in.seg, a + osz, 2, false), 2);
        loadSeg(s, sel);
        writeReg(in, osz, off);
    }

    /** LSS/LFS/LGS (0F B2, B4, B5). */
    final void loadFarPointerTo(Insn in, int s) { loadFarPointer(in, s); }

    private void farReturn(Insn in, int extra) {
        int osz = in.osz;
        long ip = peek(0, osz);
        int sel = (int) peek(osz, osz) & 0xffff;
        if (!protectedMode || (flags & VM) != 0) {
            setReg(4, stackSize, r[4] + 2L * osz + extra);
            setSegReal(CS, sel);
            next = ip & mask(osz);
            return;
        }
        if ((sel & 0xfffc) == 0) throw Fault.gp(0);
        long d = descriptor(sel, Fault.GP);
        int attr = descAttr(d), rpl = sel & 3, dpl = attr >> 5 & 3;
        if ((attr & (A_S | A_CODE)) != (A_S | A_CODE) || rpl < cpl) throw Fault.gp(sel & 0xfffc);
        if ((attr & 4) != 0 ? dpl > rpl : dpl != rpl) throw Fault.gp(sel & 0xfffc);
        if ((attr & A_P) == 0) throw Fault.withCode(Fault.NP, sel & 0xfffc);
        if (rpl == cpl) {
            loadCs(sel, d, rpl);
            setReg(4, stackSize, r[4] + 2L * osz + extra);
            next = code64 ? ip : ip & mask(osz);
            return;
        }
        long sp = peek(2L * osz + extra, osz);
        int ss = (int) peek(3L * osz + extra, osz) & 0xffff;
        long ssd = descriptor(ss, Fault.GP);
        int sa = descAttr(ssd);
        if ((ss & 3) != rpl || (sa >> 5 & 3) != rpl || (sa & (A_S | A_CODE | 2)) != (A_S | 2)) throw Fault.gp(ss & 0xfffc);
        if ((sa & A_P) == 0) throw Fault.withCode(Fault.SS, ss & 0xfffc);
        loadCs(sel, d, rpl);
        markAccessed(ss, ssd);
        setSeg(SS, ss, descBase(ssd), descLimit(ssd), sa | 1);
        setReg(4, (sa & A_DB) != 0 ? 4 : 2, sp + extra);
        if (code64) r[4] = sp + extra;
        next = code64 ? ip : ip & mask(osz);
        nullInaccessibleSegments();
    }

    /** D8-DF: the x87 escape opcodes (ExecX87). */
    abstract void execX87(Insn in);
}
