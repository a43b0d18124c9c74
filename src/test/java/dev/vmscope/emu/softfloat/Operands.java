package dev.vmscope.emu.softfloat;

import java.util.random.RandomGenerator;

/** Random and edge-case operands: zeros, denormals, infinities, NaNs, extremes, near-halfway significands. */
final class Operands {
    private final RandomGenerator rnd;

    Operands(RandomGenerator rnd) { this.rnd = rnd; }

    /** A significand pattern: random, runs of ones/zeros at the bottom (rounding boundaries), or few bits. */
    long bits() {
        long r = rnd.nextLong();
        return switch (rnd.nextInt(8)) {
            case 0 -> r | ((1L << rnd.nextInt(64)) - 1);                 // trailing ones
            case 1 -> r & -(1L << rnd.nextInt(64));                      // trailing zeros
            case 2 -> (r & -(1L << rnd.nextInt(64))) | (1L << rnd.nextInt(64));
            case 3 -> 1L << rnd.nextInt(64);
            case 4 -> -1L;
            default -> r;
        };
    }

    /** An 80-bit operand as {se, sig}; se in the low 16 bits of the first element. */
    long[] f80() {
        int k = rnd.nextInt(100);
        int sign = rnd.nextBoolean() ? 0x8000 : 0;
        long sig = bits() | Long.MIN_VALUE;
        int e;
        if (k < 4) return new long[] {sign, 0};
        if (k < 9) return new long[] {sign, sig & Long.MAX_VALUE};                  // denormal
        if (k < 10) return new long[] {sign, sig};                                  // pseudo-denormal
        if (k < 13) return new long[] {sign | 0x7FFF, Long.MIN_VALUE};              // infinity
        if (k < 16) return new long[] {sign | 0x7FFF, sig | 0x4000000000000000L};  // QNaN
        if (k < 19) {                                                               // SNaN
            long s = sig & ~0x4000000000000000L;
            if (s == Long.MIN_VALUE) s |= 1;
            return new long[] {sign | 0x7FFF, s};
        }
        if (k < 20) return new long[] {sign | (rnd.nextInt(0x7FFF) + 1), sig & Long.MAX_VALUE};  // unsupported
        if (k < 26) e = 1 + rnd.nextInt(80);                                        // near the bottom
        else if (k < 32) e = 0x7FFE - rnd.nextInt(80);                               // near the top
        else if (k < 40) e = 0x3F80 + rnd.nextInt(256) - 128 + 0x7F;                  // around float ranges
        else if (k < 45) e = 0x3C01 + rnd.nextInt(70) - 35;                          // double denormal edge
        else if (k < 50) e = 0x3F81 + rnd.nextInt(50) - 25;                          // float denormal edge
        else if (k < 55) e = 0x43FE + rnd.nextInt(8) - 4;                            // double overflow edge
        else e = 0x3FFF + rnd.nextInt(130) - 65;
        return new long[] {sign | e, sig};
    }

    /** An operand close to {@code a} (cancellation, equal values, ties in NaN selection). */
    long[] near(long[] a) {
        long sig = a[1];
        return switch (rnd.nextInt(4)) {
            case 0 -> new long[] {a[0], sig};
            case 1 -> new long[] {a[0] ^ 0x8000, sig + rnd.nextInt(5) - 2};
            case 2 -> new long[] {(a[0] & 0x8000) | Math.max(0, (a[0] & 0x7FFF) + rnd.nextInt(3) - 1), sig ^ 1};
            default -> new long[] {a[0], sig ^ (1L << rnd.nextInt(64))};
        };
    }

    long[] pair2(long[] a) { return rnd.nextInt(4) == 0 ? near(a) : f80(); }

    /** A binary64 operand. */
    long f64() {
        int k = rnd.nextInt(100);
        long sign = rnd.nextBoolean() ? Long.MIN_VALUE : 0;
        long frac = bits() & 0xFFFFFFFFFFFFFL;
        if (k < 5) return sign;
        if (k < 12) return sign | (frac == 0 ? 1 : frac);
        if (k < 15) return sign | 0x7FF0000000000000L;
        if (k < 18) return sign | 0x7FF8000000000000L | frac;
        if (k < 21) return sign | 0x7FF0000000000000L | (frac & 0x7FFFFFFFFFFFFL | (frac == 0 ? 1 : 0)) ;
        long e;
        if (k < 30) e = 1 + rnd.nextInt(60);
        else if (k < 38) e = 0x7FE - rnd.nextInt(60);
        else if (k < 48) e = 0x3FF + rnd.nextInt(64) - 2;                              // integer conversions
        else if (k < 55) e = 0x380 + rnd.nextInt(40) - 20;                            // float32 denormal edge
        else if (k < 60) e = 0x47F + rnd.nextInt(6) - 3;                              // float32 overflow edge
        else e = 0x3FF + rnd.nextInt(200) - 100;
        return sign | (e << 52) | frac;
    }

    /** A binary32 operand. */
    int f32() {
        int k = rnd.nextInt(100);
        int sign = rnd.nextBoolean() ? 0x80000000 : 0;
        int frac = (int) (bits() & 0x7FFFFF);
        if (k < 5) return sign;
        if (k < 12) return sign | (frac == 0 ? 1 : frac);
        if (k < 15) return sign | 0x7F800000;
        if (k < 18) return sign | 0x7FC00000 | frac;
        if (k < 21) return sign | 0x7F800000 | (frac & 0x3FFFFF | (frac == 0 ? 1 : 0));
        int e;
        if (k < 30) e = 1 + rnd.nextInt(30);
        else if (k < 38) e = 0xFE - rnd.nextInt(30);
        else if (k < 50) e = 0x7F + rnd.nextInt(34) - 2;
        else e = 0x7F + rnd.nextInt(100) - 50;
        return sign | (e << 23) | frac;
    }

    long near64(long a) {
        return switch (rnd.nextInt(3)) {
            case 0 -> a;
            case 1 -> a ^ Long.MIN_VALUE;
            default -> a + rnd.nextInt(5) - 2;
        };
    }

    int near32(int a) {
        return switch (rnd.nextInt(3)) {
            case 0 -> a;
            case 1 -> a ^ 0x80000000;
            default -> a + rnd.nextInt(5) - 2;
        };
    }

    int nextInt(int n) { return rnd.nextInt(n); }
    long nextLong() { return rnd.nextLong(); }
    boolean nextBoolean() { return rnd.nextBoolean(); }
}
