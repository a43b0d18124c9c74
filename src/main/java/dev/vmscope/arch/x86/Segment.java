package dev.vmscope.arch.x86;

/**
 * A segment register with its hidden part, in the shape KVM's struct kvm_segment uses: {@code limit} is
 * in bytes (already scaled by G), {@code type} is the 4-bit descriptor type, {@code s} the code/data bit.
 * Descriptor bit layout: Intel SDM Vol. 3A 3.4.5 "Segment Descriptors" (figure 3-8).
 */
public record Segment(int selector, long base, long limit, int type, boolean s, int dpl, boolean present,
                      boolean avl, boolean l, boolean db, boolean g, boolean unusable) {
    /** Type values (SDM Vol. 3A table 3-1), accessed bit set so the CPU never writes the GDT. */
    public static final int DATA_RW_ACCESSED = 0x3, CODE_RX_ACCESSED = 0xb;
    /** System types (SDM Vol. 3A table 3-2). */
    public static final int LDT = 0x2, TSS_BUSY = 0xb;

    /** 4 GiB flat 32-bit code, execute/read. */
    public static Segment flatCode32(int selector) {
        return new Segment(selector, 0, 0xffffffffL, CODE_RX_ACCESSED, true, 0, true, false, false, true, true, false);
    }

    /** 4 GiB flat read/write data (also the stack segment). */
    public static Segment flatData(int selector) {
        return new Segment(selector, 0, 0xffffffffL, DATA_RW_ACCESSED, true, 0, true, false, false, true, true, false);
    }

    /** 64-bit code (L=1, D=0); base and limit are ignored in long mode. */
    public static Segment code64(int selector) {
        return new Segment(selector, 0, 0xffffffffL, CODE_RX_ACCESSED, true, 0, true, false, true, false, true, false);
    }

    /** A real-mode segment: base = selector * 16, 64 KiB limit. */
    public static Segment real(int selector, boolean code) {
        return new Segment(selector & 0xffff, (selector & 0xffffL) << 4, 0xffff,
                code ? CODE_RX_ACCESSED : DATA_RW_ACCESSED, true, 0, true, false, false, false, false, false);
    }

    /** The task register at boot: no TSS in the GDT, but a present busy 32-bit TSS as VMX entry requires. */
    public static Segment bootTr() {
        return new Segment(0, 0, 0xffff, TSS_BUSY, false, 0, true, false, false, false, false, false);
    }

    /** The LDT register at boot: selector 0, as after reset. */
    public static Segment bootLdt() {
        return new Segment(0, 0, 0xffff, LDT, false, 0, true, false, false, false, false, false);
    }

    /** The 8-byte GDT descriptor for this segment (code/data segments; base and limit below 4 GiB). */
    public long descriptor() {
        long lim = g ? limit >>> 12 : limit;
        if (lim > 0xfffff) throw new IllegalStateException("limit does not fit a descriptor: 0x" + Long.toHexString(limit));
        return (lim & 0xffff)
                | (base & 0xffffffL) << 16
                | (long) (type & 0xf) << 40
                | (s ? 1L : 0) << 44
                | (long) (dpl & 3) << 45
                | (present ? 1L : 0) << 47
                | (lim >>> 16 & 0xf) << 48
                | (avl ? 1L : 0) << 52
                | (l ? 1L : 0) << 53
                | (db ? 1L : 0) << 54
                | (g ? 1L : 0) << 55
                | (base >>> 24 & 0xff) << 56;
    }
}
