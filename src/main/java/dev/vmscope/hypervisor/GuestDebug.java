package dev.vmscope.hypervisor;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The debug configuration applied to every vCPU (KVM_SET_GUEST_DEBUG): single-step, int3 intercept and up
 * to four debug-register slots. {@link #dr7()} and {@link #slotAddresses()} are what go into
 * struct kvm_guest_debug_arch debugreg[7] and debugreg[0..3]. {@code watches} are watched linear ranges
 * beyond the slots, for a backend with {@link DebugCapabilities#unlimitedWatchpoints()} only (a hit is
 * reported as {@link VcpuExit.Debug#watch()}, the index in this list).
 */
public record GuestDebug(boolean singleStep, boolean softwareBreakpoints, Slot[] slots, List<Watch> watches) {
    public static final int SLOTS = 4;
    public static final GuestDebug OFF = new GuestDebug(false, false, new Slot[SLOTS]);

    /** What a watched range fires on. */
    public enum Access { READ, WRITE, ACCESS }

    /** A watched linear range of any length (at least 1 byte). */
    public record Watch(long address, long length, Access access) {
        public Watch {
            Objects.requireNonNull(access);
            if (length < 1) throw new IllegalArgumentException("length " + length);
        }

        /** An access of {@code size} bytes at {@code addr} overlaps the range and is of a kind it fires on. */
        public boolean hit(long addr, int size, boolean write) {
            if (write ? access == Access.READ : access == Access.WRITE) return false;
            return Long.compareUnsigned(addr + size - 1, address) >= 0 && Long.compareUnsigned(addr, address + length - 1) <= 0;
        }
    }

    /** The slots only (every backend). */
    public GuestDebug(boolean singleStep, boolean softwareBreakpoints, Slot[] slots) {
        this(singleStep, softwareBreakpoints, slots, List.of());
    }

    /** DR7 R/W field values (Intel SDM Vol. 3B 18.2.4): 00 execute, 01 write, 11 read or write. 10 (I/O) unused. */
    public enum Kind {
        EXECUTE(0), WRITE(1), ACCESS(3);
        public final int rw;
        Kind(int rw) { this.rw = rw; }
    }

    /** One debug-register breakpoint. Length 1, 2, 4 or 8 and address aligned to it; execute uses length 1. */
    public record Slot(long address, Kind kind, int length) {
        public Slot {
            Objects.requireNonNull(kind);
            if (length != 1 && length != 2 && length != 4 && length != 8) throw new IllegalArgumentException("length " + length);
            if (kind == Kind.EXECUTE && length != 1) throw new IllegalArgumentException("execute breakpoints have length 1");
            if ((address & (length - 1)) != 0) throw new IllegalArgumentException("address not aligned to length");
        }

        public boolean covers(long addr, int len) {
            return Long.compareUnsigned(addr + len - 1, address) >= 0 && Long.compareUnsigned(addr, address + length - 1) <= 0;
        }
    }

    public GuestDebug {
        if (slots.length != SLOTS) throw new IllegalArgumentException("need exactly 4 slots (null = free)");
        slots = slots.clone();
        watches = List.copyOf(watches);
    }

    /** The same configuration with single-step on or off. */
    public GuestDebug withSingleStep(boolean on) { return new GuestDebug(on, softwareBreakpoints, slots, watches); }

    @Override public Slot[] slots() { return slots.clone(); }

    public Slot slot(int i) { return slots[i]; }

    public boolean anyHardware() { return Arrays.stream(slots).anyMatch(Objects::nonNull); }

    public long[] slotAddresses() {
        long[] a = new long[SLOTS];
        for (int i = 0; i < SLOTS; i++) a[i] = slots[i] == null ? 0 : slots[i].address();
        return a;
    }

    /**
     * DR7 for the slots (Intel SDM Vol. 3B 18.2.4): Gn enable bit 2n+1 (global, survives task switches),
     * R/Wn at 16+4n, LENn at 18+4n with 00=1, 01=2, 11=4, 10=8 bytes; bit 10 reads as 1; GE (bit 9) as
     * QEMU and Linux set it for exact data breakpoints.
     */
    public long dr7() {
        long v = 1L << 10;
        for (int i = 0; i < SLOTS; i++) {
            Slot s = slots[i];
            if (s == null) continue;
            int len = switch (s.length()) { case 1 -> 0; case 2 -> 1; case 8 -> 2; default -> 3; };
            v |= 1L << (2 * i + 1) | (long) s.kind().rw << (16 + 4 * i) | (long) len << (18 + 4 * i);
        }
        return anyHardware() ? v | 1L << 9 : v;
    }

    @Override public boolean equals(Object o) {
        return o instanceof GuestDebug g && g.singleStep == singleStep && g.softwareBreakpoints == softwareBreakpoints
                && Arrays.equals(g.slots, slots) && g.watches.equals(watches);
    }

    @Override public int hashCode() {
        return (Arrays.hashCode(slots) * 31 + watches.hashCode()) * 4 + (singleStep ? 2 : 0) + (softwareBreakpoints ? 1 : 0);
    }

    @Override public String toString() {
        return "GuestDebug[singleStep=" + singleStep + ", sw=" + softwareBreakpoints + ", slots=" + Arrays.toString(slots)
                + (watches.isEmpty() ? "" : ", watches=" + watches) + "]";
    }
}
