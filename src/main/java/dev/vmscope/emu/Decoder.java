package dev.vmscope.emu;

/**
 * x86 instruction decoder for 16-, 32- and 64-bit code (Intel SDM Vol. 2A chapter 2, opcode maps in Vol. 2D
 * appendix A): legacy prefixes, REX, the one-byte, 0F, 0F38 and 0F3A maps, ModRM/SIB with 16- and 32/64-bit
 * addressing, RIP-relative operands, immediates, and the 15-byte limit. VEX and EVEX encodings are decoded for
 * their length only and reported as {@link Insn#VEX} (#UD: AVX is not advertised).
 */
final class Decoder {
    /** Supplies instruction byte {@code i} (may raise a #PF on the second page of a crossing instruction). */
    interface Bytes { int at(int i); }

    // One-byte map, per opcode: ModRM present (1), immediate kind (A.3 "Codes for Operand Type"):
    // . none, b byte, w word, z word/dword by operand size, v word/dword/qword, a moffs (address size), p far pointer, e ENTER (w+b).
    private static final String MODRM1 =
            "1111000011110000" + "1111000011110000" + "1111000011110000" + "1111000011110000"
          + "0000000000000000" + "0000000000000000" + "0011000001010000" + "0000000000000000"
          + "1111111111111111" + "0000000000000000" + "0000000000000000" + "0000000000000000"
          + "1100111100000000" + "1111000011111111" + "0000000000000000" + "0000001100000011";
    private static final String IMM1 =
            "....bz......bz.." + "....bz......bz.." + "....bz......bz.." + "....bz......bz.."
          + "................" + "................" + "........zzbb...." + "bbbbbbbbbbbbbbbb"
          + "bzbb............" + "..........p....." + "aaaa....bz......" + "bbbbbbbbvvvvvvvv"
          + "bbw...bze.w..b.." + "....bb.........." + "bbbbbbbbzzpb...." + "................";
    // 0F map: ModRM present; X marks opcodes with no defined instruction (#UD).
    private static final String MODRM2 =
            "1111X00000X0X101" + "1111111111111111" + "1111XXXX11111111" + "000000X0XXXXXXXX"
          + "1111111111111111" + "1111111111111111" + "1111111111111111" + "1111111011XX1111"
          + "0000000000000000" + "1111111111111111" + "000111XX00011111" + "1111111111111111"
          + "1111111100000000" + "1111111111111111" + "1111111111111111" + "1111111111111111";
    private static final String IMM2 =
            "................" + "................" + "................" + "................"
          + "................" + "................" + "................" + "bbbb............"
          + "zzzzzzzzzzzzzzzz" + "................" + "....b.......b..." + "..........b....."
          + "..b.bbb........." + "................" + "................" + "................";

    private Decoder() {}

    /** Decodes at the current position for code of {@code mode} bytes (2, 4 or 8). */
    static Insn decode(Bytes src, int mode) {
        Insn in = new Insn();
        in.mode = mode;
        int i = 0, seg = Insn.NONE;
        boolean p67 = false;
        int b;
        while (true) {
            if (i >= 15) return tooLong(in, src);
            b = src.at(i);
            boolean isRex = mode == 8 && (b & 0xf0) == 0x40;
            if (isRex) {
                in.rex = b;
                i++;
                continue;
            }
            int s = switch (b) { case 0x26 -> 0; case 0x2e -> 1; case 0x36 -> 2; case 0x3e -> 3; case 0x64 -> 4; case 0x65 -> 5; default -> -1; };
            if (s >= 0) seg = mode == 8 && s < 4 ? seg : s;
            else if (b == 0x66) in.pfx66 = true;
            else if (b == 0x67) p67 = true;
            else if (b == 0xf0) in.lock = true;
            else if (b == 0xf2) in.rep = 2;
            else if (b == 0xf3) in.rep = 3;
            else break;
            in.rex = 0;   // REX counts only right before the opcode
            i++;
        }
        in.segOverride = seg;
        in.asz = mode == 8 ? (p67 ? 4 : 8) : mode == 4 ? (p67 ? 2 : 4) : (p67 ? 4 : 2);
        int map = 0;
        i++;
        if (b == 0x0f) {
            if (i >= 15) return tooLong(in, src);
            b = src.at(i++);
            map = 1;
            if (b == 0x38 || b == 0x3a) {
                if (i >= 15) return tooLong(in, src);
                map = b == 0x38 ? 2 : 3;
                b = src.at(i++);
            }
        } else if ((b == 0xc4 || b == 0xc5 || b == 0x62) && (mode == 8 || i < 15 && (src.at(i) & 0xc0) == 0xc0)) {
            return vex(in, src, i, b);
        } else if (b == 0x8f && i < 15 && (src.at(i) & 0x1f) >= 8) {
            return xop(in, src, i);
        }
        in.op = map << 8 | b;
        boolean modrm;
        char imm;
        if (map == 0) {
            modrm = MODRM1.charAt(b) == '1';
            imm = IMM1.charAt(b);
        } else if (map == 1) {
            char m = MODRM2.charAt(b);
            modrm = m == '1';
            if (m == 'X') in.status = Insn.UD;
            imm = IMM2.charAt(b);
            if (b == 0x0f) imm = 'b';   // 3DNow!: ModRM then the opcode suffix byte
        } else {
            modrm = true;
            imm = map == 3 ? 'b' : '.';
        }
        i = modrm(in, src, i, modrm);
        if (i < 0) return tooLong(in, src);
        in.osz = operandSize(in, mode, map, b);
        if (map == 0 && (b == 0xf6 || b == 0xf7) && (in.reg & 7) < 2) imm = b == 0xf6 ? 'b' : 'z';
        i = immediate(in, src, i, imm);
        if (i > 15) return tooLong(in, src);
        finish(in, src, i);
        if (in.segOverride >= 0) in.seg = in.segOverride;
        validate(in, mode);
        return in;
    }

