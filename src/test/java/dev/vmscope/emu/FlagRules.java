package dev.vmscope.emu;

import static dev.vmscope.emu.CpuRegs.AF;
import static dev.vmscope.emu.CpuRegs.CF;
import static dev.vmscope.emu.CpuRegs.OF;
import static dev.vmscope.emu.CpuRegs.PF;
import static dev.vmscope.emu.CpuRegs.SF;
import static dev.vmscope.emu.CpuRegs.ZF;

/**
 * Which arithmetic flags a decoded general-purpose instruction reads, sets to defined values, and leaves
 * architecturally undefined, from the "Flags Affected" section of each instruction in Intel SDM Vol. 2 and the
 * EFLAGS cross-reference (SDM Vol. 1 appendix A, table A-2). The oracle test tracks the undefined set along a
 * sequence: a case whose instruction reads an undefined flag is not compared, and flags still undefined at the
 * end (or at a fault) are masked.
 */
final class FlagRules {
    static final long ALL = CF | PF | AF | ZF | SF | OF;

    /** reads / defines / undefines are flag masks; {@code undefinedResult}: the destination itself is undefined. */
    record Effect(long reads, long defines, long undefines, boolean undefinedResult) {
        static final Effect NONE = new Effect(0, 0, 0, false);
    }

    private static final Effect ARITH = new Effect(0, ALL, 0, false);
    private static final Effect ARITH_CARRY_IN = new Effect(CF, ALL, 0, false);
    // AND/OR/XOR/TEST: OF and CF cleared, SF ZF PF by result, AF undefined (SDM Vol. 2 AND "Flags Affected").
    private static final Effect LOGIC = new Effect(0, CF | OF | SF | ZF | PF, AF, false);
    // INC/DEC: CF unaffected.
    private static final Effect INC_DEC = new Effect(0, OF | SF | ZF | AF | PF, 0, false);
    // MUL/IMUL: CF and OF defined; SF ZF AF PF undefined.
    private static final Effect MULTIPLY = new Effect(0, CF | OF, SF | ZF | AF | PF, false);
    // DIV/IDIV: all six undefined.
    private static final Effect DIVIDE = new Effect(0, 0, ALL, false);
    // BT/BTS/BTR/BTC: CF is the bit; ZF unaffected; OF SF AF PF undefined.
    private static final Effect BIT_TEST = new Effect(0, CF, OF | SF | AF | PF, false);
    // BSF/BSR: ZF defined, the rest undefined.
    private static final Effect BIT_SCAN = new Effect(0, ZF, CF | OF | SF | AF | PF, false);
    private static final Effect ZF_ONLY = new Effect(0, ZF, 0, false);
    private static final Effect CF_ONLY = new Effect(0, CF, 0, false);

    private FlagRules() {}

    /** Flags read by condition code {@code cc} (SDM Vol. 1 appendix B, table B-1). */
    static long condReads(int cc) {
        return switch (cc >> 1) {
            case 0 -> OF;
            case 1 -> CF;
            case 2 -> ZF;
            case 3 -> CF | ZF;
            case 4 -> SF;
            case 5 -> PF;
            case 6 -> SF | OF;
            default -> ZF | SF | OF;
        };
    }

