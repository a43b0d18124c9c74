package dev.vmscope.kvm;

/** A segment register as KVM describes it (struct kvm_segment): descriptor cache fields unpacked. */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl, boolean db,
                      boolean s, boolean l, boolean g, boolean avl, boolean unusable) {
    /** A flat 4 GiB segment: code (type 0xb, read/execute accessed) or data (type 3, read/write accessed). */
    public static Segment flat(int selector, boolean code, boolean longMode) {
        return new Segment(0, 0xffffffff, selector, code ? 0xb : 0x3, true, 0, !(code && longMode), true,
                code && longMode, true, false, false);
    }

    /** Real-mode segment as after reset: base = selector << 4, 64 KiB limit. */
    public static Segment real(int selector, boolean code) {
        return new Segment((long) selector << 4, 0xffff, selector, code ? 0xb : 0x3, true, 0, false, true,
                false, false, false, false);
    }
}
