package dev.vmscope.explain.stats;

/**
 * Log-linear histogram of non-negative longs (nanoseconds): exact below 64, then 64 sub-buckets per power of two,
 * so any percentile is within 1/64 (1.6%) of the true sample while memory stays at 4096 counters.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[SUB * SUB];
    private long n, sum, min = Long.MAX_VALUE, max = Long.MIN_VALUE;

    public void record(long v) {
        if (v < 0) v = 0;
        counts[index(v)]++;
        n++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
    }

    static int index(long v) {
        if (v < SUB) return (int) v;
        int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS;
        return (shift + 1) * SUB + (int) ((v >>> shift) & (SUB - 1));
    }

    static long lowerBound(int idx) {
        if (idx < SUB) return idx;
        int shift = idx / SUB - 1;
        return ((long) (SUB + idx % SUB)) << shift;
    }

    static long width(int idx) { return idx < SUB ? 1 : 1L << (idx / SUB - 1); }

    public long count() { return n; }

    public long sum() { return sum; }

    public long min() { return n == 0 ? 0 : min; }

    public long max() { return n == 0 ? 0 : max; }

    public double mean() { return n == 0 ? 0 : (double) sum / n; }

    /** The q-quantile (0..1): midpoint of the bucket holding that rank, clamped to the exact min/max. */
    public long percentile(double q) {
        if (n == 0) return 0;
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                long mid = lowerBound(i) + (width(i) - 1) / 2;
                return Math.max(min, Math.min(max, mid));
            }
        }
        return max;
    }

    public void merge(LatencyHistogram o) {
        for (int i = 0; i < counts.length; i++) counts[i] += o.counts[i];
        n += o.n;
        sum += o.sum;
        if (o.n > 0) {
            min = Math.min(min, o.min);
            max = Math.max(max, o.max);
        }
    }
}