    /** The effect of {@code in} executed with general registers {@code r} (for CL counts and REP counts). */
    static Effect of(Insn in, long[] r) {
        int op = in.op, reg = in.reg & 7;
        if (op < 0x40 && (op & 7) < 6) return alu(op >> 3);
        return switch (op) {
            case 0x80, 0x81, 0x82, 0x83 -> alu(reg);
            case 0x84, 0x85, 0xa8, 0xa9 -> LOGIC;
            case 0xf6, 0xf7 -> switch (reg) {
                case 0, 1 -> LOGIC;
                case 2 -> Effect.NONE;
                case 3 -> ARITH;
                case 4, 5 -> MULTIPLY;
                default -> DIVIDE;
            };
            case 0xfe, 0xff -> reg < 2 ? INC_DEC : Effect.NONE;
            case 0x69, 0x6b, 0x1af -> MULTIPLY;
            case 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3 -> shift(in, r);
            case 0x1a4, 0x1a5, 0x1ac, 0x1ad -> shiftDouble(in, r);
            case 0x1a3, 0x1ab, 0x1b3, 0x1bb, 0x1ba -> BIT_TEST;
            case 0x1bc, 0x1bd -> BIT_SCAN;
            case 0x1b8 -> ARITH;   // POPCNT: ZF by the source, the other five cleared
            case 0x1b0, 0x1b1, 0x1c0, 0x1c1 -> ARITH;
            case 0x1c7 -> ZF_ONLY;
            case 0xa6, 0xa7, 0xae, 0xaf -> in.rep != 0 && count(in, r) == 0 ? Effect.NONE : ARITH;
            case 0x9e -> new Effect(0, CF | PF | AF | ZF | SF, 0, false);   // SAHF
            case 0x9f -> new Effect(CF | PF | AF | ZF | SF, 0, 0, false);   // LAHF
            case 0x9c -> new Effect(ALL, 0, 0, false);                       // PUSHF stores every flag
            case 0x9d -> ARITH;                                               // POPF
            case 0xf5 -> new Effect(CF, CF, 0, false);                        // CMC
            case 0xf8, 0xf9 -> CF_ONLY;
            case 0xe0, 0xe1 -> new Effect(ZF, 0, 0, false);                   // LOOPNE/LOOPE
            case 0x1c8, 0x1c9, 0x1ca, 0x1cb, 0x1cc, 0x1cd, 0x1ce, 0x1cf ->
                    new Effect(0, 0, 0, in.osz == 2);   // BSWAP of a 16-bit register: result undefined (SDM BSWAP)
            default -> {
                if (op >= 0x70 && op <= 0x7f || op >= 0x180 && op <= 0x18f || op >= 0x190 && op <= 0x19f
                        || op >= 0x140 && op <= 0x14f) yield new Effect(condReads(op & 15), 0, 0, false);
                yield Effect.NONE;
            }
        };
    }

    private static Effect alu(int kind) {
        return switch (kind) {
            case 1, 4, 6 -> LOGIC;
            case 2, 3 -> ARITH_CARRY_IN;
            default -> ARITH;
        };
    }

    private static long count(Insn in, long[] r) { return in.asz == 8 ? r[1] : r[1] & CpuRegs.mask(in.asz); }

    private static int size(Insn in) { return (in.op & 1) == 0 && in.op < 0x100 ? 1 : in.osz; }

    /** Group 2 (SDM Vol. 2B SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR "Flags Affected"). */
    private static Effect shift(Insn in, long[] r) {
        int size = size(in), bits = size * 8;
        int raw = in.op >= 0xd2 ? (int) r[1] & 0xff : in.op >= 0xd0 ? 1 : (int) in.imm & 0xff;
        int count = raw & (size == 8 ? 0x3f : 0x1f);
        if (count == 0) return Effect.NONE;
        long of = count == 1 ? OF : 0, ofUndef = count == 1 ? 0 : OF;
        int kind = in.reg & 7;
        return switch (kind) {
            case 0, 1 -> new Effect(0, CF | of, ofUndef, false);
            case 2, 3 -> {
                boolean rotates = count % (bits + 1) != 0;   // RCL/RCR rotate count modulo size + 1
                yield new Effect(rotates ? CF : 0, (rotates ? CF : 0) | of, ofUndef, false);
            }
            default -> {
                // CF undefined for SHL/SHR when the count is at least the operand width; AF undefined for any count.
                boolean cfUndef = kind != 7 && count >= bits;
                yield new Effect(0, SF | ZF | PF | of | (cfUndef ? 0 : CF), AF | ofUndef | (cfUndef ? CF : 0), false);
            }
        };
    }

    /** SHLD/SHRD (SDM Vol. 2B): count above the operand size leaves result and flags undefined. */
    private static Effect shiftDouble(Insn in, long[] r) {
        int size = in.osz, bits = size * 8;
        int raw = (in.op & 1) == 1 ? (int) r[1] & 0xff : (int) in.imm & 0xff;
        int count = raw & (size == 8 ? 0x3f : 0x1f);
        if (count == 0) return Effect.NONE;
        if (count > bits) return new Effect(0, 0, ALL, true);
        long of = count == 1 ? OF : 0;
        return new Effect(0, CF | SF | ZF | PF | of, AF | (count == 1 ? 0 : OF), false);
    }
}
