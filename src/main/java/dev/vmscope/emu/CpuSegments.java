package dev.vmscope.emu;

/**
 * Segmentation: effective to linear addresses with limit, type and null checks (Intel SDM Vol. 3A 5.1-5.6),
 * canonical checks in 64-bit mode (3.3.7.1), the stack, and descriptor loads with their privilege checks
 * (5.5-5.8, instruction pages for MOV/POP Sreg, LSS, far JMP/CALL/RET). Hidden parts use the VMX access-rights
 * layout (Vol. 3C 24.4.1): type 0-3, S 4, DPL 5-6, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16.
 */
abstract class CpuSegments extends CpuMemory {
    static final int A_UNUSABLE = 1 << 16, A_P = 0x80, A_S = 0x10, A_CODE = 8, A_L = 1 << 13, A_DB = 1 << 14, A_G = 1 << 15;

    CpuSegments(PhysMemory phys) { super(phys); }

    // ---- effective -> linear ----

    final long lin(int s, long off, int size, boolean write) {
        if (code64) {
            long a = s >= FS ? segBase[s] + off : off;
            if (a << 16 >> 16 != a) throw s == SS ? Fault.withCode(Fault.SS, 0) : Fault.gp(0);
            return a;
        }
        off &= 0xffffffffL;
        int a = segAttr[s];
        long lim = segLimit[s];
        if (protectedMode && (a & (A_UNUSABLE | A_CODE | 6)) != 2) {   // anything but a usable, writable, expand-up data segment
            if ((a & A_UNUSABLE) != 0) throw segFault(s);
            if ((a & A_CODE) != 0) {
                if (write || (a & 2) == 0) throw segFault(s);
            } else {
                if (write && (a & 2) == 0) throw segFault(s);
                if ((a & 4) != 0) {   // expand-down: valid offsets are (limit, upper]
                    long upper = (a & A_DB) != 0 ? 0xffffffffL : 0xffff;
                    if (off <= lim || off + size - 1 > upper) throw segFault(s);
                    return (segBase[s] + off) & 0xffffffffL;
                }
            }
        }
        if (off + size - 1 > lim) throw segFault(s);
        return (segBase[s] + off) & 0xffffffffL;
    }

    private static Fault segFault(int s) { return s == SS ? Fault.withCode(Fault.SS, 0) : Fault.gp(0); }

    static boolean canonical(long a) { return a << 16 >> 16 == a; }

    // ---- stack ----

    final void push(long v, int size) {
        long sp = (r[4] - size) & mask(stackSize);
        wr(lin(SS, sp, size, true), size, v);
        setReg(4, stackSize, sp);
    }

    final long pop(int size) {
        long sp = r[4] & mask(stackSize);
        long v = rd(lin(SS, sp, size, false), size);
        setReg(4, stackSize, sp + size);
        return v;
    }

    /** Reads the stack at RSP + {@code offset} without moving it (far RET, IRET read everything before committing). */
    final long peek(long offset, int size) {
        return rd(lin(SS, (r[4] + offset) & mask(stackSize), size, false), size);
    }

    // ---- descriptors ----

    /** The 8-byte descriptor for {@code sel} from the GDT or LDT; #GP(sel) (or {@code vector}) when outside the table. */
    final long descriptor(int sel, int vector) {
        long base;
        long limit;
        if ((sel & 4) != 0) {
            if ((segAttr[LDTR] & A_UNUSABLE) != 0 || segSel[LDTR] == 0) throw Fault.withCode(vector, sel & 0xfffc);
            base = segBase[LDTR];
            limit = segLimit[LDTR];
        } else {
            base = gdtBase;
            limit = gdtLimit;
        }
        if ((sel | 7) > limit) throw Fault.withCode(vector, sel & 0xfffc);
        return rdSys(base + (sel & ~7), 8);
    }

    final long descriptorAddress(int sel) { return ((sel & 4) != 0 ? segBase[LDTR] : gdtBase) + (sel & ~7); }

    static long descBase(long d) { return (d >>> 16 & 0xffffff) | (d >>> 56 & 0xff) << 24; }

    static long descLimit(long d) {
        long l = (d & 0xffff) | (d >>> 32 & 0xf0000);
        return (d & 1L << 55) != 0 ? l << 12 | 0xfff : l;
    }

    static int descAttr(long d) { return (int) (d >>> 40) & 0xf0ff; }

    /** Sets the accessed bit of a code/data descriptor in memory, as loads do (SDM Vol. 3A 3.4.5.1). */
    final void markAccessed(int sel, long d) {
        if ((d & 1L << 40) == 0) wrSys(descriptorAddress(sel) + 5, 1, (d >>> 40 | 1) & 0xff);
    }

