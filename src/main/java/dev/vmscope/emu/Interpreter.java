package dev.vmscope.emu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;

/**
 * Fetch and execute: decoded instructions are cached per physical page and reused while their bytes still
 * match guest memory (compared on every execution, as blink does), so self-modifying code, code written by
 * other vCPUs and DMA are seen without any invalidation protocol. One {@link #step()} executes one instruction
 * (or one batch of REP iterations) and commits it; faults unwind to the instruction start.
 */
abstract class Interpreter extends ExecTwoByte {
    private static final int CODE_PAGES_MAX = 8192;

    private final HashMap<Long, Insn[]> codePages = new HashMap<>();
    private long fetchLinPage = -1;
    private Insn[] fetchInsns;
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
            synchronized (phys.atomic) { exec(in); }
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
        Insn[] arr = codePages.get(page);
        if (arr == null) {
            if (codePages.size() >= CODE_PAGES_MAX) codePages.clear();
            arr = new Insn[4096];
            codePages.put(page, arr);
        }
        fetchInsns = arr;
        fetchSeg = s.host();
        fetchOff = (pa & ~0xfffL) - s.gpa();
        fetchLinPage = lin >>> 12;
    }

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
