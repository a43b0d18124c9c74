package dev.vmscope.devices.irq;

/** Overflow-safe conversions between nanoseconds and device clock ticks. */
public final class Ticks {
    private Ticks() { }

    /** floor(a * b / c) for a >= 0, b > 0, c > 0, saturating at Long.MAX_VALUE. */
    public static long mulDiv(long a, long b, long c) {
        if (a <= 0) return 0;
        long q = a / c, r = a % c;
        long hi = Math.multiplyHigh(q, b) != 0 || q * b < 0 ? Long.MAX_VALUE : q * b;
        long lo = Math.multiplyHigh(r, b) != 0 || r * b < 0 ? Long.MAX_VALUE / c : r * b / c;
        long sum = hi + lo;
        return sum < 0 || hi == Long.MAX_VALUE ? Long.MAX_VALUE : sum;
    }
}
