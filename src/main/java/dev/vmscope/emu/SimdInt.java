package dev.vmscope.emu;

/**
 * MMX/SSE2 packed integer arithmetic on 64-bit lanes (Intel SDM Vol. 2 PADDB..PXOR; Vol. 1 9.2 and 11.4.3 for
 * the wraparound and saturation rules). An MMX register is one lane, an XMM register two; every operation here
 * except packing, unpacking and shuffles works lane by lane, so the same code serves both.
 */
final class SimdInt {
    private SimdInt() {}

    private static final long H8 = 0x8080808080808080L, H16 = 0x8000800080008000L, H32 = 0x8000000080000000L;

    /** Element width in bits of a lane-wise opcode (0F xx, Vol. 2D table A-3). */
    static int elementBits(int op) {
        return switch (op) {
            case 0x64, 0x74, 0xd8, 0xda, 0xdc, 0xde, 0xe0, 0xe8, 0xec, 0xf8, 0xfc, 0x60, 0x68, 0x63, 0x67 -> 8;
            case 0x66, 0x76, 0xfa, 0xfe, 0x62, 0x6a, 0x6b, 0xf4 -> 32;
            case 0xd4, 0xfb, 0x6c, 0x6d -> 64;
            default -> 16;
        };
    }

    /** Is {@code op} (0F map, no/66 prefix) an operation that works lane by lane? */
    static boolean laneWise(int op) {
        return switch (op) {
            case 0x64, 0x65, 0x66, 0x74, 0x75, 0x76, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
                    0xe0, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
                    0xf4, 0xf5, 0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe -> true;
            default -> false;
        };
    }

    /** One lane of a lane-wise operation: {@code a} is the destination operand, {@code b} the source. */
    static long lane(int op, long a, long b) {
        return switch (op) {
            case 0xdb -> a & b;
            case 0xdf -> ~a & b;                      // PANDN: NOT destination AND source
            case 0xeb -> a | b;
            case 0xef -> a ^ b;
            case 0xd4 -> a + b;
            case 0xfb -> a - b;
            case 0xfc -> add(a, b, H8);
            case 0xfd -> add(a, b, H16);
            case 0xfe -> add(a, b, H32);
            case 0xf8 -> sub(a, b, H8);
            case 0xf9 -> sub(a, b, H16);
            case 0xfa -> sub(a, b, H32);
            case 0x74 -> eqBytes(a, b);
            case 0xf4 -> (a & 0xffffffffL) * (b & 0xffffffffL);   // PMULUDQ
            case 0xf5 -> maddwd(a, b);
            case 0xf6 -> sadbw(a, b);
            default -> each(op, a, b, elementBits(op));
        };
    }

    private static long add(long a, long b, long h) { return ((a & ~h) + (b & ~h)) ^ ((a ^ b) & h); }

    private static long sub(long a, long b, long h) { return ((a | h) - (b & ~h)) ^ ((a ^ ~b) & h); }

    /** PCMPEQB without a loop: a byte of {@code a ^ b} is zero exactly when its bit 7 survives below. */
    private static long eqBytes(long a, long b) {
        long x = a ^ b;
        long zero = ~(((x & ~H8) + ~H8) | x) & H8;
        return (zero >>> 7) * 0xff;
    }

    private static long each(int op, long a, long b, int bits) {
        long m = (1L << bits) - 1, r = 0;
        for (int sh = 0; sh < 64; sh += bits) {
            r |= (element(op, a >>> sh & m, b >>> sh & m, bits) & m) << sh;
        }
        return r;
    }

    private static long element(int op, long x, long y, int bits) {
        int up = 64 - bits;
        long sx = x << up >> up, sy = y << up >> up, max = (1L << bits) - 1;
        return switch (op) {
            case 0x64, 0x65, 0x66 -> sx > sy ? -1 : 0;
            case 0x75, 0x76 -> x == y ? -1 : 0;
            case 0xd5 -> sx * sy;                                // PMULLW: low half
            case 0xe5 -> (sx * sy) >> 16;                        // PMULHW
            case 0xe4 -> (x * y) >>> 16;                         // PMULHUW
            case 0xd8, 0xd9 -> Math.max(x - y, 0);               // PSUBUS
            case 0xdc, 0xdd -> Math.min(x + y, max);             // PADDUS
            case 0xda -> Math.min(x, y);
            case 0xde -> Math.max(x, y);
            case 0xea -> Math.min(sx, sy);
            case 0xee -> Math.max(sx, sy);
            case 0xe0, 0xe3 -> (x + y + 1) >>> 1;                // PAVG: rounds up
            case 0xe8, 0xe9 -> signedSaturate(sx - sy, bits);
            case 0xec, 0xed -> signedSaturate(sx + sy, bits);
            default -> throw new IllegalStateException("not a lane-wise opcode " + Integer.toHexString(op));
        };
    }