    private static int operandSize(Insn in, int mode, int map, int b) {
        if (mode != 8) return in.pfx66 ? 6 - mode : mode;
        if (in.rexW()) return 8;
        // Near branches ignore 66 in 64-bit mode on Intel (SDM Vol. 2A JMP/CALL/Jcc: operand size fixed at 64).
        if (map == 0 && (b == 0xe8 || b == 0xe9 || b == 0xeb || b >= 0x70 && b <= 0x7f || b >= 0xe0 && b <= 0xe3)
                || map == 1 && b >= 0x80 && b <= 0x8f) return 8;
        if (defaults64(map, b) || map == 0 && b == 0xff && ((in.reg & 7) == 2 || (in.reg & 7) == 4 || (in.reg & 7) == 6))
            return in.pfx66 ? 2 : 8;
        return in.pfx66 ? 2 : 4;
    }

    /** Instructions whose operand size is 64 bits by default in 64-bit mode (SDM Vol. 1 3.6.1 / Vol. 2D A.2.5). */
    private static boolean defaults64(int map, int b) {
        if (map == 0) return b >= 0x50 && b <= 0x5f || b == 0x68 || b == 0x6a || b == 0x8f || b == 0x9c || b == 0x9d
                || b == 0xc2 || b == 0xc3 || b == 0xc8 || b == 0xc9 || b >= 0x70 && b <= 0x7f || b >= 0xe0 && b <= 0xe3
                || b == 0xe8 || b == 0xe9 || b == 0xeb;
        return map == 1 && (b >= 0x80 && b <= 0x8f || b == 0xa0 || b == 0xa1 || b == 0xa8 || b == 0xa9 || b >= 0x20 && b <= 0x23);
    }

    private static int modrm(Insn in, Bytes src, int i, boolean present) {
        in.seg = CpuRegs.DS;
        if (!present) return i;
        if (i >= 15) return -1;
        int m = src.at(i++);
        in.hasModrm = true;
        in.mod = m >> 6;
        in.reg = (m >> 3 & 7) | (in.rex & 4) << 1;
        int rm = m & 7;
        if (in.op >= 0x120 && in.op <= 0x123) in.mod = 3;   // MOV CR/DR: mod is ignored (SDM Vol. 2B MOV-Control Registers)
        if (in.mod == 3) {
            in.rm = rm | (in.rex & 1) << 3;
            return i;
        }
        in.rm = rm;
        if (in.asz == 2) return modrm16(in, src, i, rm);
        if (rm == 4) {
            if (i >= 15) return -1;
            int sib = src.at(i++);
            in.scale = sib >> 6;
            int idx = (sib >> 3 & 7) | (in.rex & 2) << 2;
            in.index = idx == 4 ? Insn.NONE : idx;
            int base = sib & 7;
            if (base == 5 && in.mod == 0) {
                in.base = Insn.NONE;
                return disp(in, src, i, 4);
            }
            in.base = base | (in.rex & 1) << 3;
        } else if (rm == 5 && in.mod == 0) {
            in.base = in.mode == 8 ? Insn.RIP_BASE : Insn.NONE;
            return disp(in, src, i, 4);
        } else {
            in.base = rm | (in.rex & 1) << 3;
        }
        if (in.base == 4 || in.base == 5) in.seg = CpuRegs.SS;
        return disp(in, src, i, in.mod == 1 ? 1 : in.mod == 2 ? 4 : 0);
    }

    // 16-bit ModRM (SDM Vol. 2A table 2-1): BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX.
    private static final int[] BASE16 = {3, 3, 5, 5, 6, 7, 5, 3}, INDEX16 = {6, 7, 6, 7, -1, -1, -1, -1};

    private static int modrm16(Insn in, Bytes src, int i, int rm) {
        if (in.mod == 0 && rm == 6) {
            in.base = Insn.NONE;
            return disp(in, src, i, 2);
        }
        in.base = BASE16[rm];
        in.index = INDEX16[rm];
        if (in.base == 5) in.seg = CpuRegs.SS;
        return disp(in, src, i, in.mod == 1 ? 1 : in.mod == 2 ? 2 : 0);
    }

