package dev.vmscope.emu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;

/**
 * Fetch and execute: decoded instructions are cached per physical page and reused while their bytes still
 * match guest memory, so self-modifying code, code written by other vCPUs and DMA are seen without any
 * invalidation protocol. One {@link #step()} executes one instruction (or one batch of REP iterations),
 * comparing its bytes first; {@link #runBlock()} executes a {@link DecodedBlock}, comparing the block's bytes
 * once (the rule for code writes is in package-info). Each instruction commits on its own; faults unwind to
 * the instruction start.
 */
abstract class Interpreter extends ExecTwoByte {
    private static final int CODE_PAGES_MAX = 8192;

    /** Decoded code of one physical page: instructions and blocks by page offset (blocks made on first use). */
    private static final class CodePage {
        final Insn[] insns = new Insn[4096];
        DecodedBlock[] blocks;
    }

    private final HashMap<Long, CodePage> codePages = new HashMap<>();
    private long fetchLinPage = -1;
    private Insn[] fetchInsns;
    private CodePage fetchCode;
    private MemorySegment fetchSeg;
    private long fetchOff;
    /** Set at the end of an instruction that opened an interrupt shadow (STI, MOV SS, POP SS). */
    boolean shadowActive;
    /** The last decoded instruction (for emulation-failure exits and traces). */
    Insn current;
    long currentLin;

    Interpreter(PhysMemory phys) { super(phys); }

    @Override
    final void modeChanged() {
        userBit = cpl == 3 ? 1 : 0;
        fetchLinPage = -1;
    }

    @Override
    final void codeFlushed() { fetchLinPage = -1; }

    /** Executes one instruction; throws Fault (nothing committed), ExitRequest or EmuFailure. */
    final void step() {
        stiShadow = false;
        interruptShadow = false;
        current = null;
        Insn in = fetch();
        current = in;
        long nx = rip + in.len;
        next = code64 ? nx : codeSize == 4 ? nx & 0xffffffffL : nx & 0xffff;
        if (in.status != Insn.OK) {
            if (in.status == Insn.TOO_LONG) throw Fault.gp(0);
            throw Fault.ud();
        }
        mmioIdx = 0;
        if (in.lock || (in.op == 0x86 || in.op == 0x87) && in.mod != 3) {
            synchronized (phys.atomic) { execLocked(in); }
        } else {
            exec(in);
        }
        rip = next;
        instructions++;
        mmioCount = 0;
        mmioIdx = 0;
        msrDone = false;
        ioData = null;
        committedExits = queuedExits.size();
        shadowActive = stiShadow || interruptShadow;
    }

    /**
     * A locked read-modify-write: its write is a compare-and-set against the value its read saw (see
     * CpuMemory's LOCK note); when a plain store of another vCPU came in between, the registers and flags
     * are put back and the instruction runs again, so it takes effect atomically or not at all.
     */
    private void execLocked(Insn in) {
        long[] saved = r.clone();
        long f = flags, res = lres, a = la, b = lb;
        int op = lop, sz = lsz;
        for (;;) {
            beginLocked();
            try {
                exec(in);
                return;
            } catch (LockRetry retry) {
                System.arraycopy(saved, 0, r, 0, r.length);
                flags = f; lres = res; la = a; lb = b; lop = op; lsz = sz;
                abortAttempt();
                Thread.onSpinWait();
            } finally {
                endLocked();
            }
        }
    }

    private void exec(Insn in) {
        if (in.op < 0x100) execOneByte(in);
        else execTwoByte(in);
    }

    final long linearRip() {
        if (code64) return rip;
        if (rip > segLimit[CS]) throw Fault.gp(0);
        return (segBase[CS] + rip) & 0xffffffffL;
    }

    private Insn fetch() {
        long lin = linearRip();
        currentLin = lin;
        if ((lin >>> 12) != fetchLinPage) fetchPage(lin);
        int off = (int) lin & 0xfff;
        Insn in = fetchInsns == null ? null : fetchInsns[off];
        if (in != null && in.mode == codeSize && matches(in, fetchOff + off)) return in;
        in = Decoder.decode(i -> codeByte(lin, i), codeSize);
        if (fetchInsns != null && off + in.len <= 4096 && in.status == Insn.OK) fetchInsns[off] = in;
        return in;
    }

    private void fetchPage(long lin) {
        long pa = translate(lin, ACC_EXEC);
        PhysMemory.Slot s = phys.find(pa);
        if (s == null) throw new EmuFailure("instruction fetch from MMIO at physical 0x" + Long.toHexString(pa));
        long page = pa >>> 12;
        CodePage cp = codePages.get(page);
        if (cp == null) {
            if (codePages.size() >= CODE_PAGES_MAX) codePages.clear();
            cp = new CodePage();
            codePages.put(page, cp);
        }
        fetchCode = cp;
        fetchInsns = cp.insns;
        fetchSeg = s.host();
        fetchOff = (pa & ~0xfffL) - s.gpa();
        fetchLinPage = lin >>> 12;
        codeSeg = fetchSeg;
        codeLo = fetchOff - 8;
    }