    static long signedSaturate(long v, int bits) {
        long hi = (1L << (bits - 1)) - 1, lo = -hi - 1;
        return v > hi ? hi : Math.max(v, lo);
    }

    /** PMADDWD: per doubleword, the sum of two signed word products (0x8000 * 0x8000 twice wraps to 0x80000000). */
    private static long maddwd(long a, long b) {
        long r = 0;
        for (int d = 0; d < 2; d++) {
            int sh = 32 * d;
            long s = (long) (short) (a >>> sh) * (short) (b >>> sh) + (long) (short) (a >>> sh + 16) * (short) (b >>> sh + 16);
            r |= (s & 0xffffffffL) << sh;
        }
        return r;
    }

    /** PSADBW: sum of absolute byte differences in bits 15:0, the rest zero. */
    private static long sadbw(long a, long b) {
        long s = 0;
        for (int sh = 0; sh < 64; sh += 8) s += Math.abs((a >>> sh & 0xff) - (b >>> sh & 0xff));
        return s;
    }

    /**
     * PSRLW/D/Q (D1-D3), PSRAW/D (E1, E2), PSLLW/D/Q (F1-F3) on one lane. The count is the whole unsigned
     * 64-bit source: counts above the element width clear the lane (logical) or fill it with the sign.
     */
    static long shift(int op, long a, long count) {
        int bits = 8 << (op & 3), kind = op >> 4;
        boolean big = Long.compareUnsigned(count, bits - 1) > 0;
        if (big && kind != 0xe) return 0;
        int c = big ? bits - 1 : (int) count;
        if (bits == 64) return kind == 0xd ? a >>> c : a << c;
        long m = (1L << bits) - 1, r = 0;
        for (int sh = 0; sh < 64; sh += bits) {
            long x = a >>> sh & m;
            long v = switch (kind) {
                case 0xd -> x >>> c;
                case 0xe -> (x << (64 - bits) >> (64 - bits)) >> c;
                default -> x << c;
            };
            r |= (v & m) << sh;
        }
        return r;
    }

    /** Interleaves the elements of two 32-bit halves: x0 y0 x1 y1 ... (PUNPCKL/H BW, WD, DQ). */
    static long interleave(int bits, long x, long y) {
        if (bits == 32) return (x & 0xffffffffL) | y << 32;
        long m = (1L << bits) - 1, r = 0;
        for (int i = 0, n = 32 / bits; i < n; i++) {
            r |= (x >>> (i * bits) & m) << (2 * i * bits);
            r |= (y >>> (i * bits) & m) << ((2 * i + 1) * bits);
        }
        return r;
    }

    /**
     * One 64-bit lane packed into 32 bits: PACKSSWB (63) and PACKUSWB (67) four words to bytes with signed or
     * unsigned saturation, PACKSSDW (6B) two doublewords to words.
     */
    static long pack(int op, long v) {
        int from = op == 0x6b ? 32 : 16, to = from / 2;
        long r = 0;
        for (int i = 0; i < 64 / from; i++) {
            long x = v >>> (i * from) << (64 - from) >> (64 - from);
            long s = op == 0x67 ? Math.clamp(x, 0, 255) : signedSaturate(x, to);
            r |= (s & ((1L << to) - 1)) << (i * to);
        }
        return r;
    }

    /** PSHUFW / PSHUFLW / PSHUFHW: words of a 64-bit lane picked by the 2-bit fields of imm8. */
    static long shuffleWords(long v, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) r |= (v >>> (16 * (imm >> (2 * i) & 3)) & 0xffff) << (16 * i);
        return r;
    }

    /** Doubleword {@code i} (0-3) of a 128-bit value. */
    static long dword(long lo, long hi, int i) {
        return ((i < 2 ? lo : hi) >>> (32 * (i & 1))) & 0xffffffffL;
    }

    /** PMOVMSKB on one lane: the top bit of each byte. */
    static int byteMask(long v) { return (int) Long.compress(v, H8); }

    /** Bytes shifted right (PSRLDQ) across 128 bits: the low result lane. */
    static long shrBytesLo(long lo, long hi, int n) {
        if (n == 0) return lo;
        if (n >= 16) return 0;
        if (n >= 8) return n == 8 ? hi : hi >>> (8 * (n - 8));
        return lo >>> (8 * n) | hi << (64 - 8 * n);
    }

    static long shrBytesHi(long hi, int n) { return n >= 8 ? 0 : hi >>> (8 * n); }

    /** PSLLDQ: the high result lane. */
    static long shlBytesHi(long lo, long hi, int n) {
        if (n == 0) return hi;
        if (n >= 16) return 0;
        if (n >= 8) return n == 8 ? lo : lo << (8 * (n - 8));
        return hi << (8 * n) | lo >>> (64 - 8 * n);
    }

    static long shlBytesLo(long lo, int n) { return n >= 8 ? 0 : lo << (8 * n); }
}
