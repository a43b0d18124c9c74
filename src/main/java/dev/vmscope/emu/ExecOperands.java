package dev.vmscope.emu;

import dev.vmscope.hypervisor.VcpuExit;

/**
 * Operands of a decoded instruction (register, memory, effective address), near branches, port I/O with the
 * TSS I/O permission bitmap (Intel SDM Vol. 1 19.5), and the string instructions with every REP form. Each
 * REP iteration is a commit point, as on hardware (interrupts and faults between iterations see RCX/RSI/RDI
 * of the iterations done); string port I/O moves up to a page per exit, as KVM's emulator does.
 */
abstract class ExecOperands extends CpuAlu {
    static final int REP_BATCH = 4096;

    /** RIP after the current instruction; branches replace it, and it becomes RIP when the instruction commits. */
    long next;
    private long rmwAddr;
    /** Data supplied by completeIn for the port read being re-executed, or null. */
    byte[] ioData;

    ExecOperands(PhysMemory phys) { super(phys); }

    final long ea(Insn in) {
        long a = in.disp;
        if (in.base >= 0) a += in.base == Insn.RIP_BASE ? next : r[in.base];
        if (in.index >= 0) a += r[in.index] << in.scale;
        return in.asz == 8 ? a : a & mask(in.asz);
    }

    final long memAddr(Insn in, int size, boolean write) { return lin(in.seg, ea(in), size, write); }

    final long readRm(Insn in, int size) {
        if (in.mod == 3) return size == 1 ? reg8(in.rm, in.rex != 0) : reg(in.rm, size);
        return rd(memAddr(in, size, false), size);
    }

    final void writeRm(Insn in, int size, long v) {
        if (in.mod == 3) {
            if (size == 1) setReg8(in.rm, in.rex != 0, v);
            else setReg(in.rm, size, v);
        } else {
            wr(memAddr(in, size, true), size, v);
        }
    }

    /** Read half of a read-modify-write: the address is checked for writing once and kept for {@link #rmwWrite}. */
    final long rmwRead(Insn in, int size) {
        if (in.mod == 3) return size == 1 ? reg8(in.rm, in.rex != 0) : reg(in.rm, size);
        rmwAddr = memAddr(in, size, true);
        return rdForWrite(rmwAddr, size);
    }

    final void rmwWrite(Insn in, int size, long v) {
        if (in.mod == 3) {
            if (size == 1) setReg8(in.rm, in.rex != 0, v);
            else setReg(in.rm, size, v);
        } else {
            wr(rmwAddr, size, v);
        }
    }

    final long readReg(Insn in, int size) { return size == 1 ? reg8(in.reg, in.rex != 0) : reg(in.reg, size); }

    final void writeReg(Insn in, int size, long v) {
        if (size == 1) setReg8(in.reg, in.rex != 0, v);
        else setReg(in.reg, size, v);
    }

    /** Immediate of an instruction with a z-sized immediate, sign-extended to the operand size. */
    static long immZ(Insn in) { return in.osz == 8 ? (int) in.imm : in.imm; }

    // ---- near branches ----

    final void jumpNear(long target, int osz) {
        if (osz == 8) {
            if (!canonical(target)) throw Fault.gp(0);
        } else {
            target &= mask(osz);
            if (!code64 && target > segLimit[CS]) throw Fault.gp(0);
        }
        next = target;
    }

    final void jumpRel(Insn in, long rel) { jumpNear(next + rel, in.osz); }

    // ---- port I/O ----

    /** I/O permission: CPL <= IOPL, else every bit for the ports in the TSS bitmap must be clear (SDM Vol. 1 19.5.2). */
    final void checkIo(int port, int size) {
        if (!protectedMode || cpl <= ((getFlags() >>> 12) & 3)) return;
        int type = segAttr[TR] & 0xf;
        if (type != 9 && type != 0xb || segLimit[TR] < 0x67) throw Fault.gp(0);
        long base = rdSys(segBase[TR] + 0x66, 2);
        long at = base + (port >>> 3);
        if (at + 1 > segLimit[TR]) throw Fault.gp(0);
        long bits = rdSys(segBase[TR] + at, 2);
        if (((bits >>> (port & 7)) & ((1 << size) - 1)) != 0) throw Fault.gp(0);
    }

    /** IN: exits the first time; the re-execution after completeIn takes the value. */
    final long portIn(int port, int size) {
        checkIo(port, size);
        byte[] d = ioData;
        if (d != null && d.length >= size) {
            ioData = null;
            long v = 0;
            for (int b = size - 1; b >= 0; b--) v = v << 8 | d[b] & 0xff;
            return v;
        }
        pendingExit = new VcpuExit.IoIn(port, size, 1);
        throw ExitRequest.INSTANCE;
    }

    final void portOut(int port, int size, long v) {
        checkIo(port, size);
        byte[] d = new byte[size];
        for (int b = 0; b < size; b++) d[b] = (byte) (v >>> (8 * b));
        queuedExits.add(new VcpuExit.IoOut(port, size, 1, d));
    }

    // ---- string instructions ----

    private long count(Insn in) { return in.asz == 8 ? r[1] : r[1] & mask(in.asz); }