    /**
     * Executes decoded blocks from RIP, one after another, until {@code budget} instructions retired, RIP has
     * no block, an instruction wrote the running block's code page or queued an exit, or a kick came; returns how
     * many instructions retired (0: no block at RIP, or the CPU is finishing an exited instruction; the caller
     * uses {@link #step()}). Each block's bytes are checked on entry. Throws as {@link #step()} does, with RIP at
     * the instruction that faulted or exited. Only instructions that cannot change IF, TF, interrupt shadows or
     * the fetch context are in blocks, so events need not be looked at between them.
     */
    final int runBlocks(int budget) {
        if (mmioCount != 0 || ioData != null || msrDone) return 0;
        blockStop = false;
        lastBlock = null;
        int done = 0;
        while (done < budget) {
            int n = runBlock(budget - done);
            done += n;
            if (n == 0 || blockStop || kickPending()) break;
        }
        return done;
    }

    /** Another thread asked the vCPU to leave run(). */
    abstract boolean kickPending();

    /**
     * The block just executed in this chain: when it branches back to itself (a tight loop) its bytes are not
     * compared again until the chain ends (this CPU's own stores into its page end the chain anyway).
     */
    private DecodedBlock lastBlock;

    private int runBlock(int max) {
        current = null;
        long lin = linearRip();
        if ((lin >>> 12) != fetchLinPage) fetchPage(lin);
        int off = (int) lin & 0xfff;
        DecodedBlock[] blocks = fetchCode.blocks;
        if (blocks == null) blocks = fetchCode.blocks = new DecodedBlock[4096];
        DecodedBlock b = blocks[off];
        if (b == null || b != lastBlock && (b.mode != codeSize && b != DecodedBlock.NONE || !b.matches(fetchSeg, fetchOff))) {
            b = buildBlock(off);
            blocks[off] = b;
        }
        lastBlock = b;
        Insn[] insns = b.insns;
        if (insns.length == 0) return 0;
        long pc = rip;
        if (!code64 && (pc + b.lastStart > segLimit[CS] || pc + b.len >= (codeSize == 4 ? 1L << 32 : 1L << 16))) return 0;
        currentLin = lin;
        int end = Math.min(insns.length, max);
        for (int k = 0; k < end; k++) {
            Insn in = insns[k];
            current = in;
            next = pc + in.len;
            exec(in);
            pc = rip = next;
            instructions++;
            if (blockStop) return k + 1;
        }
        return end;
    }

    /** Decodes the block starting at page offset {@code off} (NONE when its first instruction cannot be in one). */
    private DecodedBlock buildBlock(int off) {
        java.util.ArrayList<Insn> list = new java.util.ArrayList<>();
        int o = off;
        while (list.size() < DecodedBlock.MAX_INSNS && o < 4096) {
            Insn in = pageInsn(o);
            if (in == null || !DecodedBlock.blockable(in)) break;
            list.add(in);
            o += in.len;
            if (DecodedBlock.endsBlock(in)) break;
        }
        if (list.isEmpty()) return DecodedBlock.NONE;
        return new DecodedBlock(list.toArray(new Insn[0]), codeSize, off, o - off, fetchSeg, fetchOff);
    }

    /** The instruction at page offset {@code o} of the fetch page, from the cache or decoded; null if it leaves the page. */
    private Insn pageInsn(int o) {
        Insn in = fetchInsns[o];
        if (in != null && in.mode == codeSize && matches(in, fetchOff + o)) return in;
        MemorySegment seg = fetchSeg;
        long base = fetchOff + o;
        int room = 4096 - o;
        try {
            in = Decoder.decode(i -> {
                if (i >= room) throw OFF_PAGE;
                return seg.get(ValueLayout.JAVA_BYTE, base + i) & 0xff;
            }, codeSize);
        } catch (OffPage e) {
            return null;
        }
        if (in.status != Insn.OK) return null;
        fetchInsns[o] = in;
        return in;
    }

    private static final class OffPage extends RuntimeException {
        OffPage() { super(null, null, false, false); }
    }

    private static final OffPage OFF_PAGE = new OffPage();

    private boolean matches(Insn in, long o) {
        MemorySegment s = fetchSeg;
        int len = in.len;
        if (o + 16 > s.byteSize()) return false;
        long lo = s.get(L, o);
        if (len < 8) return ((lo ^ in.lo) & ((1L << (8 * len)) - 1)) == 0;
        if (lo != in.lo) return false;
        if (len == 8) return true;
        long hi = s.get(L, o + 8);
        return ((hi ^ in.hi) & ((1L << (8 * (len - 8))) - 1)) == 0;
    }

    private int codeByte(long lin, int i) {
        long a = code64 ? lin + i : (lin + i) & 0xffffffffL;
        long pa = translate(a, ACC_EXEC);
        PhysMemory.Slot s = phys.find(pa);
        if (s == null) throw new EmuFailure("instruction fetch from MMIO at physical 0x" + Long.toHexString(pa));
        return s.host().get(ValueLayout.JAVA_BYTE, pa - s.gpa()) & 0xff;
    }

    /** Up to 15 bytes at RIP for failure reports, without faulting. */
    final byte[] bytesAtRip() {
        if (current != null && current.len > 0) return current.bytes();
        byte[] b = new byte[15];
        int n = 0;
        try {
            long lin = linearRip();
            for (; n < 15; n++) b[n] = (byte) codeByte(lin, n);
        } catch (RuntimeException e) {
            // stop at the first byte that cannot be fetched
        }
        return java.util.Arrays.copyOf(b, n);
    }

    /** Drops every cached decode (state replaced wholesale). */
    final void forgetCode() {
        codePages.clear();
        fetchLinPage = -1;
    }
}
