package dev.vmscope.emu;

/**
 * Event delivery: interrupts and exceptions through the real-mode IVT and the protected-mode and IA-32e IDT
 * with privilege changes, TSS stack switching and IST (Intel SDM Vol. 3A 6.12, 6.14), IRET in every mode
 * (Vol. 2A IRET), and the RFLAGS write rules of POPF/IRET. Task gates and virtual-8086 mode are not
 * implemented: they end in an emulation-failure exit (CPUID does not advertise VME).
 */
abstract class CpuEvents extends CpuSegments {
    CpuEvents(PhysMemory phys) { super(phys); }

    /**
     * Delivers vector {@code v} with {@link #rip} already set to the address to return to. {@code soft}: INT n /
     * INT3 / INTO (gate DPL checked against CPL); {@code ext}: the EXT bit of error codes raised on the way.
     */
    final void deliver(int v, int err, boolean hasErr, boolean soft, boolean ext) {
        getFlags();
        if (!protectedMode) deliverReal(v);
        else if (longMode) deliverLong(v, err, hasErr, soft, ext);
        else deliverProtected(v, err, hasErr, soft, ext);
    }

    private void deliverReal(int v) {
        if (v * 4L + 3 > idtLimit) throw Fault.gp(v * 8 + 2);
        long vec = rdSys(idtBase + v * 4L, 4);
        push(flags, 2);
        push(segSel[CS], 2);
        push(rip, 2);
        flags &= ~(IF | TF | AC | RF);
        setSegReal(CS, (int) (vec >>> 16));
        rip = vec & 0xffff;
    }

    private void deliverProtected(int v, int err, boolean hasErr, boolean soft, boolean ext) {
        int extBit = ext ? 1 : 0;
        if (v * 8L + 7 > idtLimit) throw Fault.gp(v * 8 + 2 + extBit);
        long gate = rdSys(idtBase + v * 8L, 8);
        int type = (int) (gate >>> 40) & 0x1f;
        if (type == 5) throw new EmuFailure("interrupt through a task gate is not implemented");
        if (type != 6 && type != 7 && type != 0xe && type != 0xf) throw Fault.gp(v * 8 + 2 + extBit);
        if (soft && ((gate >>> 45) & 3) < cpl) throw Fault.gp(v * 8 + 2);
        if ((gate & 1L << 47) == 0) throw Fault.withCode(Fault.NP, v * 8 + 2 + extBit);
        int sel = (int) (gate >>> 16) & 0xffff;
        long offset = (gate & 0xffff) | (type >= 0xe ? (gate >>> 32) & 0xffff0000L : 0);
        int size = type >= 0xe ? 4 : 2;
        long d = gateTarget(sel, extBit);
        int attr = descAttr(d);
        int dpl = attr >> 5 & 3;
        boolean inner = (attr & 4) == 0 && dpl < cpl;
        if (offset > descLimit(d)) throw Fault.gp(extBit);
        long f = flags;
        if (inner) {
            int tssType = segAttr[TR] & 0xf;
            boolean tss32 = tssType == 9 || tssType == 0xb;
            long tr = segBase[TR];
            long espOff = tss32 ? 4 + dpl * 8L : 2 + dpl * 4L;
            if (espOff + (tss32 ? 5 : 3) > segLimit[TR]) throw Fault.withCode(Fault.TS, segSel[TR] & 0xfffc);
            long newSp = rdSys(tr + espOff, tss32 ? 4 : 2);
            int newSs = (int) rdSys(tr + espOff + (tss32 ? 4 : 2), 2);
            long ssd = stackForRing(newSs, dpl, extBit);
            long ssBase = descBase(ssd);
            boolean big = (ssd & 1L << 54) != 0;
            long sp = newSp;
            long[] vals = hasErr ? new long[] {segSel[SS], r[4], f, segSel[CS], rip, err}
                    : new long[] {segSel[SS], r[4], f, segSel[CS], rip};
            for (long val : vals) {
                sp = (sp - size) & (big ? 0xffffffffL : 0xffff);
                wrSys((ssBase + sp) & 0xffffffffL, size, val);
            }
            markAccessed(newSs, ssd);
            setSeg(SS, newSs, ssBase, descLimit(ssd), descAttr(ssd) | 1);
            r[4] = big ? sp : r[4] & ~0xffffL | sp;
            loadCs(sel, d, dpl);
        } else {
            if ((attr & 4) == 0 && dpl != cpl) throw Fault.gp(sel & 0xfffc);
            int saveCpl = cpl;
            push(f, size);
            push(segSel[CS], size);
            push(rip, size);
            if (hasErr) push(err, size);
            loadCs(sel, d, saveCpl);
        }
        rip = offset;
        flags &= ~(TF | NT | RF | VM);
        if ((type & 1) == 0) flags &= ~IF;
    }

