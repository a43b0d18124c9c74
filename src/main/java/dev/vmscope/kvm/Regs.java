package dev.vmscope.kvm;

/** General-purpose registers (struct kvm_regs). */
public record Regs(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                   long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                   long rip, long rflags) {
    /** Field order of struct kvm_regs. */
    public static final String[] NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};

    public static Regs of(long[] v) {
        return new Regs(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
                v[14], v[15], v[16], v[17]);
    }

    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    /** A copy with register {@code name} (one of {@link #NAMES}) set to {@code value}. */
    public Regs with(String name, long value) {
        long[] v = toArray();
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(name)) { v[i] = value; return of(v); }
        throw new IllegalArgumentException("no register " + name);
    }

    public Regs withRip(long v) { return with("rip", v); }

    /** Reset state: only bit 1 of RFLAGS is set (SDM vol. 3 9.1.1). */
    public static Regs zero() { return new Regs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2); }
}
