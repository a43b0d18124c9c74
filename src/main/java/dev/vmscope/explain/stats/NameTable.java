package dev.vmscope.explain.stats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Interns byte-range names (exit reasons, event names) to small ids without allocating on a hit. */
final class NameTable {
    static final int MAX = 4096;
    private int[] slots = new int[256]; // id + 1, 0 = empty
    private final List<byte[]> names = new ArrayList<>();
    private final int[] hashes = new int[MAX];

    /** Id of b[s..e), adding it if new; -1 once {@link #MAX} names exist (garbage input). */
    int id(byte[] b, int s, int e) {
        int h = 1;
        for (int i = s; i < e; i++) h = 31 * h + b[i];
        int mask = slots.length - 1;
        int i = h & mask;
        while (slots[i] != 0) {
            int id = slots[i] - 1;
            if (hashes[id] == h && Arrays.equals(names.get(id), 0, names.get(id).length, b, s, e)) return id;
            i = (i + 1) & mask;
        }
        if (names.size() >= MAX) return -1;
        int id = names.size();
        names.add(Arrays.copyOfRange(b, s, e));
        hashes[id] = h;
        slots[i] = id + 1;
        if (names.size() * 2 > slots.length) rehash();
        return id;
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        int mask = slots.length - 1;
        for (int id = 0; id < names.size(); id++) {
            int i = hashes[id] & mask;
            while (slots[i] != 0) i = (i + 1) & mask;
            slots[i] = id + 1;
        }
    }

    int size() { return names.size(); }

    String name(int id) { return new String(names.get(id), StandardCharsets.UTF_8); }
}