    private void setIndex(int reg, Insn in, long v) { setReg(reg, in.asz, v); }

    private int step(int size) { return (flags & DF) != 0 ? -size : size; }

    /** MOVS, CMPS, STOS, LODS, SCAS (A4-AF), with or without REP/REPE/REPNE. */
    final void string(Insn in) {
        int op = in.op, size = (op & 1) == 0 ? 1 : in.osz;
        boolean rep = in.rep != 0;
        if (rep && count(in) == 0) return;
        getFlags();
        for (int n = 0; n < REP_BATCH; n++) {
            stringOnce(in, op, size);
            if (!rep) return;
            long c = (count(in) - 1) & mask(in.asz);
            setIndex(1, in, c);
            boolean compare = op >= 0xa6 && op <= 0xa7 || op >= 0xae;
            boolean stop = c == 0 || compare && (in.rep == 3 ? !zf() : zf());
            if (stop) return;
            commitPoint();
            if (queuedExits.size() > 0 || watchActive && watchHit()) break;
        }
        next = rip;   // not finished: execute again (interrupts and exits are taken in between)
    }

    private void stringOnce(Insn in, int op, int size) {
        int d = step(size);
        long m = mask(in.asz);
        switch (op) {
            case 0xa4, 0xa5 -> {
                long v = rd(lin(in.seg, r[6] & m, size, false), size);
                wr(lin(ES, r[7] & m, size, true), size, v);
                setIndex(6, in, r[6] + d);
                setIndex(7, in, r[7] + d);
            }
            case 0xa6, 0xa7 -> {
                long a = rd(lin(in.seg, r[6] & m, size, false), size);
                long b = rd(lin(ES, r[7] & m, size, false), size);
                alu(7, a, b, size);
                setIndex(6, in, r[6] + d);
                setIndex(7, in, r[7] + d);
            }
            case 0xaa, 0xab -> {
                wr(lin(ES, r[7] & m, size, true), size, r[0]);
                setIndex(7, in, r[7] + d);
            }
            case 0xac, 0xad -> {
                setReg(0, size, rd(lin(in.seg, r[6] & m, size, false), size));
                setIndex(6, in, r[6] + d);
            }
            default -> {   // SCAS
                long b = rd(lin(ES, r[7] & m, size, false), size);
                alu(7, r[0], b, size);
                setIndex(7, in, r[7] + d);
            }
        }
    }

    /**
     * INS (6C/6D): one exit for up to a page of elements (or RCX); the re-execution after completeIn stores
     * them at ES:RDI in order. RAX is never touched.
     */
    final void ins(Insn in) {
        int size = in.op == 0x6c ? 1 : Math.min(in.osz, 4);
        boolean rep = in.rep != 0;
        long c = rep ? count(in) : 1;
        if (c == 0) return;
        int port = (int) r[2] & 0xffff;
        checkIo(port, size);
        long m = mask(in.asz);
        byte[] d = ioData;
        if (d == null) {
            long at = lin(ES, r[7] & m, size, true);
            long n = elementsInPage(at, size, c);
            translate(at, ACC_WRITE);   // a #PF comes before the port is read
            pendingExit = new VcpuExit.IoIn(port, size, (int) n);
            throw ExitRequest.INSTANCE;
        }
        int n = d.length / size;
        for (int k = 0; k < n; k++) {
            long v = 0;
            for (int b = size - 1; b >= 0; b--) v = v << 8 | d[k * size + b] & 0xff;
            wr(lin(ES, r[7] & m, size, true), size, v);
            setIndex(7, in, r[7] + step(size));
        }
        ioData = null;
        if (rep) {
            long left = (c - n) & m;
            setIndex(1, in, left);
            if (left != 0) next = rip;
        }
    }

    /** OUTS (6E/6F): reads up to a page of elements from DS:RSI (or the override) into one IoOut exit. */
    final void outs(Insn in) {
        int size = in.op == 0x6e ? 1 : Math.min(in.osz, 4);
        boolean rep = in.rep != 0;
        long c = rep ? count(in) : 1;
        if (c == 0) return;
        int port = (int) r[2] & 0xffff;
        checkIo(port, size);
        long m = mask(in.asz);
        int n = (int) elementsInPage(lin(in.seg, r[6] & m, size, false), size, c);
        byte[] d = new byte[n * size];
        long si = r[6];
        for (int k = 0; k < n; k++) {
            long v = rd(lin(in.seg, si & m, size, false), size);
            for (int b = 0; b < size; b++) d[k * size + b] = (byte) (v >>> (8 * b));
            si += step(size);
        }
        setIndex(6, in, si);
        queuedExits.add(new VcpuExit.IoOut(port, size, n, d));
        if (rep) {
            long left = (c - n) & m;
            setIndex(1, in, left);
            if (left != 0) next = rip;
        }
    }

    /** Elements from {@code linear} to the end of its page (forward only; backward string I/O goes one at a time). */
    private long elementsInPage(long linear, int size, long c) {
        if ((flags & DF) != 0) return 1;
        long room = (4096 - (linear & 0xfff)) / size;
        return Math.max(1, Math.min(Math.min(room, c), 1024));
    }
}
