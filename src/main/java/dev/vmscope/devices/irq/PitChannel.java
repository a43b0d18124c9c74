package dev.vmscope.devices.irq;

/**
 * One 8254 counter (Intel 8254 datasheet: modes 0-5, LSB/MSB/word access, counter latch, read-back status,
 * BCD). The count is derived from the clock at read time: ticks since the count was loaded at 1.193182 MHz.
 * Guarded by the owning {@link Pit8254}'s lock.
 */
final class PitChannel {
    static final long HZ = 1_193_182;
    private static final int RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3;

    int mode, rw = RW_WORD;
    boolean bcd, gate;
    long count = 0x10000;       // reload value, 1..65536 (or 1..10000 in BCD)
    long loadTime;
    boolean nullCount = true;   // status bit 6: a count was written but not yet loaded
    private boolean readHigh, writeHigh;
    private int writeLatch;
    private Integer latched;    // counter latch: value still to read
    private boolean latchedHigh;
    private Integer status;     // read-back status latch

    PitChannel(boolean gate) { this.gate = gate; }

    private long heldSince;     // clock value when a low gate stopped the count

    /** A low gate suspends counting in modes 0, 2, 3 and 4 (datasheet "Gate Pin Operations Summary"). */
    private boolean held() { return !gate && (mode == 0 || mode == 2 || mode == 3 || mode == 4); }

    long ticks(long now) {
        long t = held() ? Math.min(now, heldSince) : now;
        return Math.max(0, Ticks.mulDiv(t - loadTime, HZ, 1_000_000_000L));
    }

    long nanosAt(long ticks) { return loadTime + (Ticks.mulDiv(ticks, 1_000_000_000L, HZ) + 1); }

    private int modulus() { return bcd ? 10000 : 0x10000; }

    /** The counting element's value now (datasheet "Operation" for each mode). */
    int counter(long now) {
        long d = ticks(now);
        long v = switch (mode) {
            case 2 -> count - d % count;
            case 3 -> count - (2 * d) % count;   // mode 3 decrements by two (datasheet mode 3)
            default -> Math.floorMod(count - d, (long) modulus());
        };
        return (int) (v % modulus());
    }

    /** The OUT pin now. */
    boolean out(long now) {
        long d = ticks(now), n = count;
        return switch (mode) {
            case 0 -> d >= n;                         // interrupt on terminal count: high once the count expires
            case 1 -> d >= n;                         // hardware one-shot: low from trigger until terminal count
            case 2 -> held() || d % n != n - 1 || n < 2;   // rate generator: low for the one clock at count 1
            case 3 -> held() || d % n < (n + 1) / 2;       // square wave: high for the first (larger) half
            default -> d != n;                        // 4, 5 strobes: low for one clock at terminal count
        };
    }

    /** Ticks since load of the next OUT change after {@code now}, or -1 when OUT stays put. */
    long nextTransition(long now) {
        if (held()) return -1;
        long d = ticks(now), n = count;
        switch (mode) {
            case 0, 1 -> { return d < n ? n : -1; }
            case 2 -> {
                if (n < 2) return -1;
                long base = d - d % n, r = d - base;
                return r < n - 1 ? base + n - 1 : base + n;
            }
            case 3 -> {
                long base = d - d % n, half = (n + 1) / 2;
                return d - base < half ? base + half : base + n;
            }
            default -> { return d < n ? n : d == n ? n + 1 : -1; }
        }
    }

    /** Control word for this channel (bits 5:4 access mode, 3:1 mode, 0 BCD). */
    void control(int v, long now) {
        int access = v >>> 4 & 3;
        if (access == RW_LATCH) { latch(now); return; }
        rw = access;
        mode = v >>> 1 & 7;
        if (mode > 5) mode -= 4;   // 110 and 111 are aliases of modes 2 and 3
        bcd = (v & 1) != 0;
        readHigh = writeHigh = false;
        nullCount = true;
    }

    void latch(long now) {
        if (latched != null) return;   // a second latch before the read is ignored (datasheet)
        latched = toBcd(counter(now));
        latchedHigh = false;
    }

    void latchStatus(long now) {
        if (status != null) return;
        status = (out(now) ? 0x80 : 0) | (nullCount ? 0x40 : 0) | rw << 4 | mode << 1 | (bcd ? 1 : 0);
    }

    private int toBcd(int v) {
        if (!bcd) return v & 0xffff;
        v %= 10000;
        return (v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10;
    }

    private long fromBcd(int v) {
        long n = bcd ? ((v >> 12 & 0xf) % 10) * 1000 + ((v >> 8 & 0xf) % 10) * 100 + ((v >> 4 & 0xf) % 10) * 10 + (v & 0xf) % 10
                : v & 0xffff;
        return n == 0 ? modulus() : n;
    }

    int read(long now) {
        if (status != null) { int s = status; status = null; return s; }
        int v;
        boolean high;
        if (latched != null) {
            v = latched;
            high = rw == RW_MSB || (rw == RW_WORD && latchedHigh);
            if (rw == RW_WORD && !latchedHigh) latchedHigh = true; else latched = null;
        } else {
            v = toBcd(counter(now));
            high = rw == RW_MSB || (rw == RW_WORD && readHigh);
            if (rw == RW_WORD) readHigh = !readHigh;
        }
        return high ? v >>> 8 & 0xff : v & 0xff;
    }

    /** Returns true when a new count was loaded. */
    boolean write(int b, long now) {
        int value;
        switch (rw) {
            case RW_LSB -> value = b;
            case RW_MSB -> value = b << 8;
            default -> {
                if (!writeHigh) { writeLatch = b; writeHigh = true; return false; }
                writeHigh = false;
                value = writeLatch | b << 8;
            }
        }
        count = fromBcd(value);
        loadTime = now;
        heldSince = now;
        nullCount = false;
        return true;
    }

    /** Gate input (only channel 2's is wired, through port 0x61 bit 0). Low suspends modes 0/2/3/4; a
     *  rising edge resumes modes 0/4 where they stopped and reloads modes 1, 2, 3 and 5 (datasheet). */
    void setGate(boolean level, long now) {
        if (level == gate) return;
        if (!level) {
            heldSince = now;
        } else if (mode == 0 || mode == 4) {
            loadTime += now - Math.min(now, heldSince);
        } else {
            loadTime = now;
        }
        gate = level;
    }
}