    private long gateTarget(int sel, int extBit) {
        if ((sel & 0xfffc) == 0) throw Fault.gp(extBit);
        long d = descriptor(sel, Fault.GP);
        int attr = descAttr(d);
        if ((attr & (A_S | A_CODE)) != (A_S | A_CODE) || (attr >> 5 & 3) > cpl) throw Fault.gp(sel & 0xfffc | extBit);
        if ((attr & A_P) == 0) throw Fault.withCode(Fault.NP, sel & 0xfffc | extBit);
        return d;
    }

    private long stackForRing(int ss, int ring, int extBit) {
        if ((ss & 0xfffc) == 0) throw Fault.withCode(Fault.TS, extBit);
        long d = descriptor(ss, Fault.TS);
        int attr = descAttr(d);
        if ((ss & 3) != ring || (attr >> 5 & 3) != ring || (attr & (A_S | A_CODE | 2)) != (A_S | 2))
            throw Fault.withCode(Fault.TS, ss & 0xfffc | extBit);
        if ((attr & A_P) == 0) throw Fault.withCode(Fault.SS, ss & 0xfffc | extBit);
        return d;
    }

    private void deliverLong(int v, int err, boolean hasErr, boolean soft, boolean ext) {
        int extBit = ext ? 1 : 0;
        if (v * 16L + 15 > idtLimit) throw Fault.gp(v * 8 + 2 + extBit);
        long lo = rdSys(idtBase + v * 16L, 8), hi = rdSys(idtBase + v * 16L + 8, 8);
        int type = (int) (lo >>> 40) & 0x1f;
        if (type != 0xe && type != 0xf) throw Fault.gp(v * 8 + 2 + extBit);
        if (soft && ((lo >>> 45) & 3) < cpl) throw Fault.gp(v * 8 + 2);
        if ((lo & 1L << 47) == 0) throw Fault.withCode(Fault.NP, v * 8 + 2 + extBit);
        int sel = (int) (lo >>> 16) & 0xffff;
        long offset = (lo & 0xffff) | (lo >>> 32) & 0xffff0000L | hi << 32;
        long d = gateTarget(sel, extBit);
        int attr = descAttr(d);
        if ((attr & A_L) == 0 || (attr & A_DB) != 0) throw Fault.gp(sel & 0xfffc | extBit);
        int dpl = attr >> 5 & 3;
        int newCpl = (attr & 4) == 0 ? dpl : cpl;
        int ist = (int) (lo >>> 32) & 7;
        long tr = segBase[TR];
        long sp;
        if (ist != 0) sp = rdSys(tr + 0x24 + (ist - 1) * 8L, 8);
        else if (newCpl < cpl) sp = rdSys(tr + 4 + newCpl * 8L, 8);
        else sp = r[4];
        if (!canonical(sp) || !canonical(offset)) throw Fault.gp(extBit);
        sp &= ~0xfL;
        long[] vals = hasErr ? new long[] {segSel[SS], r[4], flags, segSel[CS], rip, err & 0xffffffffL}
                : new long[] {segSel[SS], r[4], flags, segSel[CS], rip};
        for (long val : vals) {
            sp -= 8;
            wrSys(sp, 8, val);
        }
        if (newCpl < cpl) setSeg(SS, newCpl, 0, 0, A_UNUSABLE | newCpl << 5 | 0x13 | A_P);
        loadCs(sel, d, newCpl);
        r[4] = sp;
        rip = offset;
        flags &= ~(TF | NT | RF | VM);
        if ((type & 1) == 0) flags &= ~IF;
    }

    // ---- IRET ----

