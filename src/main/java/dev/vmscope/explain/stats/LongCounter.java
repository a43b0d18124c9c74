package dev.vmscope.explain.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Counts occurrences of long keys (ports, addresses, MSRs, RIPs) in an open-addressing table. Past
 * {@link #MAX_KEYS} distinct keys new keys are only counted in {@link #other()}, so memory stays bounded on any trace.
 */
public final class LongCounter {
    public static final int MAX_KEYS = 1 << 20;
    private long[] keys = new long[64];
    private long[] counts = new long[64];
    private boolean[] used = new boolean[64];
    private int size;
    private long other;

    public void add(long key) {
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) {
                counts[i]++;
                return;
            }
            i = (i + 1) & mask;
        }
        if (size >= MAX_KEYS) {
            other++;
            return;
        }
        used[i] = true;
        keys[i] = key;
        counts[i] = 1;
        if (++size * 2 > keys.length) grow();
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private void grow() {
        long[] ok = keys, oc = counts;
        boolean[] ou = used;
        keys = new long[ok.length * 2];
        counts = new long[ok.length * 2];
        used = new boolean[ok.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < ok.length; j++) {
            if (!ou[j]) continue;
            int i = mix(ok[j]) & mask;
            while (used[i]) i = (i + 1) & mask;
            used[i] = true;
            keys[i] = ok[j];
            counts[i] = oc[j];
        }
    }

    public int distinct() { return size; }

    /** Occurrences of keys that arrived after the table was full. */
    public long other() { return other; }

    public long total() {
        long t = other;
        for (int i = 0; i < keys.length; i++) if (used[i]) t += counts[i];
        return t;
    }

    public record Entry(long key, long count) {}

    /** The {@code n} most frequent keys, ties broken by smaller key. */
    public List<Entry> top(int n) {
        List<Entry> all = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) if (used[i]) all.add(new Entry(keys[i], counts[i]));
        all.sort(Comparator.comparingLong(Entry::count).reversed().thenComparingLong(Entry::key));
        return all.size() > n ? all.subList(0, n) : all;
    }
}
