package dev.vmscope.emu;

/**
 * One decoded instruction: opcode (map << 8 | byte: 0 one-byte, 1 0F, 2 0F38, 3 0F3A), prefixes, operand and
 * address size in bytes, the ModRM operand resolved into base/index/scale/displacement, and immediates.
 * Decoded once per code address and reused while its bytes ({@link #lo}, {@link #hi}) still match memory.
 */
final class Insn {
    static final int RIP_BASE = 16, NONE = -1;
    /** Decoder verdicts other than "executable". */
    static final int OK = 0, UD = 1, TOO_LONG = 2, VEX = 3;

    int op, len, osz, asz, mode;
    /** Segment of the memory operand after overrides and the BP/SP default. */
    int seg;
    int segOverride = NONE;
    /** 0, 2 (F2) or 3 (F3): the last of the two in the prefix bytes. */
    int rep;
    boolean pfx66, lock;
    /** The REX byte, 0 when absent. */
    int rex;
    boolean hasModrm;
    int mod, reg, rm;
    int base = NONE, index = NONE, scale;
    long disp, imm, imm2;
    int status;
    /** The instruction's bytes, little-endian: bytes 0-7 and 8-14. */
    long lo, hi;

    boolean isMem() { return hasModrm && mod != 3; }

    boolean rexW() { return (rex & 8) != 0; }

    byte[] bytes() {
        byte[] b = new byte[len];
        for (int k = 0; k < len; k++) b[k] = (byte) ((k < 8 ? lo >>> (8 * k) : hi >>> (8 * (k - 8))) & 0xff);
        return b;
    }
}