    final void setSeg(int s, int sel, long base, long limit, int attr) {
        segSel[s] = sel & 0xffff;
        segBase[s] = base;
        segLimit[s] = limit;
        segAttr[s] = attr;
        if (s == CS || s == SS) updateMode();
    }

    /** Real-mode and virtual-8086 loads: base = selector * 16, limit and attributes kept (big real mode). */
    final void setSegReal(int s, int sel) {
        segSel[s] = sel & 0xffff;
        segBase[s] = (long) (sel & 0xffff) << 4;
        if ((segAttr[s] & A_UNUSABLE) != 0 || (segAttr[s] & A_P) == 0) segAttr[s] = s == CS ? 0x9b : 0x93;
        if (s == CS || s == SS) updateMode();
    }

    /** MOV/POP to a data segment register or SS (SDM Vol. 2B, MOV and POP operation sections). */
    final void loadSeg(int s, int sel) {
        sel &= 0xffff;
        if (!protectedMode || (flags & VM) != 0) {
            setSegReal(s, sel);
            return;
        }
        if ((sel & 0xfffc) == 0) {
            if (s == SS && (!code64 || cpl == 3 || (sel & 3) != cpl)) throw Fault.gp(0);
            setSeg(s, sel, 0, 0, A_UNUSABLE | (s == SS ? cpl << 5 : 0));
            return;
        }
        long d = descriptor(sel, Fault.GP);
        int attr = descAttr(d);
        int dpl = attr >> 5 & 3, rpl = sel & 3;
        if (s == SS) {
            if (rpl != cpl || dpl != cpl || (attr & (A_S | A_CODE | 2)) != (A_S | 2)) throw Fault.gp(sel & 0xfffc);
            if ((attr & A_P) == 0) throw Fault.withCode(Fault.SS, sel & 0xfffc);
        } else {
            if ((attr & A_S) == 0 || (attr & (A_CODE | 2)) == A_CODE) throw Fault.gp(sel & 0xfffc);
            boolean conformingCode = (attr & (A_CODE | 4)) == (A_CODE | 4);
            if (!conformingCode && (rpl > dpl || cpl > dpl)) throw Fault.gp(sel & 0xfffc);
            if ((attr & A_P) == 0) throw Fault.withCode(Fault.NP, sel & 0xfffc);
        }
        markAccessed(sel, d);
        setSeg(s, sel, descBase(d), descLimit(d), attr | 1);
    }

    /**
     * Checks a code segment for a far JMP/CALL/RET target and loads CS with RPL = {@code newCpl}.
     * Gates and task switches are not implemented (emulation failure, so the crash report names them).
     */
    final void loadCs(int sel, long d, int newCpl) {
        int attr = descAttr(d);
        if ((attr & (A_S | A_CODE)) != (A_S | A_CODE)) throw Fault.gp(sel & 0xfffc);
        if ((attr & A_P) == 0) throw Fault.withCode(Fault.NP, sel & 0xfffc);
        if (longMode && (attr & A_L) != 0 && (attr & A_DB) != 0) throw Fault.gp(sel & 0xfffc);
        markAccessed(sel, d);
        setSeg(CS, sel & 0xfffc | newCpl, descBase(d), descLimit(d), attr | 1);
    }

    /** Checks a far JMP/CALL to a code segment at the same privilege (conforming or not). */
    final long farTarget(int sel) {
        if ((sel & 0xfffc) == 0) throw Fault.gp(0);
        long d = descriptor(sel, Fault.GP);
        int attr = descAttr(d);
        if ((attr & A_S) == 0) throw new EmuFailure("far transfer through a system descriptor (call gate / task switch) is not implemented");
        if ((attr & A_CODE) == 0) throw Fault.gp(sel & 0xfffc);
        int dpl = attr >> 5 & 3;
        boolean conforming = (attr & 4) != 0;
        if (conforming ? dpl > cpl : (sel & 3) > cpl || dpl != cpl) throw Fault.gp(sel & 0xfffc);
        if ((attr & A_P) == 0) throw Fault.withCode(Fault.NP, sel & 0xfffc);
        return d;
    }

    /** After a return to an outer ring: data segments the new CPL may not use become null (SDM IRET/RET). */
    final void nullInaccessibleSegments() {
        for (int s : new int[] {ES, DS, FS, GS}) {
            int a = segAttr[s];
            boolean conformingCode = (a & (A_CODE | 4)) == (A_CODE | 4);
            if ((a & A_UNUSABLE) == 0 && (a & A_S) != 0 && !conformingCode && (a >> 5 & 3) < cpl) {
                segSel[s] = 0;
                segAttr[s] = A_UNUSABLE;
            }
        }
    }
}
