package dev.vmscope.emu;

import dev.vmscope.emu.softfloat.FpuState;

/**
 * The x87 environment image of FNSTENV/FLDENV and FNSAVE/FRSTOR in its four layouts (Intel SDM Vol. 1 8.1.10,
 * figures 8-9 to 8-12): 32-bit operand size 28 bytes, 16-bit 14 bytes; protected mode stores offset and
 * selector of the last instruction and operand, real mode their linear address (selector * 16 + offset) in
 * split fields with the opcode. FNSAVE/FRSTOR append ST(0)..ST(7), 10 bytes each, in stack order.
 */
final class X87Env {
    private X87Env() {}

    static int envSize(boolean op32) { return op32 ? 28 : 14; }

    static int saveSize(boolean op32) { return envSize(op32) + 80; }

    static void store(FpuState f, byte[] m, boolean op32, boolean real) {
        if (op32 && !real) { f.fnstenv(m, 0); return; }
        long ip = real ? ((long) f.fcs << 4) + f.fip : f.fip, dp = real ? ((long) f.fds << 4) + f.fdp : f.fdp;
        int fop = f.fop & 0x7FF;
        if (op32) {   // figure 8-10: reserved upper halves read as ones, as the protected layout
            put(m, 0, 0xFFFF0000L | f.fcw, 4);
            put(m, 4, 0xFFFF0000L | f.statusWord(), 4);
            put(m, 8, 0xFFFF0000L | f.fullTags(), 4);
            put(m, 12, 0xFFFF0000L | (ip & 0xFFFF), 4);
            put(m, 16, ((ip >>> 16) & 0xFFFF) << 12 | fop, 4);
            put(m, 20, 0xFFFF0000L | (dp & 0xFFFF), 4);
            put(m, 24, ((dp >>> 16) & 0xFFFF) << 12, 4);
            return;
        }
        put(m, 0, f.fcw, 2);
        put(m, 2, f.statusWord(), 2);
        put(m, 4, f.fullTags(), 2);
        if (real) {   // figure 8-12
            put(m, 6, ip, 2);
            put(m, 8, ((ip >>> 16) & 0xF) << 12 | fop, 2);
            put(m, 10, dp, 2);
            put(m, 12, ((dp >>> 16) & 0xF) << 12, 2);
        } else {      // figure 8-11
            put(m, 6, ip, 2);
            put(m, 8, f.fcs, 2);
            put(m, 10, dp, 2);
            put(m, 12, f.fds, 2);
        }
    }

    static void load(FpuState f, byte[] m, boolean op32, boolean real) {
        if (op32 && !real) { f.fldenv(m, 0); return; }
        int w = op32 ? 4 : 2;
        f.fcw = (int) get(m, 0, 2);
        f.setStatusWord((int) get(m, w, 2));
        f.tags = (int) get(m, 2 * w, 2);
        if (real) {
            long hi = get(m, 4 * w, 2) | (op32 ? get(m, 4 * w + 2, 2) << 16 : 0);
            long dhi = get(m, 6 * w, 2) | (op32 ? get(m, 6 * w + 2, 2) << 16 : 0);
            long mask = op32 ? 0xFFFFL : 0xFL;
            f.fip = get(m, 3 * w, 2) | ((hi >>> 12) & mask) << 16;
            f.fop = (int) hi & 0x7FF;
            f.fdp = get(m, 5 * w, 2) | ((dhi >>> 12) & mask) << 16;
            f.fcs = f.fds = 0;
        } else {   // 16-bit protected: FOP is not in the image
            f.fip = get(m, 6, 2);
            f.fcs = (int) get(m, 8, 2);
            f.fdp = get(m, 10, 2);
            f.fds = (int) get(m, 12, 2);
        }
    }

    static void storeRegisters(FpuState f, byte[] m, int off) {
        for (int i = 0; i < 8; i++) {
            put(m, off + 10 * i, f.stSig(i), 8);
            put(m, off + 10 * i + 8, f.stSe(i), 2);
        }
    }

    static void loadRegisters(FpuState f, byte[] m, int off) {
        for (int i = 0; i < 8; i++) {
            int p = f.physical(i);
            f.sig[p] = get(m, off + 10 * i, 8);
            f.se[p] = (int) get(m, off + 10 * i + 8, 2);
        }
    }

    static void put(byte[] m, int off, long v, int n) {
        for (int i = 0; i < n; i++) m[off + i] = (byte) (v >>> (8 * i));
    }

    static long get(byte[] m, int off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v |= (m[off + i] & 0xFFL) << (8 * i);
        return v;
    }
}