    private static int disp(Insn in, Bytes src, int i, int n) {
        if (i + n > 15) return -1;
        in.disp = CpuRegs.signExtend(read(src, i, n), n == 0 ? 8 : n);
        if (n == 0) in.disp = 0;
        return i + n;
    }

    private static int immediate(Insn in, Bytes src, int i, char kind) {
        int n = switch (kind) {
            case 'b' -> 1;
            case 'w' -> 2;
            case 'z' -> in.osz == 2 ? 2 : 4;
            case 'v' -> in.osz;
            case 'a' -> in.asz;
            case 'p' -> in.osz == 2 ? 2 : 4;
            case 'e' -> 2;
            default -> 0;
        };
        if (n == 0) return i;
        if (i + n > 15) return 16;
        in.imm = read(src, i, n);
        i += n;
        if (kind == 'p' || kind == 'e') {
            int m = kind == 'p' ? 2 : 1;
            if (i + m > 15) return 16;
            in.imm2 = read(src, i, m);
            i += m;
        }
        return i;
    }

    private static long read(Bytes src, int i, int n) {
        long v = 0;
        for (int k = n - 1; k >= 0; k--) v = v << 8 | src.at(i + k);
        return v;
    }

    private static void finish(Insn in, Bytes src, int len) {
        in.len = len;
        for (int k = 0; k < len; k++) {
            long bv = src.at(k) & 0xffL;
            if (k < 8) in.lo |= bv << (8 * k);
            else in.hi |= bv << (8 * (k - 8));
        }
    }

    private static Insn tooLong(Insn in, Bytes src) {
        in.status = Insn.TOO_LONG;
        finish(in, src, 15);
        return in;
    }

    /** VEX (C4/C5) and EVEX (62): lengths per SDM Vol. 2A 2.3 and 2.7; execution gives #UD. */
    private static Insn vex(Insn in, Bytes src, int i, int first) {
        int map;
        if (first == 0xc5) {
            i++;
            map = 1;
        } else if (first == 0xc4) {
            if (i >= 15) return tooLong(in, src);
            map = src.at(i) & 0x1f;
            i += 2;
        } else {
            if (i >= 15) return tooLong(in, src);
            map = src.at(i) & 3;
            i += 3;
        }
        if (i >= 15) return tooLong(in, src);
        int b = src.at(i++);
        in.op = map << 8 | b;
        in.osz = in.mode == 8 ? 4 : in.mode;
        boolean modrm = map != 1 || MODRM2.charAt(b) != '0';
        i = modrm(in, src, i, modrm);
        if (i < 0) return tooLong(in, src);
        char imm = map == 3 ? 'b' : map == 1 ? IMM2.charAt(b) : '.';
        if (map == 1 && imm == 'z') imm = '.';
        i = immediate(in, src, i, imm);
        if (i > 15) return tooLong(in, src);
        finish(in, src, i);
        in.status = Insn.VEX;
        return in;
    }

    /** AMD XOP (8F with map 8-10 where POP would have ModRM.reg 0): length only, #UD (not advertised). */
    private static Insn xop(Insn in, Bytes src, int i) {
        int map = src.at(i) & 0x1f;
        i += 2;
        if (i >= 15) return tooLong(in, src);
        in.op = 0x800 | src.at(i++);
        in.osz = in.mode == 8 ? 4 : in.mode;
        i = modrm(in, src, i, true);
        if (i < 0) return tooLong(in, src);
        int immLen = map == 8 ? 1 : map == 10 ? 4 : 0;
        if (i + immLen > 15) return tooLong(in, src);
        finish(in, src, i + immLen);
        in.status = Insn.VEX;
        return in;
    }

    /** Encodings that decode but are undefined in this mode, or carry an invalid LOCK (SDM Vol. 2A 2.1.1). */
    private static void validate(Insn in, int mode) {
        int op = in.op;
        if (mode == 8 && (op == 0x06 || op == 0x07 || op == 0x0e || op == 0x16 || op == 0x17 || op == 0x1e || op == 0x1f
                || op == 0x27 || op == 0x2f || op == 0x37 || op == 0x3f || op == 0x60 || op == 0x61 || op == 0x82
                || op == 0x9a || op == 0xce || op == 0xd4 || op == 0xd5 || op == 0xd6 || op == 0xea))
            in.status = Insn.UD;
        if (in.lock && !lockable(in)) in.status = Insn.UD;
    }

    static boolean lockable(Insn in) {
        if (!in.isMem()) return false;
        int op = in.op, reg = in.reg & 7;
        if (op < 0x40) return (op & 7) < 2 && (op & 0x38) != 0x38;
        return switch (op) {
            case 0x80, 0x81, 0x82, 0x83 -> reg != 7;
            case 0x86, 0x87 -> true;
            case 0xf6, 0xf7 -> reg == 2 || reg == 3;
            case 0xfe, 0xff -> reg < 2;
            case 0x1ab, 0x1b3, 0x1bb, 0x1b0, 0x1b1, 0x1c0, 0x1c1 -> true;
            case 0x1ba -> reg >= 5;
            case 0x1c7 -> reg == 1;
            default -> false;
        };
    }
}
