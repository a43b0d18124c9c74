package dev.vmscope.hypervisor;

import java.util.Arrays;
import java.util.Set;

/**
 * One vCPU's architectural state as the debugger, crash reports and core files see it: a neutral copy of
 * what KVM_GET_REGS, KVM_GET_SREGS, KVM_GET_FPU, KVM_GET_DEBUGREGS, KVM_GET_VCPU_EVENTS, KVM_GET_MP_STATE
 * and the MSRs FS/GS/KERNEL_GS_BASE give. FS and GS bases live in {@link #fs()} and {@link #gs()}
 * (as in struct kvm_segment), not twice. {@code unknown} names the parts the backend could not read
 * ({@link #UNKNOWABLE}); their fields then hold reset values that must not be shown as facts.
 */
public record CpuState(
        long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rbp, long rsp,
        long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
        long rip, long rflags,
        Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss, Segment tr, Segment ldt,
        Table gdt, Table idt,
        long cr0, long cr2, long cr3, long cr4, long cr8, long efer, long kernelGsBase,
        long dr0, long dr1, long dr2, long dr3, long dr6, long dr7,
        PendingEvents events, MpState mpState, Fpu fpu, Set<String> unknown) {

    /** The parts a backend may fail to read, as named in {@link #unknown()}. */
    public static final Set<String> UNKNOWABLE = Set.of("debug_registers", "kernel_gs_base", "events", "mp_state", "fpu");

    /** A copy with {@code parts} marked unreadable. */
    public CpuState withUnknown(Set<String> parts) {
        return new CpuState(rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags,
                cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, kernelGsBase,
                dr0, dr1, dr2, dr3, dr6, dr7, events, mpState, fpu, parts);
    }

    public boolean known(String part) { return !unknown.contains(part); }

    public CpuState {
        if (cs == null || ds == null || es == null || fs == null || gs == null || ss == null || tr == null
                || ldt == null || gdt == null || idt == null || events == null || mpState == null || fpu == null)
            throw new IllegalArgumentException("CpuState parts must not be null (use the EMPTY/NONE constants)");
        unknown = unknown == null ? Set.of() : Set.copyOf(unknown);
    }

    /**
     * A segment register with its hidden part. {@code attributes} uses the layout of bits 8..23 of a
     * descriptor's high dword shifted down by 8 (the VMX access-rights layout, Intel SDM Vol. 3C 24.4.1):
     * bits 0-3 type, 4 S, 5-6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G, 16 unusable.
     */
    public record Segment(int selector, long base, long limit, int attributes) {
        public static final Segment NULL = new Segment(0, 0, 0xffff, 0);
        /** Type values (SDM Vol. 3A table 3-1), accessed bit set so the CPU never writes the GDT. */
        public static final int DATA_RW_ACCESSED = 0x3, CODE_RX_ACCESSED = 0xb;
        /** System types (SDM Vol. 3A table 3-2). */
        public static final int LDT = 0x2, TSS_BUSY = 0xb;
        private static final int S = 1 << 4, P = 1 << 7, AVL = 1 << 12, L = 1 << 13, DB = 1 << 14, G = 1 << 15, UNUSABLE = 1 << 16;

        /** Builds the attributes from struct kvm_segment's separate fields (linux include/uapi/linux/kvm.h). */
        public static int attributesOf(int type, boolean s, int dpl, boolean present, boolean avl, boolean l,
                                       boolean db, boolean g, boolean unusable) {
            return (type & 0xf) | (s ? S : 0) | (dpl & 3) << 5 | (present ? P : 0) | (avl ? AVL : 0)
                    | (l ? L : 0) | (db ? DB : 0) | (g ? G : 0) | (unusable ? UNUSABLE : 0);
        }

        /** 4 GiB flat 32-bit code, execute/read, ring 0. */
        public static Segment flatCode32(int selector) { return new Segment(selector, 0, 0xffffffffL, CODE_RX_ACCESSED | S | P | DB | G); }

        /** 4 GiB flat read/write data (also the stack segment), ring 0. */
        public static Segment flatData(int selector) { return new Segment(selector, 0, 0xffffffffL, DATA_RW_ACCESSED | S | P | DB | G); }

        /** 64-bit code (L=1, D=0); base and limit are ignored in long mode. */
        public static Segment code64(int selector) { return new Segment(selector, 0, 0xffffffffL, CODE_RX_ACCESSED | S | P | L | G); }

        /** A real-mode segment: base = selector * 16, 64 KiB limit. */
        public static Segment real(int selector, boolean code) {
            return new Segment(selector & 0xffff, (selector & 0xffffL) << 4, 0xffff, (code ? CODE_RX_ACCESSED : DATA_RW_ACCESSED) | S | P);
        }

        /** The task register at boot: no TSS in the GDT, but a present busy 32-bit TSS as VMX entry requires. */
        public static Segment bootTr() { return new Segment(0, 0, 0xffff, TSS_BUSY | P); }

        /** The LDT register at boot: selector 0, as after reset. */
        public static Segment bootLdt() { return new Segment(0, 0, 0xffff, LDT | P); }

        public int type() { return attributes & 0xf; }
        /** S: code or data (1) rather than a system segment (0). */
        public boolean s() { return (attributes & S) != 0; }
        public int dpl() { return attributes >> 5 & 3; }
        public boolean present() { return (attributes & P) != 0; }
        public boolean avl() { return (attributes & AVL) != 0; }
        public boolean l() { return (attributes & L) != 0; }
        public boolean db() { return (attributes & DB) != 0; }
        public boolean g() { return (attributes & G) != 0; }
        public boolean unusable() { return (attributes & UNUSABLE) != 0; }
        public boolean longMode() { return l(); }
        public boolean defaultBig() { return db(); }

        /** QEMU's SegmentCache.flags: the same bits in descriptor-high-dword position (target/i386/cpu.h DESC_*). */
        public int qemuFlags() { return (attributes & 0xffff) << 8; }

        /**
         * The 8-byte GDT descriptor for this segment (code/data segments; base and limit below 4 GiB), SDM Vol. 3A
         * 3.4.5 figure 3-8: the attributes are bits 40-55 of the descriptor, the limit is scaled by G.
         */
        public long descriptor() {
            long lim = g() ? limit >>> 12 : limit;
            if (lim > 0xfffff) throw new IllegalStateException("limit does not fit a descriptor: 0x" + Long.toHexString(limit));
            return (lim & 0xffff) | (base & 0xffffffL) << 16 | (long) (attributes & 0xf0ff) << 40
                    | (lim >>> 16 & 0xf) << 48 | (base >>> 24 & 0xff) << 56;
        }
    }

    /** GDTR or IDTR. */
    public record Table(long base, int limit) {
        public static final Table EMPTY = new Table(0, 0xffff);
    }

    /** struct kvm_vcpu_events, flattened: what is being delivered or waits to be. */
    public record PendingEvents(boolean exceptionPending, boolean exceptionInjected, int exceptionVector,
                                boolean exceptionHasErrorCode, int exceptionErrorCode,
                                boolean interruptInjected, int interruptVector, boolean interruptShadow,
                                boolean nmiPending, boolean nmiInjected, boolean nmiMasked, boolean smiPending) {
        public static final PendingEvents NONE =
                new PendingEvents(false, false, 0, false, 0, false, 0, false, false, false, false, false);

        public boolean any() {
            return exceptionPending || exceptionInjected || interruptInjected || nmiPending || nmiInjected || smiPending;
        }
    }

    /** KVM_MP_STATE_* in value order (linux include/uapi/linux/kvm.h). */
    public enum MpState {
        RUNNABLE, UNINITIALIZED, INIT_RECEIVED, HALTED, SIPI_RECEIVED, STOPPED, CHECK_STOP, OPERATING, LOAD, AP_RESET_HOLD, SUSPENDED;

        public static MpState ofKvm(int v) { return v >= 0 && v < values().length ? values()[v] : RUNNABLE; }
    }

    /**
     * x87/SSE state (struct kvm_fpu). {@code st} holds ST0..ST7 as 8 x 10-byte extended values,
     * {@code xmm} XMM0..XMM15 as 16 x 16 bytes, both little-endian; ftw is the full 16-bit tag word as GDB
     * shows it. The arrays are copied in and out so the record stays immutable.
     */
    public record Fpu(int fcw, int fsw, int ftw, int fop, int fiseg, int fioff, int foseg, int fooff,
                      byte[] st, byte[] xmm, int mxcsr) {
        public static final int ST_BYTES = 80, XMM_BYTES = 256;
        /** Power-on values (Intel SDM Vol. 1 8.1.5: FCW 0x37f, all tags empty; MXCSR 0x1f80). */
        public static final Fpu EMPTY = new Fpu(0x37f, 0, 0xffff, 0, 0, 0, 0, 0, new byte[ST_BYTES], new byte[XMM_BYTES], 0x1f80);

        public Fpu {
            if (st.length != ST_BYTES || xmm.length != XMM_BYTES) throw new IllegalArgumentException("bad FPU array sizes");
            st = st.clone();
            xmm = xmm.clone();
        }

        @Override public byte[] st() { return st.clone(); }
        @Override public byte[] xmm() { return xmm.clone(); }

        @Override public boolean equals(Object o) {
            return o instanceof Fpu f && fcw == f.fcw && fsw == f.fsw && ftw == f.ftw && fop == f.fop && fiseg == f.fiseg
                    && fioff == f.fioff && foseg == f.foseg && fooff == f.fooff && mxcsr == f.mxcsr
                    && Arrays.equals(st, f.st) && Arrays.equals(xmm, f.xmm);
        }

        @Override public int hashCode() { return Arrays.hashCode(xmm) * 31 + Arrays.hashCode(st) + fcw + mxcsr; }
    }

    /** The architectural power-on state (Intel SDM Vol. 3A 9.1.1, table 9-1); fakes and tests start here. */
    public static CpuState reset() {
        Segment data = new Segment(0, 0, 0xffff, 0x93);
        return new CpuState(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0xfff0, 0x2, new Segment(0xf000, 0xffff0000L, 0xffff, 0x9b), data, data, data, data, data,
                new Segment(0, 0, 0xffff, 0x8b), new Segment(0, 0, 0xffff, 0x82), Table.EMPTY, Table.EMPTY,
                0x60000010L, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xffff0ff0L, 0x400,
                PendingEvents.NONE, MpState.RUNNABLE, Fpu.EMPTY, Set.of());
    }

    /** The reset state with EDX holding the processor signature (CPUID.1:EAX), as after power-up. */
    public static CpuState reset(long signature) {
        CpuState r = reset();
        long[] g = r.gprs();
        g[3] = signature;
        return r.withGprs(g, r.rip(), r.rflags());
    }

    /**
     * The state after INIT, started at {@code csSelector:ip} with CS base {@code csBase} (SDM vol. 3 table 9-1
     * and 9.4.4: an AP after its SIPI runs at CS = vector << 8, base vector << 12, IP 0; the BSP at the reset
     * vector). INIT keeps CR0.CD and CR0.NW (table 9-1 note; KVM's kvm_vcpu_reset with init_event does the
     * same); everything else is the reset state. The tables matter when INIT hits a running CPU: a stale IDTR
     * would send real-mode interrupts astray.
     */
    public static CpuState startup(int csSelector, long csBase, long ip, long previousCr0) {
        CpuState r = reset();
        long cr0 = 0x10 | (previousCr0 & 0x60000000L);
        return r.withSegments(new Segment(csSelector, csBase, 0xffff, 0x9b), r.ds, r.es, r.fs, r.gs, r.ss)
                .withGprs(new long[16], ip, 0x2)
                .withSystem(cr0, 0, 0, 0, 0, 0, 0);
    }

    /** General-purpose register {@code i} in struct kvm_regs / GDB order: rax,rbx,rcx,rdx,rsi,rdi,rbp,rsp,r8..r15. */
    public long gpr(int i) {
        return switch (i) {
            case 0 -> rax; case 1 -> rbx; case 2 -> rcx; case 3 -> rdx; case 4 -> rsi; case 5 -> rdi;
            case 6 -> rbp; case 7 -> rsp; case 8 -> r8; case 9 -> r9; case 10 -> r10; case 11 -> r11;
            case 12 -> r12; case 13 -> r13; case 14 -> r14; case 15 -> r15;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /** A copy with the sixteen GPRs (same order as {@link #gpr}), RIP and RFLAGS replaced. */
    public CpuState withGprs(long[] g, long newRip, long newRflags) {
        return new CpuState(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13],
                g[14], g[15], newRip, newRflags, cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8,
                efer, kernelGsBase, dr0, dr1, dr2, dr3, dr6, dr7, events, mpState, fpu, unknown);
    }

    public long[] gprs() {
        long[] g = new long[16];
        for (int i = 0; i < 16; i++) g[i] = gpr(i);
        return g;
    }

    public CpuState withRip(long newRip) { return withGprs(gprs(), newRip, rflags); }

    public CpuState withSegments(Segment ncs, Segment nds, Segment nes, Segment nfs, Segment ngs, Segment nss) {
        return new CpuState(rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags,
                ncs, nds, nes, nfs, ngs, nss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, kernelGsBase,
                dr0, dr1, dr2, dr3, dr6, dr7, events, mpState, fpu, unknown);
    }

    public CpuState withSystem(long ncr0, long ncr2, long ncr3, long ncr4, long ncr8, long nefer, long nkgs) {
        return new CpuState(rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags,
                cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, ncr0, ncr2, ncr3, ncr4, ncr8, nefer, nkgs,
                dr0, dr1, dr2, dr3, dr6, dr7, events, mpState, fpu, unknown);
    }

    public CpuState withTables(Table ngdt, Table nidt, Segment ntr, Segment nldt) {
        return new CpuState(rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags,
                cs, ds, es, fs, gs, ss, ntr, nldt, ngdt, nidt, cr0, cr2, cr3, cr4, cr8, efer, kernelGsBase,
                dr0, dr1, dr2, dr3, dr6, dr7, events, mpState, fpu, unknown);
    }

    public CpuState withFpu(Fpu f) {
        return new CpuState(rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags,
                cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, kernelGsBase,
                dr0, dr1, dr2, dr3, dr6, dr7, events, mpState, f, unknown);
    }

    /** Long mode active (EFER.LMA, bit 10; Intel SDM Vol. 3A 2.2.1). */
    public boolean longModeActive() { return (efer & 1L << 10) != 0; }

    /** Paging on (CR0.PG, bit 31). */
    public boolean pagingEnabled() { return (cr0 & 1L << 31) != 0; }

    /** Code size in bits for the disassembler: 64 with CS.L in long mode, else 32 or 16 by CS.D (and CR0.PE). */
    public int codeBits() {
        if (longModeActive() && cs.longMode()) return 64;
        return (cr0 & 1) != 0 && cs.defaultBig() ? 32 : 16;
    }
}
