package dev.vmscope.devices.irq;

/**
 * A 256-bit vector set laid out like the APIC's ISR/TMR/IRR: eight 32-bit words, word n covering vectors
 * 32n..32n+31 (SDM vol. 3 section 11.8.4). Not thread-safe; the owning LocalApic guards it.
 */
final class VectorSet {
    private final int[] words = new int[8];

    void set(int v) { words[v >>> 5] |= 1 << (v & 31); }

    void clear(int v) { words[v >>> 5] &= ~(1 << (v & 31)); }

    boolean test(int v) { return (words[v >>> 5] & 1 << (v & 31)) != 0; }

    void put(int v, boolean on) { if (on) set(v); else clear(v); }

    int word(int n) { return words[n]; }

    void clearAll() { java.util.Arrays.fill(words, 0); }

    /** The highest vector present, or -1. */
    int highest() {
        for (int n = 7; n >= 0; n--)
            if (words[n] != 0) return n * 32 + 31 - Integer.numberOfLeadingZeros(words[n]);
        return -1;
    }

    /** Hex list of the vectors present, e.g. "0x30 0xef". */
    String list() {
        StringBuilder sb = new StringBuilder();
        for (int v = 0; v < 256; v++) if (test(v)) sb.append(sb.isEmpty() ? "" : " ").append(String.format("0x%02x", v));
        return sb.isEmpty() ? "-" : sb.toString();
    }
}
