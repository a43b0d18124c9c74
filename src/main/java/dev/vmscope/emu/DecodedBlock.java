package dev.vmscope.emu;

import java.lang.foreign.MemorySegment;

/**
 * A run of decoded instructions inside one code page that the interpreter executes with one check of its bytes
 * on entry (Bochs' trace cache, blink's basic blocks): instructions that only compute, load and store, ending
 * with the first near branch. Anything else (system instructions, string and port I/O, LOCK, segment loads) is
 * left to the one-instruction path. See package-info for the self-modifying-code rule.
 */
final class DecodedBlock {
    /** Marks a page offset whose first instruction cannot start a block. */
    static final DecodedBlock NONE = new DecodedBlock(new Insn[0], 0, 0, 0, MemorySegment.NULL, 0);
    static final int MAX_INSNS = 64;

    final Insn[] insns;
    /** Decode mode (2, 4 or 8 bytes) the instructions were decoded for. */
    final int mode;
    /** Byte length of the block and the offset of its last instruction from the first. */
    final int len, lastStart;
    // The block's bytes as 8-byte words from its start, the last one ending at the block's end (overlapping the
    // one before); a block shorter than 8 bytes is one masked word that stays inside the page.
    private final int start, shortPos;
    private final long[] val;
    private final long shortKeep;

    DecodedBlock(Insn[] insns, int mode, int start, int len, MemorySegment page, long pageOff) {
        this.insns = insns;
        this.mode = mode;
        this.len = len;
        this.start = start;
        int last = 0;
        for (int k = 0, o = 0; k < insns.length; o += insns[k].len, k++) last = o;
        this.lastStart = last;
        if (len >= 8) {
            val = new long[(len + 7) / 8];
            for (int k = 0; k < val.length - 1; k++) val[k] = page.get(CpuMemory.L, pageOff + start + 8L * k);
            val[val.length - 1] = page.get(CpuMemory.L, pageOff + start + len - 8);
            shortPos = 0;
            shortKeep = 0;
        } else {
            boolean fits = start + 8 <= 4096;
            shortPos = fits ? start : start + len - 8;
            shortKeep = len == 0 ? 0 : fits ? (1L << (8 * len)) - 1 : -1L << (8 * (8 - len));
            val = new long[] {len == 0 ? 0 : page.get(CpuMemory.L, pageOff + shortPos) & shortKeep};
        }
    }

    /** True when the page (at {@code pageOff} in {@code page}) still holds the bytes the block was decoded from. */
    boolean matches(MemorySegment page, long pageOff) {
        long[] v = val;
        if (len < 8) return len == 0 || (page.get(CpuMemory.L, pageOff + shortPos) & shortKeep) == v[0];
        long base = pageOff + start;
        int n = v.length - 1;
        for (int k = 0; k < n; k++) if (page.get(CpuMemory.L, base + 8L * k) != v[k]) return false;
        return page.get(CpuMemory.L, base + len - 8) == v[n];
    }

    /** Instructions a block may hold: no effect on the fetch context, interrupt shadows, IF/TF, exits other than MMIO writes. */
    static boolean blockable(Insn in) {
        if (in.status != Insn.OK || in.lock) return false;
        int op = in.op;
        if (op < 0x100) {
            if (op < 0x40) return (op & 7) < 6 || op == 0x06 || op == 0x0e || op == 0x16 || op == 0x1e || (op & 7) == 7 && op != 0x07 && op != 0x17 && op != 0x1f;
            if (op < 0x6c) return true;
            if (op < 0x80) return op >= 0x70;
            if (op == 0x86 || op == 0x87) return in.mod == 3;
            if (op < 0xa4) return op != 0x8e && op != 0x9a && op != 0x9d;
            if (op < 0xb0) return op == 0xa8 || op == 0xa9;
            if (op < 0xc4) return true;
            if (op < 0xd8) return op == 0xc6 || op == 0xc7 || op == 0xc8 || op == 0xc9 || op >= 0xd0;
            if (op < 0xe0) return false;
            if (op < 0xe4) return true;
            if (op < 0xf5) return op == 0xe8 || op == 0xe9 || op == 0xeb;
            if (op == 0xff) { int g = in.reg & 7; return g != 3 && g != 5 && g != 7; }
            return op != 0xfa && op != 0xfb;
        }
        if (op >= 0x200) return false;
        int b = op & 0xff;
        return b >= 0x18 && b <= 0x1f || b >= 0x40 && b <= 0x4f || b >= 0x80 && b <= 0x9f || b >= 0xc8 && b <= 0xcf
                || b == 0xa3 || b == 0xa4 || b == 0xa5 || b == 0xab || b == 0xac || b == 0xad || b == 0xaf || b == 0xb0 || b == 0xb1
                || b == 0xb3 || b >= 0xb6 && b <= 0xbf && b != 0xb8 && b != 0xb9 || b == 0xc0 || b == 0xc1;
    }

    /** Near branches: the last instruction of a block. */
    static boolean endsBlock(Insn in) {
        int op = in.op;
        return op >= 0x70 && op <= 0x7f || op == 0xc2 || op == 0xc3 || op >= 0xe0 && op <= 0xe3 || op == 0xe8 || op == 0xe9
                || op == 0xeb || op == 0xff && ((in.reg & 7) == 2 || (in.reg & 7) == 4) || op >= 0x180 && op <= 0x18f;
    }
}
