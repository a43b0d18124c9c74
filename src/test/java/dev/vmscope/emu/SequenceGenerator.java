package dev.vmscope.emu;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Random 64-bit user-mode sequences of 1-8 general-purpose instructions for the host oracle. Each case pins a
 * few registers as pointers into the data page (RSP always; RSI/RDI/RCX in cases with string instructions) and a
 * few as small indexes; memory operands are built from them with a displacement that lands on a chosen offset of
 * the page (now and then just outside it, for #PF). Other registers hold edge values and are free destinations.
 * The instruction forms are a weighted table of emitters ({@link #FORMS}); SSE or x87 forms can be added as more
 * rows. Encodings follow Intel SDM Vol. 2A chapter 2 (prefixes, REX, ModRM/SIB) and the opcode maps in Vol. 2D.
 */
final class SequenceGenerator {
    static final long DATA = InsnOracle.DATA, CODE = InsnOracle.CODE;
    static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;

    /** One row of the table: a name for the report, a weight and an emitter (false: not applicable to this case). */
    record Form(String name, int weight, Predicate<SequenceGenerator> emit) {}

    private final SplittableRandom rnd;
    private final ByteArrayOutputStream code = new ByteArrayOutputStream();
    private long[] regs;
    private boolean[] pinned;
    private final List<Integer> pointers = new ArrayList<>(), indexes = new ArrayList<>();
    private boolean strings;
    private long rspDelta;
    private byte[] page;

    SequenceGenerator(long seed) { rnd = new SplittableRandom(seed); }

    InsnOracle.Case next() {
        for (;;) {
            InsnOracle.Case c = attempt();
            if (c != null) return c;
        }
    }

    private InsnOracle.Case attempt() {
        code.reset();
        setUpRegisters();
        setUpPage();
        int n = 1 + rnd.nextInt(8);
        for (int k = 0; k < n; k++) emitOne(false);
        if (code.size() == 0) return null;
        long flags = 0x202 | rnd.nextLong() & 0x8d5 | (rnd.nextInt(4) == 0 ? 0x400 : 0);
        return new InsnOracle.Case(regs.clone(), flags, page, code.toByteArray());
    }

    private void emitOne(boolean noBranch) {
        int total = 0;
        for (Form f : FORMS) total += f.weight();
        for (int tries = 0; tries < 20; tries++) {
            int p = rnd.nextInt(total);
            Form f = null;
            for (Form x : FORMS) {
                p -= x.weight();
                if (p < 0) { f = x; break; }
            }
            if (noBranch && f.name().equals("jcc")) continue;
            int mark = code.size();
            if (f.emit().test(this) || code.size() != mark) return;   // a set-up instruction alone is fine too
        }
    }

    // ---- case set-up ----

    private void setUpRegisters() {
        regs = new long[16];
        pinned = new boolean[16];
        pointers.clear();
        indexes.clear();
        rspDelta = 0;
        for (int k = 0; k < 16; k++) regs[k] = edgeValue();
        strings = rnd.nextInt(10) < 3;
        pin(RSP, DATA + 0x700 + (rnd.nextInt(0x200) & (rnd.nextInt(4) == 0 ? ~3 : ~7)));
        if (strings) {
            pin(RSI, DATA + 0x280 + rnd.nextInt(0x500));
            pin(RDI, DATA + 0x980 + rnd.nextInt(0x380));
            pinned[RCX] = true;
            regs[RCX] = rnd.nextInt(8) == 0 ? rnd.nextInt(3) : rnd.nextInt(28);
        }
        int[] pool = {RBX, RBP, RSI, RDI, 8, 9, 10, 11, 12, 13, 14, 15};
        int nPtr = 1 + rnd.nextInt(2), nIdx = rnd.nextInt(2);
        for (int k = 0; k < nPtr + nIdx; k++) {
            int r = pool[rnd.nextInt(pool.length)];
            if (pinned[r]) continue;
            if (k < nPtr) {
                long v = DATA + 0x300 + rnd.nextInt(0xa00);
                if (rnd.nextInt(100) == 0) v ^= 0x8000_0000_0000_0000L;   // non-canonical: #GP (#SS through RBP)
                pin(r, v);
            } else {
                pinned[r] = true;
                regs[r] = rnd.nextInt(81) - 40;
                indexes.add(r);
            }
        }
    }

    private void pin(int r, long v) {
        pinned[r] = true;
        regs[r] = v;
        if (r != RSI && r != RDI || !strings) pointers.add(r);
    }

    private static final long[] EDGES = {0, 1, 2, -1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffffL,
            0x80000000L, 0xffffffffL, 0x100000000L, Long.MAX_VALUE, Long.MIN_VALUE, 0x8000000000000001L, 63, 64, 31, 32};

    private long edgeValue() {
        return switch (rnd.nextInt(6)) {
            case 0, 1 -> EDGES[rnd.nextInt(EDGES.length)] + (rnd.nextInt(4) == 0 ? rnd.nextInt(3) - 1 : 0);
            case 2 -> rnd.nextInt(256) - 128;
            case 3 -> 1L << rnd.nextInt(64) | (rnd.nextBoolean() ? 0 : 1L << rnd.nextInt(64));
            default -> rnd.nextLong();
        };
    }

    private void setUpPage() {
        page = new byte[4096];
        for (int k = 0; k < 4096; k += 8) {
            long v = rnd.nextInt(4) != 0 ? rnd.nextLong() : edgeValue();
            for (int b = 0; b < 8; b++) page[k + b] = (byte) (v >>> (8 * b));
        }
        if (strings) {   // RDI's neighbourhood mostly equal to RSI's so REPE CMPS runs for a while
            int s = (int) (regs[RSI] - DATA), d = (int) (regs[RDI] - DATA);
            for (int k = -256; k < 256; k++) if (d + k >= 0 && d + k < 4096 && s + k >= 0) page[d + k] = page[s + k];
            for (int k = 0; k < 2; k++) page[d - 200 + rnd.nextInt(400)] ^= (byte) (1 + rnd.nextInt(255));
        }
    }

    // ---- operands ----

    /** A memory operand: base/index register numbers (-1 none, 16 RIP), scale, and the linear target. */
    record Mem(int base, int index, int scale, long target, boolean a32) {}

    private long value(int r) { return r == RSP ? regs[RSP] + rspDelta : regs[r]; }

    /** An offset in or (rarely) next to the data page for an access of {@code size} bytes. */
    private int offset(int size, boolean aligned) {
        int p = rnd.nextInt(100);
        if (p < 2) return 4096 - (size == 1 ? 0 : 1 + rnd.nextInt(size - 1)) - (aligned ? 0 : 0);
        if (p < 3) return -size - rnd.nextInt(64);
        if (aligned || p < 60) return rnd.nextInt(4096 / size) * size;
        return rnd.nextInt(4096 - size + 1);
    }

    Mem mem(int size, boolean lowOnly) { return mem(size, lowOnly, false); }

    Mem mem(int size, boolean lowOnly, boolean aligned) {
        long t = DATA + offset(size, aligned);
        if (aligned && t % size != 0) t -= t % size;
        boolean a32 = rnd.nextInt(10) == 0;
        List<Integer> bases = new ArrayList<>(), idx = new ArrayList<>();
        for (int r : pointers) if (!lowOnly || r < 8) bases.add(r);
        for (int r : indexes) if (!lowOnly || r < 8) idx.add(r);
        int kind = rnd.nextInt(10);
        if (kind < 6 && !bases.isEmpty()) {
            int b = bases.get(rnd.nextInt(bases.size()));
            int i = !idx.isEmpty() && rnd.nextBoolean() ? idx.get(rnd.nextInt(idx.size())) : -1;
            return new Mem(b, i, rnd.nextInt(4), t, a32);
        }
        if (kind < 7 && !idx.isEmpty()) return new Mem(-1, idx.get(rnd.nextInt(idx.size())), rnd.nextInt(4), t, a32);
        if (kind < 9) return new Mem(16, -1, 0, t, a32);
        return new Mem(-1, -1, 0, t, a32);
    }

    /** A memory operand for LEA: any registers, any displacement (no access is made). */
    Mem leaMem() {
        int b = rnd.nextInt(5) == 0 ? (rnd.nextBoolean() ? 16 : -1) : rnd.nextInt(16);
        int i = rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(16);
        if (i == RSP) i = -1;
        if (b == 16) i = -1;
        return new Mem(b, i, rnd.nextInt(4), rnd.nextInt(3) == 0 ? rnd.nextInt(256) - 128 : rnd.nextInt(), rnd.nextInt(5) == 0);
    }

    private boolean leaMode;

    /** A register that may be written at {@code size} (byte registers 4-7 are AH..BH when {@code legacy}); -1 if none. */
    int dst(int size, boolean legacy) {
        int n = legacy ? 8 : 16;
        for (int tries = 0; tries < 16; tries++) {
            int r = rnd.nextInt(n);
            int under = legacy && size == 1 && r >= 4 ? r - 4 : r;
            if (!pinned[under] && !(size == 1 && !legacy && r == RSP)) return r;
        }
        return -1;
    }

    int src(boolean legacy) { return rnd.nextInt(legacy ? 8 : 16); }

    // ---- encoding ----

    /** Builder for one instruction (SDM Vol. 2A 2.1: legacy prefixes, REX, opcode, ModRM, SIB, displacement, immediate). */
    final class Ins {
        final List<Integer> prefixes = new ArrayList<>();
        boolean w, forceRex, noRex, lock;
        int[] opcode;
        int plusReg = -1, reg = -1, rmReg = -1, immLen;
        Mem mem;
        long imm;

        Ins(int... opcode) { this.opcode = opcode; }

        Ins size(int size) {
            if (size == 2) prefixes.add(0x66);
            if (size == 8) w = true;
            return this;
        }

        Ins reg(int r) { reg = r; return this; }

        Ins rm(int r) { rmReg = r; return this; }

        Ins mem(Mem m) { mem = m; return this; }

        Ins rmOrMem(Object o) {
            if (o instanceof Mem m) mem = m;
            else rmReg = (Integer) o;
            return this;
        }

        Ins imm(int len, long v) { immLen = len; imm = v; return this; }

        Ins prefix(int p) { prefixes.add(p); return this; }

        boolean emit() {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            List<Integer> pfx = new ArrayList<>(prefixes);
            if (lock) pfx.add(0xf0);
            if (mem != null && mem.a32()) pfx.add(0x67);
            java.util.Collections.shuffle(pfx, rnd);
            if (mem != null && rnd.nextInt(20) == 0) pfx.add(rnd.nextBoolean() ? 0x3e : 0x2e);   // ignored in 64-bit mode
            for (int p : pfx) b.write(p);
            int rex = (w ? 8 : 0) | (reg >= 8 ? 4 : 0) | (plusReg >= 8 || rmReg >= 8 ? 1 : 0);
            if (mem != null) rex |= (mem.index() >= 8 ? 2 : 0) | (mem.base() >= 8 && mem.base() < 16 ? 1 : 0);
            if (noRex && rex != 0) return false;
            if (rex != 0 || forceRex) b.write(0x40 | rex);
            for (int k = 0; k < opcode.length; k++) b.write(k == opcode.length - 1 && plusReg >= 0 ? opcode[k] | plusReg & 7 : opcode[k]);
            int dispAt = -1;
            long disp = 0;
            if (mem != null) {
                Mem m = mem;
                long baseVal = m.base() >= 0 && m.base() < 16 ? value(m.base()) : 0;
                if (baseVal < 0 && !leaMode) baseVal ^= Long.MIN_VALUE;   // a non-canonical pointer: the access faults
                long idxVal = m.index() >= 0 ? value(m.index()) << m.scale() : 0;
                disp = leaMode ? m.target() : m.target() - baseVal - idxVal;
                int r3 = (reg & 7) << 3;
                if (m.base() == 16) {
                    b.write(r3 | 5);
                    dispAt = b.size();
                    writeLe(b, 0, 4);
                } else if (m.base() < 0) {
                    b.write(r3 | 4);
                    b.write(m.scale() << 6 | (m.index() < 0 ? 4 : m.index() & 7) << 3 | 5);
                    writeLe(b, disp, 4);
                } else {
                    boolean sib = m.index() >= 0 || (m.base() & 7) == 4;
                    int mod = disp == 0 && (m.base() & 7) != 5 && rnd.nextInt(4) != 0 ? 0
                            : disp == (byte) disp && rnd.nextInt(4) != 0 ? 1 : 2;
                    if (disp != (int) disp) return false;
                    b.write(mod << 6 | r3 | (sib ? 4 : m.base() & 7));
                    if (sib) b.write(m.scale() << 6 | (m.index() < 0 ? 4 : m.index() & 7) << 3 | m.base() & 7);
                    if (mod == 1) writeLe(b, disp, 1);
                    if (mod == 2) writeLe(b, disp, 4);
                }
                if (m.base() < 0 && disp != (int) disp) return false;
            } else if (rmReg >= 0) {
                b.write(0xc0 | (reg & 7) << 3 | rmReg & 7);
            }
            writeLe(b, imm, immLen);
            byte[] bytes = b.toByteArray();
            if (dispAt >= 0) {
                long nextRip = CODE + code.size() + bytes.length;
                long d = leaMode ? mem.target() : mem.target() - nextRip;
                if (d != (int) d) return false;
                for (int k = 0; k < 4; k++) bytes[dispAt + k] = (byte) (d >>> (8 * k));
            }
            if (bytes.length > 15 || code.size() + bytes.length > 0xd00) return false;
            code.writeBytes(bytes);
            return true;
        }
    }

    private static void writeLe(ByteArrayOutputStream b, long v, int n) {
        for (int k = 0; k < n; k++) b.write((int) (v >>> (8 * k)) & 0xff);
    }

    private int pick(int... v) { return v[rnd.nextInt(v.length)]; }

    private int vsize() { return pick(2, 4, 4, 8, 8); }

    /** Immediate length for a z-sized immediate (imm16 with 66, else imm32). */
    private static int zlen(int size) { return size == 2 ? 2 : 4; }

    private long immValue() { return rnd.nextInt(3) == 0 ? edgeValue() : rnd.nextInt(512) - 256; }

    // ---- the general ModRM form ----

    enum Use { READ, WRITE }

    /**
     * An instruction with a ModRM byte: {@code digit} >= 0 is an opcode extension, else the reg field is a
     * register operand used as {@code regUse}; the r/m operand is a register or memory used as {@code rmUse}.
     */
    boolean modrm(int size, int[] opc, int digit, Use regUse, Use rmUse, int immLen, long imm, boolean lockable, boolean memOnly) {
        boolean legacy = size == 1 && rnd.nextBoolean();
        Ins i = new Ins(opc).size(size).imm(immLen, imm);
        if (digit >= 0) i.reg(digit);
        else {
            int r = regUse == Use.WRITE ? dst(size, legacy) : src(legacy);
            if (r < 0) return false;
            i.reg(r);
        }
        if (memOnly || rnd.nextInt(5) < 2) {
            boolean locked = lockable && rnd.nextInt(3) == 0;
            i.mem(mem(size, legacy, locked));
            i.lock = locked;
        } else {
            int r = rmUse == Use.WRITE ? dst(size, legacy) : src(legacy);
            if (r < 0) return false;
            i.rm(r);
        }
        if (legacy) i.noRex = true;
        else if (size == 1) i.forceRex = true;
        return i.emit();
    }

    // ---- the table ----

    static final List<Form> FORMS = List.of(
            new Form("alu", 30, SequenceGenerator::alu),
            new Form("group1", 20, SequenceGenerator::group1),
            new Form("test", 6, SequenceGenerator::test),
            new Form("mov", 10, SequenceGenerator::mov),
            new Form("lea", 6, SequenceGenerator::lea),
            new Form("incdec", 8, SequenceGenerator::incDec),
            new Form("notneg", 6, SequenceGenerator::notNeg),
            new Form("muldiv", 10, SequenceGenerator::mulDiv),
            new Form("imul", 6, SequenceGenerator::imul),
            new Form("shift", 18, SequenceGenerator::shift),
            new Form("shiftdouble", 8, SequenceGenerator::shiftDouble),
            new Form("bittest", 10, SequenceGenerator::bitTest),
            new Form("bitscan", 8, SequenceGenerator::bitScan),
            new Form("extend", 8, SequenceGenerator::extend),
            new Form("cmov", 6, SequenceGenerator::cmov),
            new Form("setcc", 6, SequenceGenerator::setcc),
            new Form("xchg", 6, SequenceGenerator::xchg),
            new Form("xaddcmpxchg", 8, SequenceGenerator::xaddCmpxchg),
            new Form("cmpxchg8b", 4, SequenceGenerator::cmpxchg8b),
            new Form("stack", 10, SequenceGenerator::stack),
            new Form("string", 30, SequenceGenerator::string),
            new Form("flags", 8, SequenceGenerator::flagOps),
            new Form("convert", 4, SequenceGenerator::convert),
            new Form("misc", 4, SequenceGenerator::misc),
            new Form("jcc", 6, SequenceGenerator::jcc),
            new Form("transfer", 5, SequenceGenerator::transfer),
            new Form("invalid", 3, SequenceGenerator::invalid),
            new Form("privileged", 2, SequenceGenerator::privileged));

    private boolean alu() {
        int op = rnd.nextInt(8);
        boolean byteOp = rnd.nextInt(3) == 0;
        int size = byteOp ? 1 : vsize();
        boolean cmp = op == 7;
        return switch (rnd.nextInt(3)) {
            case 0 -> modrm(size, new int[] {op << 3 | (byteOp ? 0 : 1)}, -1, Use.READ, cmp ? Use.READ : Use.WRITE, 0, 0, !cmp, false);
            case 1 -> modrm(size, new int[] {op << 3 | (byteOp ? 2 : 3)}, -1, cmp ? Use.READ : Use.WRITE, Use.READ, 0, 0, false, false);
            default -> new Ins(op << 3 | (byteOp ? 4 : 5)).size(size).imm(byteOp ? 1 : zlen(size), immValue()).emit();
        };
    }

    private boolean group1() {
        int op = rnd.nextInt(8);
        boolean cmp = op == 7;
        return switch (rnd.nextInt(3)) {
            case 0 -> modrm(1, new int[] {0x80}, op, null, cmp ? Use.READ : Use.WRITE, 1, immValue(), !cmp, false);
            case 1 -> { int s = vsize(); yield modrm(s, new int[] {0x81}, op, null, cmp ? Use.READ : Use.WRITE, zlen(s), immValue(), !cmp, false); }
            default -> modrm(vsize(), new int[] {0x83}, op, null, cmp ? Use.READ : Use.WRITE, 1, immValue(), !cmp, false);
        };
    }

    private boolean test() {
        boolean byteOp = rnd.nextBoolean();
        int size = byteOp ? 1 : vsize();
        return switch (rnd.nextInt(3)) {
            case 0 -> modrm(size, new int[] {byteOp ? 0x84 : 0x85}, -1, Use.READ, Use.READ, 0, 0, false, false);
            case 1 -> new Ins(byteOp ? 0xa8 : 0xa9).size(size).imm(byteOp ? 1 : zlen(size), immValue()).emit();
            default -> modrm(size, new int[] {byteOp ? 0xf6 : 0xf7}, 0, null, Use.READ, byteOp ? 1 : zlen(size), immValue(), false, false);
        };
    }

    private boolean mov() {
        boolean byteOp = rnd.nextInt(3) == 0;
        int size = byteOp ? 1 : vsize();
        switch (rnd.nextInt(6)) {
            case 0: return modrm(size, new int[] {byteOp ? 0x88 : 0x89}, -1, Use.READ, Use.WRITE, 0, 0, false, false);
            case 1: return modrm(size, new int[] {byteOp ? 0x8a : 0x8b}, -1, Use.WRITE, Use.READ, 0, 0, false, false);
            case 2: return modrm(size, new int[] {byteOp ? 0xc6 : 0xc7}, 0, null, Use.WRITE, byteOp ? 1 : zlen(size), immValue(), false, false);
            case 3: {
                boolean legacy = byteOp && rnd.nextBoolean();
                int r = dst(size, legacy);
                if (r < 0) return false;
                Ins i = new Ins(byteOp ? 0xb0 : 0xb8).size(size).imm(byteOp ? 1 : size, edgeValue());
                i.plusReg = r;
                if (byteOp && !legacy) i.forceRex = true;
                if (legacy) i.noRex = true;
                return i.emit();
            }
            case 4: {   // moffs: A0-A3 with a 64-bit (or, with 67, 32-bit) absolute address
                int op = 0xa0 + rnd.nextInt(4);
                int s = (op & 1) == 0 ? 1 : size;
                boolean a32 = rnd.nextInt(4) == 0;
                Ins i = new Ins(op).size(s == 1 ? 1 : s).imm(a32 ? 4 : 8, DATA + offset(s, false));
                if (a32) i.prefix(0x67);
                return i.emit();
            }
            default: {   // MOV r/m, Sreg (8C): selectors as Linux sets them (CS 0x33, SS 0x2b, others 0)
                int sreg = rnd.nextInt(6);
                if (rnd.nextBoolean()) return new Ins(0x8c).reg(sreg).mem(mem(2, false)).emit();
                int r = dst(4, false);
                return r >= 0 && new Ins(0x8c).size(pick(2, 4, 8)).reg(sreg).rm(r).emit();
            }
        }
    }

    private boolean lea() {
        int r = dst(4, false);
        if (r < 0) return false;
        leaMode = true;
        try {
            return new Ins(0x8d).size(vsize()).reg(r).mem(leaMem()).emit();
        } finally {
            leaMode = false;
        }
    }

    private boolean incDec() {
        boolean byteOp = rnd.nextInt(3) == 0;
        return modrm(byteOp ? 1 : vsize(), new int[] {byteOp ? 0xfe : 0xff}, rnd.nextInt(2), null, Use.WRITE, 0, 0, true, false);
    }

    private boolean notNeg() {
        boolean byteOp = rnd.nextInt(3) == 0;
        return modrm(byteOp ? 1 : vsize(), new int[] {byteOp ? 0xf6 : 0xf7}, 2 + rnd.nextInt(2), null, Use.WRITE, 0, 0, true, false);
    }

    private boolean mulDiv() {
        boolean byteOp = rnd.nextInt(4) == 0;
        int size = byteOp ? 1 : vsize();
        int digit = 4 + rnd.nextInt(4);
        if (digit >= 6 && rnd.nextInt(3) != 0) {   // make the dividend small often, so not every divide is #DE
            if (byteOp) new Ins(0x0f, 0xb6).reg(RAX).rm(RAX).emit();                      // movzx eax, al
            else if (digit == 6) new Ins(0x31).reg(RDX).rm(RDX).emit();                 // xor edx, edx
            else new Ins(0x99).size(size).emit();                                        // cwd/cdq/cqo
        }
        return modrm(size, new int[] {byteOp ? 0xf6 : 0xf7}, digit, null, Use.READ, 0, 0, false, false);
    }

    private boolean imul() {
        int size = vsize();
        return switch (rnd.nextInt(3)) {
            case 0 -> modrm(size, new int[] {0x0f, 0xaf}, -1, Use.WRITE, Use.READ, 0, 0, false, false);
            case 1 -> modrm(size, new int[] {0x69}, -1, Use.WRITE, Use.READ, zlen(size), immValue(), false, false);
            default -> modrm(size, new int[] {0x6b}, -1, Use.WRITE, Use.READ, 1, immValue(), false, false);
        };
    }

    private static final int[] COUNTS = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65};

    private int count() { return rnd.nextInt(4) == 0 ? rnd.nextInt(256) : COUNTS[rnd.nextInt(COUNTS.length)]; }

    /** Sometimes sets CL to a chosen count first (when RCX is free). */
    private void maybeSetCl() {
        if (!pinned[RCX] && rnd.nextInt(3) != 0) new Ins(0xb1).imm(1, count()).emit();
    }

    private boolean shift() {
        boolean byteOp = rnd.nextInt(3) == 0;
        int size = byteOp ? 1 : vsize();
        int digit = rnd.nextInt(20) == 0 ? 6 : pick(0, 1, 2, 3, 4, 5, 7);   // /6: SAL alias of SHL
        int form = rnd.nextInt(3);
        if (form == 2) maybeSetCl();
        int op = (form == 0 ? 0xc0 : form == 1 ? 0xd0 : 0xd2) | (byteOp ? 0 : 1);
        return modrm(size, new int[] {op}, digit, null, Use.WRITE, form == 0 ? 1 : 0, count(), false, false);
    }

    private boolean shiftDouble() {
        int size = vsize();
        boolean cl = rnd.nextBoolean();
        if (cl) maybeSetCl();
        int op = (rnd.nextBoolean() ? 0xa4 : 0xac) | (cl ? 1 : 0);
        return modrm(size, new int[] {0x0f, op}, -1, Use.READ, Use.WRITE, cl ? 0 : 1, count(), false, false);
    }

    private boolean bitTest() {
        int size = vsize();
        int kind = rnd.nextInt(4);
        if (rnd.nextBoolean()) {   // 0F BA /4-7 ib
            return modrm(size, new int[] {0x0f, 0xba}, 4 + kind, null, kind == 0 ? Use.READ : Use.WRITE, 1, rnd.nextInt(256), kind != 0, false);
        }
        int op = 0xa3 | kind << 3;
        if (rnd.nextBoolean()) {   // register destination: the offset is taken modulo the width
            int d = kind == 0 ? src(false) : dst(size, false);
            return d >= 0 && new Ins(0x0f, op).size(size).reg(src(false)).rm(d).emit();
        }
        // memory with a register bit offset: the offset register holds a small signed value (SDM Vol. 2A BT)
        int off;
        if (!indexes.isEmpty() && rnd.nextBoolean()) off = indexes.get(rnd.nextInt(indexes.size()));
        else {
            off = dst(4, false);
            if (off < 0) return false;
            new Ins(0xc7).size(8).reg(0).rm(off).imm(4, rnd.nextInt(2048) - 1024).emit();
        }
        Ins i = new Ins(0x0f, op).size(size).reg(off).mem(mem(size, false, true));
        i.lock = kind != 0 && rnd.nextInt(3) == 0;
        return i.emit();
    }

    private boolean bitScan() {
        int size = vsize();
        return switch (rnd.nextInt(4)) {
            case 0 -> modrm(size, new int[] {0x0f, 0xbc}, -1, Use.WRITE, Use.READ, 0, 0, false, false);
            case 1 -> modrm(size, new int[] {0x0f, 0xbd}, -1, Use.WRITE, Use.READ, 0, 0, false, false);
            case 2 -> {   // POPCNT: F3 0F B8
                int r = dst(size, false);
                yield r >= 0 && new Ins(0x0f, 0xb8).size(size).prefix(0xf3).reg(r).rmOrMem(rnd.nextBoolean() ? mem(size, false) : src(false)).emit();
            }
            default -> {   // BSWAP r32/r64
                int r = dst(4, false);
                Ins i = new Ins(0x0f, 0xc8).size(pick(4, 8));
                i.plusReg = r;
                yield r >= 0 && i.emit();
            }
        };
    }

    private boolean extend() {
        int size = vsize();
        return switch (rnd.nextInt(5)) {
            case 0 -> byteSource(size, 0xb6);
            case 1 -> byteSource(size, 0xbe);
            case 2 -> modrm(size, new int[] {0x0f, 0xb7}, -1, Use.WRITE, Use.READ, 0, 0, false, false) ;
            case 3 -> modrm(size, new int[] {0x0f, 0xbf}, -1, Use.WRITE, Use.READ, 0, 0, false, false);
            default -> modrm(pick(4, 8, 8), new int[] {0x63}, -1, Use.WRITE, Use.READ, 0, 0, false, false);   // MOVSXD
        };
    }

    /** MOVZX/MOVSX with a byte source: AH..BH need the encoding without REX. */
    private boolean byteSource(int size, int op) {
        boolean legacy = rnd.nextBoolean() && size != 8;
        int d = dst(size, false);
        if (d < 0 || legacy && d >= 8) return false;
        Ins i = new Ins(0x0f, op).size(size).reg(d).rmOrMem(rnd.nextBoolean() ? mem(1, legacy) : src(legacy));
        if (legacy) i.noRex = true;
        else i.forceRex = true;
        return i.emit();
    }

    private boolean cmov() {
        return modrm(vsize(), new int[] {0x0f, 0x40 + rnd.nextInt(16)}, -1, Use.WRITE, Use.READ, 0, 0, false, false);
    }

    private boolean setcc() {
        return modrm(1, new int[] {0x0f, 0x90 + rnd.nextInt(16)}, 0, null, Use.WRITE, 0, 0, false, false);
    }

    private boolean xchg() {
        boolean byteOp = rnd.nextInt(3) == 0;
        int size = byteOp ? 1 : vsize();
        if (rnd.nextInt(3) == 0 && !byteOp) {   // 90+r: XCHG eAX, r (90 itself is NOP unless REX.B)
            int r = dst(size, false);
            if (r < 0) return false;
            Ins i = new Ins(0x90).size(size);
            i.plusReg = r;
            return i.emit();
        }
        boolean legacy = byteOp && rnd.nextBoolean();
        int r = dst(size, legacy);
        if (r < 0) return false;
        Ins i = new Ins(byteOp ? 0x86 : 0x87).size(size).reg(r);
        if (rnd.nextBoolean()) i.mem(mem(size, legacy, true));   // implicitly locked: keep it aligned
        else {
            int d = dst(size, legacy);
            if (d < 0) return false;
            i.rm(d);
        }
        if (legacy) i.noRex = true;
        else if (byteOp) i.forceRex = true;
        return i.emit();
    }

    private boolean xaddCmpxchg() {
        boolean byteOp = rnd.nextInt(3) == 0;
        int size = byteOp ? 1 : vsize();
        boolean xadd = rnd.nextBoolean();
        int op = (xadd ? 0xc0 : 0xb0) | (byteOp ? 0 : 1);
        if (!xadd && rnd.nextBoolean()) {   // load the accumulator from the destination so the compare can succeed
            Mem m = mem(size, false, true);
            new Ins(byteOp ? 0x8a : 0x8b).size(size).reg(RAX).mem(m).emit();
            Ins i = new Ins(0x0f, op).size(size).reg(src(false)).mem(m);
            if (byteOp) i.forceRex = true;
            i.lock = rnd.nextBoolean();
            return i.emit();
        }
        return modrm(size, new int[] {0x0f, op}, -1, xadd ? Use.WRITE : Use.READ, Use.WRITE, 0, 0, true, false);
    }

    private boolean cmpxchg8b() {
        boolean wide = rnd.nextBoolean();
        int size = wide ? 16 : 8;
        Mem m = mem(8, false, true);
        if (wide && rnd.nextInt(8) != 0) m = new Mem(m.base(), m.index(), m.scale(), m.target() & ~15L, m.a32());
        if (rnd.nextBoolean()) {   // RDX:RAX from memory so the compare can succeed
            new Ins(0x8b).size(wide ? 8 : 4).reg(RAX).mem(m).emit();
            Mem hi = new Mem(m.base(), m.index(), m.scale(), m.target() + size / 2, m.a32());
            new Ins(0x8b).size(wide ? 8 : 4).reg(RDX).mem(hi).emit();
        }
        Ins i = new Ins(0x0f, 0xc7).reg(1).mem(m);
        i.w = wide;
        i.lock = rnd.nextBoolean();
        return i.emit();
    }

    private boolean stack() {
        switch (rnd.nextInt(9)) {
            case 0: {   // PUSH r (50+r), 16- or 64-bit
                int size = rnd.nextInt(4) == 0 ? 2 : 8;
                Ins i = new Ins(0x50);
                if (size == 2) i.prefix(0x66);
                i.plusReg = rnd.nextInt(16);
                rspDelta -= size;
                return i.emit();
            }
            case 1: {   // POP r (58+r)
                int size = rnd.nextInt(4) == 0 ? 2 : 8;
                int r = dst(size, false);
                if (r < 0) return false;
                Ins i = new Ins(0x58);
                if (size == 2) i.prefix(0x66);
                i.plusReg = r;
                rspDelta += size;
                return i.emit();
            }
            case 2: {   // PUSH imm8 / imm32 (16-bit with 66)
                boolean small = rnd.nextBoolean();
                boolean o16 = rnd.nextInt(4) == 0;
                Ins i = new Ins(small ? 0x6a : 0x68).imm(small ? 1 : o16 ? 2 : 4, immValue());
                if (o16) i.prefix(0x66);
                rspDelta -= o16 ? 2 : 8;
                return i.emit();
            }
            case 3: {   // PUSH r/m (FF /6)
                int size = rnd.nextInt(4) == 0 ? 2 : 8;
                Ins i = new Ins(0xff).reg(6).rmOrMem(rnd.nextBoolean() ? mem(size, false) : src(false));
                if (size == 2) i.prefix(0x66);
                rspDelta -= size;
                return i.emit();
            }
            case 4: {   // POP r/m (8F /0): RSP is incremented before the address is computed
                int size = rnd.nextInt(4) == 0 ? 2 : 8;
                Object o = rnd.nextBoolean() ? mem(size, false) : (Object) dst(size, false);
                if (o instanceof Integer r && r < 0) return false;
                Ins i = new Ins(0x8f).reg(0).rmOrMem(o);
                if (size == 2) i.prefix(0x66);
                rspDelta += size;
                return i.emit();
            }
            case 5:
                rspDelta -= 8;
                return new Ins(0x9c).emit();   // PUSHF
            case 6: {   // PUSH imm32; POPF with arithmetic flags and DF only
                new Ins(0x68).imm(4, 0x202 | rnd.nextInt(0x1000) & 0xcd5).emit();
                return new Ins(0x9d).emit();
            }
            case 7:
                rspDelta -= 8;
                return new Ins(0xe8).imm(4, 0).emit();   // CALL to the next instruction
            default: {   // LEAVE needs RBP near RSP: MOV RBP, RSP first; or ENTER size, level (nesting copies frame pointers)
                if (pinned[RBP]) return false;
                if (rnd.nextBoolean()) {
                    int size = rnd.nextInt(3) * 8 + rnd.nextInt(2) * 2, level = rnd.nextInt(4) == 0 ? rnd.nextInt(4) : 0;
                    Ins e = new Ins(0xc8).imm(3, size | level << 16);
                    if (rnd.nextInt(4) == 0) e.prefix(0x66);
                    rspDelta -= size + 8L * (level + 1);
                    if (level > 0) new Ins(0x89).size(8).reg(RSP).rm(RBP).emit();   // RBP must point into the page for nesting
                    return e.emit();
                }
                new Ins(0x89).size(8).reg(RSP).rm(RBP).emit();
                rspDelta += 8;
                Ins l = new Ins(0xc9);
                if (rnd.nextInt(4) == 0) l.prefix(0x66);
                return l.emit();
            }
        }
    }

    private boolean string() {
        if (!strings) return false;
        int op = pick(0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf);
        boolean compare = op == 0xa6 || op == 0xa7 || op == 0xae || op == 0xaf;
        int size = (op & 1) == 0 ? 1 : vsize();
        Ins i = new Ins(op).size(size);
        int rep = rnd.nextInt(4);
        if (rep >= 2) i.prefix(compare && rep == 3 ? 0xf2 : 0xf3);
        if (rnd.nextInt(10) == 0) i.prefix(0x67);
        if (rnd.nextInt(3) == 0) {
            if (rnd.nextBoolean()) new Ins(0xfd).emit();   // STD
            else new Ins(0xfc).emit();                    // CLD
        }
        return i.emit();
    }

    private boolean flagOps() {
        int op = pick(0xf5, 0xf8, 0xf9, 0xfc, 0xfd, 0x9e, 0x9f);
        return new Ins(op).emit();
    }

    private boolean convert() {
        int size = vsize();
        return new Ins(rnd.nextBoolean() ? 0x98 : 0x99).size(size).emit();   // CBW/CWDE/CDQE, CWD/CDQ/CQO
    }

    private boolean misc() {
        switch (rnd.nextInt(5)) {
            case 0: {   // XLAT: [RBX + AL]
                if (!pointers.contains(RBX) || value(RBX) - DATA > 0xe00) return false;
                Ins i = new Ins(0xd7);
                i.w = rnd.nextBoolean();
                return i.emit();
            }
            case 1: return new Ins(0x90).emit();
            case 2: return new Ins(0x90).prefix(0xf3).emit();   // PAUSE
            case 3: return new Ins(0x0f, 0x1f).reg(0).mem(mem(4, false)).emit();   // multi-byte NOP
            default: return new Ins(0x0f, 0x18).reg(rnd.nextInt(4)).mem(mem(1, false)).emit();   // PREFETCHh
        }
    }

    /** A conditional (or unconditional) branch over the next instruction, or LOOP/JRCXZ to it. */
    private boolean jcc() {
        int kind = rnd.nextInt(5);
        long rsp = rspDelta;
        if (kind == 0) {   // Jcc rel32 over the next instruction
            int at = code.size();
            if (!new Ins(0x0f, 0x80 + rnd.nextInt(16)).imm(4, 0).emit()) return false;
            int before = code.size();
            emitOne(true);
            patch(at + 2, code.size() - before, 4);
            rspDelta = rsp;
            return true;
        }
        int op = switch (kind) {
            case 1, 2 -> 0x70 + rnd.nextInt(16);
            case 3 -> rnd.nextBoolean() ? 0xeb : 0xe9;
            default -> pinned[RCX] ? 0xe3 : pick(0xe0, 0xe1, 0xe2, 0xe3);
        };
        int at = code.size(), immLen = op == 0xe9 ? 4 : 1;
        Ins j = new Ins(op).imm(immLen, 0);
        if (op >= 0xe0 && op <= 0xe3 && !pinned[RCX] && rnd.nextInt(4) == 0) j.prefix(0x67);   // ECX as the counter
        if (!j.emit()) return false;
        int before = code.size();
        emitOne(true);
        int len = code.size() - before;
        if (len > 127) return true;
        patch(code.size() - len - immLen, len, immLen);
        rspDelta = rsp;
        return true;
    }

    /** Indirect and returning transfers that land on the next instruction: RET/RET imm16, JMP/CALL r/m64. */
    private boolean transfer() {
        long here = CODE + code.size();
        switch (rnd.nextInt(4)) {
            case 0: {   // PUSH imm32 target; RET (C3) or RET imm16 (C2)
                boolean imm = rnd.nextBoolean();
                new Ins(0x68).imm(4, here + 5 + (imm ? 3 : 1)).emit();
                if (!imm) return new Ins(0xc3).emit();
                int n = pick(0, 8, 16);
                rspDelta += n;
                return new Ins(0xc2).imm(2, n).emit();
            }
            case 1: case 2: {   // LEA r, [RIP + len]; JMP r / CALL r
                int r = dst(8, false);
                if (r < 0) return false;
                boolean call = rnd.nextBoolean();
                leaMode = true;
                try {
                    new Ins(0x8d).size(8).reg(r).mem(new Mem(16, -1, 0, r >= 8 ? 3 : 2, false)).emit();
                } finally {
                    leaMode = false;
                }
                if (call) rspDelta -= 8;
                return new Ins(0xff).reg(call ? 2 : 4).rm(r).emit();
            }
            default: {   // MOV qword [m], imm32 target; JMP/CALL [m]
                Mem m = mem(8, false, true);
                boolean call = rnd.nextBoolean();
                int at = code.size();
                if (!new Ins(0xc7).size(8).reg(0).mem(m).imm(4, 0).emit()) return false;
                int mark = code.size();
                if (!new Ins(0xff).reg(call ? 2 : 4).mem(m).emit()) return true;
                if (call) rspDelta -= 8;
                patch(mark - 4, CODE + code.size(), 4);
                return at >= 0;
            }
        }
    }

    private void patch(int at, long v, int n) {
        byte[] b = code.toByteArray();
        for (int k = 0; k < n; k++) b[at + k] = (byte) (v >>> (8 * k));
        code.reset();
        code.writeBytes(b);
    }

    /** Encodings that are #UD in 64-bit mode (SDM Vol. 2D A.2.5 "i64"), UD2/UD1, and LOCK where not allowed. */
    private boolean invalid() {
        switch (rnd.nextInt(8)) {
            case 0: return new Ins(pick(0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0xce, 0xd6)).emit();
            case 4: return new Ins(0x82).reg(rnd.nextInt(8)).rm(RAX).imm(1, 1).emit();   // 82: 80 alias, i64
            case 5: return new Ins(pick(0x9a, 0xea)).imm(6, 0x33_2000_1000L).emit();   // far CALL/JMP ptr16:32, i64
            case 6: return new Ins(0x8d).reg(RAX).rm(RCX).emit();   // LEA with a register operand
            case 7: return new Ins(0x0f, pick(0xb9, 0xff)).reg(RAX).rm(RAX).emit();   // UD1, UD0
            case 1: return new Ins(pick(0xd4, 0xd5)).imm(1, 10).emit();   // AAM/AAD
            case 2: return new Ins(0x0f, 0x0b).emit();   // UD2
            default: {   // LOCK on a register destination or on MOV
                Ins i = rnd.nextBoolean() ? new Ins(0x01).reg(src(false)).rm(src(false)) : new Ins(0x89).reg(src(false)).mem(mem(4, false));
                i.lock = true;
                return i.emit();
            }
        }
    }

    /** Instructions that #GP at CPL 3 (HLT, CLI/STI with IOPL 0, port I/O without a permission bitmap, CR/MSR access). */
    private boolean privileged() {
        return switch (rnd.nextInt(8)) {
            case 0 -> new Ins(0xf4).emit();
            case 1 -> new Ins(pick(0xfa, 0xfb)).emit();
            case 2 -> new Ins(pick(0xe4, 0xe5, 0xe6, 0xe7)).imm(1, 0x80).emit();
            case 3 -> new Ins(pick(0xec, 0xed, 0xee, 0xef, 0x6c, 0x6d, 0x6e, 0x6f)).emit();
            case 4 -> new Ins(0x0f, 0x20).reg(pick(0, 3, 4)).rm(RAX).emit();
            case 5 -> new Ins(0x0f, pick(0x30, 0x32, 0x06, 0x08, 0x09)).emit();
            case 6 -> new Ins(0x0f, 0x01).reg(pick(2, 3, 7)).mem(mem(8, false)).emit();
            default -> new Ins(0x0f, 0x00).reg(pick(2, 3)).rm(RAX).emit();
        };
    }
}