    /** IRET/IRETD/IRETQ with operand size {@code osz} (SDM Vol. 2A IRET operation). */
    final void iret(int osz) {
        getFlags();
        if (!protectedMode) {
            long ip = peek(0, osz), cs = peek(osz, osz), f = peek(2L * osz, osz);
            setReg(4, stackSize, r[4] + 3L * osz);
            setSegReal(CS, (int) cs);
            rip = ip;
            writeFlags(f, osz, true);
            return;
        }
        if ((flags & NT) != 0 && !longMode) throw new EmuFailure("IRET with NT set (task return) is not implemented");
        long ip = peek(0, osz);
        int cs = (int) peek(osz, osz) & 0xffff;
        long f = peek(2L * osz, osz);
        if ((f & VM) != 0 && osz == 4 && cpl == 0 && !longMode) throw new EmuFailure("IRET to virtual-8086 mode is not implemented");
        if ((cs & 0xfffc) == 0) throw Fault.gp(0);
        long d = descriptor(cs, Fault.GP);
        int attr = descAttr(d);
        int rpl = cs & 3, dpl = attr >> 5 & 3;
        if ((attr & (A_S | A_CODE)) != (A_S | A_CODE) || rpl < cpl) throw Fault.gp(cs & 0xfffc);
        if ((attr & 4) != 0 ? dpl > rpl : dpl != rpl) throw Fault.gp(cs & 0xfffc);
        if ((attr & A_P) == 0) throw Fault.withCode(Fault.NP, cs & 0xfffc);
        boolean toLong = longMode && (attr & A_L) != 0;
        if (!toLong && !canonical(ip)) throw Fault.gp(0);
        int oldCpl = cpl;
        if (rpl > cpl || code64) {
            long sp = peek(3L * osz, osz);
            int ss = (int) peek(4L * osz, osz) & 0xffff;
            long ssd = 0;
            boolean nullSs = (ss & 0xfffc) == 0;
            if (nullSs) {
                if (!(longMode && toLong && rpl != 3 && (ss & 3) == rpl)) throw Fault.gp(0);
            } else {
                ssd = descriptor(ss, Fault.GP);
                int sa = descAttr(ssd);
                if ((ss & 3) != rpl || (sa >> 5 & 3) != rpl || (sa & (A_S | A_CODE | 2)) != (A_S | 2)) throw Fault.gp(ss & 0xfffc);
                if ((sa & A_P) == 0) throw Fault.withCode(Fault.SS, ss & 0xfffc);
            }
            loadCs(cs, d, rpl);
            if (nullSs) setSeg(SS, ss, 0, 0, A_UNUSABLE | rpl << 5 | 0x13 | A_P);
            else {
                markAccessed(ss, ssd);
                setSeg(SS, ss, descBase(ssd), descLimit(ssd), descAttr(ssd) | 1);
            }
            if (toLong) r[4] = sp;
            else if ((ssd & 1L << 54) != 0) r[4] = sp & 0xffffffffL;
            else r[4] = r[4] & ~0xffffL | sp & 0xffff;
            rip = toLong ? ip : ip & 0xffffffffL;
            writeFlagsAt(f, osz, oldCpl, true);
            if (rpl > oldCpl) nullInaccessibleSegments();
        } else {
            setReg(4, stackSize, r[4] + 3L * osz);
            loadCs(cs, d, rpl);
            rip = ip & mask(osz);
            writeFlagsAt(f, osz, oldCpl, true);
        }
    }

    /** POPF/IRET flag rules (SDM Vol. 2B POPF table): IOPL only at CPL 0, IF only when CPL <= IOPL. */
    final void writeFlags(long f, int size, boolean iret) { writeFlagsAt(f, size, cpl, iret); }

    final void writeFlagsAt(long f, int size, int atCpl, boolean iret) {
        getFlags();
        long changeable = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID | (iret ? RF : 0);
        int iopl = (int) (flags >>> 12) & 3;
        if (!protectedMode || atCpl == 0) changeable |= IOPL | IF;
        else if (atCpl <= iopl) changeable |= IF;
        if (size == 2) changeable &= 0xffff;
        flags = (flags & ~changeable) | (f & changeable) | 2;
    }
}
