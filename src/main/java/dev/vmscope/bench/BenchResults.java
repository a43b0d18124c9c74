package dev.vmscope.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cycles per operation reported by the benchmark guest: one COM1 line per repeat and operation,
 * "bench OP REPEAT CYCLES_PER_OP TOTAL_CYCLES" (guests/bench.S). Summarised as min/median/max over repeats.
 */
public final class BenchResults {
    public record Summary(String op, int repeats, long min, long median, long max) {}

    private final Map<String, List<Long>> samples = new LinkedHashMap<>();

    public static BenchResults parse(String console) {
        BenchResults r = new BenchResults();
        for (String line : console.split("\r?\n")) {
            String[] f = line.trim().split("\\s+");
            if ((f.length != 4 && f.length != 5) || !f[0].equals("bench")) continue;
            try {
                long cycles = Long.parseLong(f[3]);
                Integer.parseInt(f[2]);
                r.samples.computeIfAbsent(f[1], k -> new ArrayList<>()).add(cycles);
            } catch (NumberFormatException ignored) {
                // not a result line
            }
        }
        return r;
    }

    public boolean isEmpty() { return samples.isEmpty(); }

    public List<Summary> summaries() {
        List<Summary> out = new ArrayList<>();
        samples.forEach((op, l) -> {
            long[] v = l.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(v);
            out.add(new Summary(op, v.length, v[0], v[v.length / 2], v[v.length - 1]));
        });
        return out;
    }

    public Summary get(String op) {
        for (Summary s : summaries()) if (s.op().equals(op)) return s;
        return null;
    }
}
