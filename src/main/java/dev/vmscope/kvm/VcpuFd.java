package dev.vmscope.kvm;

import dev.vmscope.hypervisor.ExitReason;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.sys.Errno;
import dev.vmscope.kvm.sys.Ioctls;
import dev.vmscope.sys.SyscallException;
import dev.vmscope.kvm.sys.Layouts;
import dev.vmscope.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

import static dev.vmscope.kvm.sys.Layouts.off;

/**
 * A vCPU fd and its shared kvm_run page. Only this class reads kvm_run: {@link #run()} returns a plain
 * {@link VcpuExit} and data the exit needs back goes in through {@link #completeIn} / {@link #completeMmioRead}.
 * Kicks use QEMU's scheme: a real-time signal blocked in the vCPU thread except inside KVM_RUN
 * (KVM_SET_SIGNAL_MASK), so a kick makes KVM_RUN return EINTR and the signal is consumed, never delivered.
 */
public final class VcpuFd implements AutoCloseable {
    /** SIGRTMIN+6 in glibc numbering; unused by the JVM. */
    public static final int KICK_SIGNAL = 40;

    private static final long EXIT_REASON = off(Layouts.RUN, "exit_reason");
    private static final long IMMEDIATE_EXIT = off(Layouts.RUN, "immediate_exit");
    private static final long REQ_IRQ_WINDOW = off(Layouts.RUN, "request_interrupt_window");
    private static final long READY_FOR_INJECTION = off(Layouts.RUN, "ready_for_interrupt_injection");
    private static final long IF_FLAG = off(Layouts.RUN, "if_flag");
    private static final long CR8 = off(Layouts.RUN, "cr8");
    private static final long X = Layouts.RUN_EXIT;
    /** Exit-union field offsets (from kvm_run's start), from the layouts StructLayoutTest checks against <linux/kvm.h>. */
    private static final long IO_DIRECTION = x(Layouts.EXIT_IO, "direction"), IO_SIZE = x(Layouts.EXIT_IO, "size"),
            IO_PORT = x(Layouts.EXIT_IO, "port"), IO_COUNT = x(Layouts.EXIT_IO, "count"),
            IO_DATA_OFFSET = x(Layouts.EXIT_IO, "data_offset"),
            MMIO_ADDR = x(Layouts.EXIT_MMIO, "phys_addr"), MMIO_DATA = x(Layouts.EXIT_MMIO, "data"),
            MMIO_LEN = x(Layouts.EXIT_MMIO, "len"), MMIO_IS_WRITE = x(Layouts.EXIT_MMIO, "is_write"),
            FAIL_REASON = x(Layouts.EXIT_FAIL_ENTRY, "hardware_entry_failure_reason"), FAIL_CPU = x(Layouts.EXIT_FAIL_ENTRY, "cpu"),
            INT_SUBERROR = x(Layouts.EXIT_INTERNAL, "suberror"), INT_NDATA = x(Layouts.EXIT_INTERNAL, "ndata"),
            INT_DATA = x(Layouts.EXIT_INTERNAL, "data"),
            EMU_FLAGS = x(Layouts.EXIT_EMULATION_FAILURE, "flags"), EMU_INSN_SIZE = x(Layouts.EXIT_EMULATION_FAILURE, "insn_size"),
            EMU_INSN = x(Layouts.EXIT_EMULATION_FAILURE, "insn_bytes"),
            SE_TYPE = x(Layouts.EXIT_SYSTEM_EVENT, "type"), SE_NDATA = x(Layouts.EXIT_SYSTEM_EVENT, "ndata"),
            SE_DATA = x(Layouts.EXIT_SYSTEM_EVENT, "data"),
            DBG_EXCEPTION = x(Layouts.EXIT_DEBUG, "exception"), DBG_PC = x(Layouts.EXIT_DEBUG, "pc"),
            DBG_DR6 = x(Layouts.EXIT_DEBUG, "dr6"), DBG_DR7 = x(Layouts.EXIT_DEBUG, "dr7"),
            EX_EXCEPTION = x(Layouts.EXIT_EX, "exception"), EX_ERROR = x(Layouts.EXIT_EX, "error_code"),
            HC_NR = x(Layouts.EXIT_HYPERCALL, "nr"), HC_ARGS = x(Layouts.EXIT_HYPERCALL, "args"),
            MSR_ERROR = x(Layouts.EXIT_MSR, "error"), MSR_INDEX = x(Layouts.EXIT_MSR, "index"), MSR_DATA = x(Layouts.EXIT_MSR, "data");
    /** KVM_SYNC_X86_REGS puts struct kvm_regs first in kvm_run.s; RIP is its 17th 64-bit field. */
    private static final long SYNC_RIP = off(Layouts.RUN, "s") + off(Layouts.REGS, "rip");

    private static long x(java.lang.foreign.StructLayout l, String field) { return X + off(l, field); }
    private static final VarHandle BYTE_VOLATILE = ValueLayout.JAVA_BYTE.varHandle();

    private final int id;
    private final int fd;
    private final MemorySegment run;
    private volatile int tid;
    private volatile Thread owner;
    private final Object kickLock = new Object();
    private boolean closed;

    VcpuFd(int id, int fd, MemorySegment run) {
        this.id = id;
        this.fd = fd;
        this.run = run;
    }

    public int id() { return id; }

    /** Call once on the thread that will run this vCPU: blocks the kick signal there and tells KVM to unblock it in KVM_RUN. */
    public void bindToCurrentThread() {
        long mask = Libc.blockSignalInThisThread(KICK_SIGNAL);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(12, 8); // struct kvm_signal_mask { __u32 len; __u8 sigset[8]; }
            s.set(ValueLayout.JAVA_INT, 0, 8);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, mask);
            Libc.ioctl(fd, "KVM_SET_SIGNAL_MASK", Ioctls.KVM_SET_SIGNAL_MASK, s);
        }
        synchronized (kickLock) {
            tid = Libc.gettid();
            owner = Thread.currentThread();
        }
    }

    /**
     * Call on the vCPU thread before it ends: no kick is sent to it afterwards, and one already pending is
     * consumed (a pending real-time signal left behind would kill the process once the thread exits).
     */
    public void unbindCurrentThread() {
        synchronized (kickLock) {
            tid = 0;
            owner = null;
        }
        Libc.drainSignal(KICK_SIGNAL);
    }

    /** From any thread: makes the current or next KVM_RUN return {@link VcpuExit.Interrupted}. */
    public void kick() {
        BYTE_VOLATILE.setVolatile(run, IMMEDIATE_EXIT, (byte) 1);
        if (owner == Thread.currentThread()) return; // we are not inside KVM_RUN: immediate_exit suffices
        synchronized (kickLock) {
            if (tid != 0) Libc.tgkill(tid, KICK_SIGNAL);
        }
    }

    /**
     * Lets KVM finish the instruction behind the last MMIO/PIO exit without running the guest: KVM_RUN with
     * immediate_exit set (Documentation/virt/kvm/api.rst, "immediate_exit"). Needed before userspace
     * replaces registers after such an exit (INIT): KVM would otherwise complete an emulated MMIO or port
     * read on the next KVM_RUN and write the old instruction's registers back over the new state.
     */
    public void completePendingExit() {
        BYTE_VOLATILE.setVolatile(run, IMMEDIATE_EXIT, (byte) 1);
        run();
    }

    /** KVM_RUN and decode why it returned. EINTR (a kick) is an exit, not an error. */
    public VcpuExit run() {
        int r = Libc.ioctlRaw(fd, Ioctls.KVM_RUN, 0L);
        if (r < 0) {
            if (r == -Errno.EINTR || r == -Errno.EAGAIN) {
                run.set(ValueLayout.JAVA_BYTE, IMMEDIATE_EXIT, (byte) 0);
                if (tid != 0) Libc.drainSignal(KICK_SIGNAL);
                return new VcpuExit.Interrupted();
            }
            throw new SyscallException("KVM_RUN", -r);
        }
        return decode();
    }

    private int i32(long o) { return run.get(ValueLayout.JAVA_INT_UNALIGNED, o); }

    private long i64(long o) { return run.get(ValueLayout.JAVA_LONG_UNALIGNED, o); }

    private int u8(long o) { return run.get(ValueLayout.JAVA_BYTE, o) & 0xff; }

    private VcpuExit decode() {
        int reason = i32(EXIT_REASON);
        return switch (reason) {
            case ExitReason.IO -> {
                int dir = u8(IO_DIRECTION), size = u8(IO_SIZE), port = run.get(ValueLayout.JAVA_SHORT_UNALIGNED, IO_PORT) & 0xffff;
                int count = i32(IO_COUNT);
                if (dir == 0) yield new VcpuExit.IoIn(port, size, count);
                long len = (long) size * count;
                byte[] data = run.asSlice(i64(IO_DATA_OFFSET), len).toArray(ValueLayout.JAVA_BYTE);
                yield new VcpuExit.IoOut(port, size, count, data);
            }
            case ExitReason.MMIO -> {
                long addr = i64(MMIO_ADDR);
                int len = i32(MMIO_LEN);
                if (u8(MMIO_IS_WRITE) == 0) yield new VcpuExit.MmioRead(addr, len);
                long v = 0;
                for (int b = Math.min(len, 8) - 1; b >= 0; b--) v = (v << 8) | u8(MMIO_DATA + b);
                yield new VcpuExit.MmioWrite(addr, len, v);
            }
            case ExitReason.HLT -> new VcpuExit.Hlt();
            case ExitReason.SHUTDOWN -> new VcpuExit.Shutdown();
            case ExitReason.FAIL_ENTRY -> new VcpuExit.FailEntry(i64(FAIL_REASON), i32(FAIL_CPU));
            case ExitReason.INTERNAL_ERROR -> internalError();
            case ExitReason.SYSTEM_EVENT -> new VcpuExit.SystemEvent(i32(SE_TYPE), longs(SE_DATA, Math.min(16, i32(SE_NDATA))));
            case ExitReason.DEBUG -> new VcpuExit.Debug(i32(DBG_EXCEPTION), i64(DBG_PC), i64(DBG_DR6), i64(DBG_DR7));
            case ExitReason.IRQ_WINDOW_OPEN -> new VcpuExit.IrqWindowOpen();
            case ExitReason.INTR -> new VcpuExit.Interrupted();
            case ExitReason.EXCEPTION -> new VcpuExit.Exception(i32(EX_EXCEPTION), i32(EX_ERROR));
            case ExitReason.HYPERCALL -> new VcpuExit.Hypercall(i64(HC_NR), longs(HC_ARGS, 6));
            case ExitReason.X86_RDMSR -> new VcpuExit.RdMsr(i32(MSR_INDEX));
            case ExitReason.X86_WRMSR -> new VcpuExit.WrMsr(i32(MSR_INDEX), i64(MSR_DATA));
            case ExitReason.IOAPIC_EOI -> new VcpuExit.IoapicEoi(u8(X));   // struct { __u8 vector; } eoi
            case ExitReason.UNKNOWN -> new VcpuExit.Unknown(i64(X));       // struct { __u64 hardware_exit_reason; } hw
            default -> new VcpuExit.Unsupported(reason);
        };
    }

    private long[] longs(long at, int n) {
        long[] d = new long[Math.max(0, n)];
        for (int i = 0; i < d.length; i++) d[i] = i64(at + 8L * i);
        return d;
    }

    /** KVM_INTERNAL_ERROR_EMULATION (1) with KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES (bit 0) carries the bytes. */
    private VcpuExit internalError() {
        int sub = i32(INT_SUBERROR);
        int n = Math.min(16, Math.max(0, i32(INT_NDATA)));
        long[] d = longs(INT_DATA, n);
        byte[] insn = new byte[0];
        if (sub == 1 && n >= 1 && (i64(EMU_FLAGS) & 1) != 0) {
            int size = Math.min(15, u8(EMU_INSN_SIZE));
            insn = run.asSlice(EMU_INSN, size).toArray(ValueLayout.JAVA_BYTE);
        }
        return new VcpuExit.InternalError(sub, d, insn);
    }

    /** Supplies the data of an IN exit: {@code size * count} bytes, copied into the exit's buffer in order. */
    public void completeIn(byte[] data) {
        long dataOff = i64(IO_DATA_OFFSET);
        int size = u8(IO_SIZE);
        long len = (long) size * i32(IO_COUNT);
        if (data.length != len) throw new IllegalArgumentException("IN data " + data.length + " bytes, exit wants " + len);
        MemorySegment.copy(data, 0, run, ValueLayout.JAVA_BYTE, dataOff, data.length);
    }

    /** Supplies the value of an MMIO read (little-endian, the exit's length). */
    public void completeMmioRead(long value) {
        int len = Math.min(8, i32(MMIO_LEN));
        for (int b = 0; b < len; b++) run.set(ValueLayout.JAVA_BYTE, MMIO_DATA + b, (byte) (value >>> (8 * b)));
    }

    /** Completes KVM_EXIT_X86_RDMSR/WRMSR: error=true makes KVM inject #GP. */
    public void completeMsr(boolean error, long value) {
        run.set(ValueLayout.JAVA_BYTE, MSR_ERROR, (byte) (error ? 1 : 0));
        run.set(ValueLayout.JAVA_LONG_UNALIGNED, MSR_DATA, value);
    }

    private static final long VALID_REGS = off(Layouts.RUN, "kvm_valid_regs");
    private boolean syncRegs;

    /**
     * Asks KVM to copy the GPRs into kvm_run on every exit (KVM_SYNC_X86_REGS, when KVM_CAP_SYNC_REGS
     * offers it), so RIP is known at each exit without a KVM_GET_REGS.
     */
    public void enableSyncRegs() {
        run.set(ValueLayout.JAVA_LONG_UNALIGNED, VALID_REGS, 1L);
        syncRegs = true;
    }

    /** RIP at the last exit when sync regs are on, else -1. */
    public long exitRip() {
        return syncRegs ? run.get(ValueLayout.JAVA_LONG_UNALIGNED, SYNC_RIP) : -1;
    }

    public void requestInterruptWindow(boolean on) { run.set(ValueLayout.JAVA_BYTE, REQ_IRQ_WINDOW, (byte) (on ? 1 : 0)); }

    public boolean readyForInterruptInjection() { return u8(READY_FOR_INJECTION) != 0; }

    public boolean ifFlag() { return u8(IF_FLAG) != 0; }

    public long cr8() { return i64(CR8); }

    // ---- register state ----

    public Regs getRegs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.REGS);
            Libc.ioctl(fd, "KVM_GET_REGS", Ioctls.KVM_GET_REGS, s);
            return Regs.of(s.toArray(ValueLayout.JAVA_LONG));
        }
    }

    public void setRegs(Regs r) {
        try (Arena a = Arena.ofConfined()) {
            Libc.ioctl(fd, "KVM_SET_REGS", Ioctls.KVM_SET_REGS, a.allocateFrom(ValueLayout.JAVA_LONG, r.toArray()));
        }
    }

    public Sregs getSregs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.SREGS);
            Libc.ioctl(fd, "KVM_GET_SREGS", Ioctls.KVM_GET_SREGS, s);
            return SregsCodec.read(s);
        }
    }

    public void setSregs(Sregs r) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.SREGS);
            SregsCodec.write(s, r);
            Libc.ioctl(fd, "KVM_SET_SREGS", Ioctls.KVM_SET_SREGS, s);
        }
    }

    /** KVM_GET_FPU raw bytes (struct kvm_fpu). */
    public byte[] getFpu() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.FPU);
            Libc.ioctl(fd, "KVM_GET_FPU", Ioctls.KVM_GET_FPU, s);
            return s.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    public void setFpu(byte[] fpu) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.FPU);
            MemorySegment.copy(fpu, 0, s, ValueLayout.JAVA_BYTE, 0, (int) Math.min(fpu.length, s.byteSize()));
            Libc.ioctl(fd, "KVM_SET_FPU", Ioctls.KVM_SET_FPU, s);
        }
    }

    /** KVM_GET_MSRS; returns the values in the order asked (KVM stops at the first it cannot read; the rest stay 0). */
    public long[] getMsrs(int... indices) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = msrBuffer(a, indices, null);
            int n = Libc.ioctl(fd, "KVM_GET_MSRS", Ioctls.KVM_GET_MSRS, s);
            long[] out = new long[indices.length];
            for (int i = 0; i < n; i++) out[i] = s.get(ValueLayout.JAVA_LONG, MSRS_ENTRIES + MSR_ENTRY_SIZE * i + MSR_DATA_OFF);
            return out;
        }
    }

    /** KVM_SET_MSRS; returns how many were set (KVM stops at the first it refuses). */
    public int setMsrs(int[] indices, long[] values) {
        try (Arena a = Arena.ofConfined()) {
            return Libc.ioctl(fd, "KVM_SET_MSRS", Ioctls.KVM_SET_MSRS, msrBuffer(a, indices, values));
        }
    }

    /** struct kvm_msrs { __u32 nmsrs; __u32 pad; struct kvm_msr_entry entries[]; } (include/uapi/asm/kvm.h). */
    private static final long MSRS_ENTRIES = 8, MSR_ENTRY_SIZE = Layouts.MSR_ENTRY.byteSize(),
            MSR_INDEX_OFF = off(Layouts.MSR_ENTRY, "index"), MSR_DATA_OFF = off(Layouts.MSR_ENTRY, "data");

    private static MemorySegment msrBuffer(Arena a, int[] idx, long[] vals) {
        MemorySegment s = a.allocate(MSRS_ENTRIES + MSR_ENTRY_SIZE * idx.length, 8);
        s.set(ValueLayout.JAVA_INT, 0, idx.length);
        for (int i = 0; i < idx.length; i++) {
            s.set(ValueLayout.JAVA_INT, MSRS_ENTRIES + MSR_ENTRY_SIZE * i + MSR_INDEX_OFF, idx[i]);
            if (vals != null) s.set(ValueLayout.JAVA_LONG, MSRS_ENTRIES + MSR_ENTRY_SIZE * i + MSR_DATA_OFF, vals[i]);
        }
        return s;
    }

    public void setCpuid2(List<CpuidEntry> entries) {
        try (Arena a = Arena.ofConfined()) {
            Libc.ioctl(fd, "KVM_SET_CPUID2", Ioctls.KVM_SET_CPUID2, Cpuid.write(a, entries));
        }
    }

    public VcpuEvents getVcpuEvents() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.VCPU_EVENTS);
            Libc.ioctl(fd, "KVM_GET_VCPU_EVENTS", Ioctls.KVM_GET_VCPU_EVENTS, s);
            java.util.function.ToIntFunction<String> b = f -> s.get(ValueLayout.JAVA_BYTE, off(Layouts.VCPU_EVENTS, f)) & 0xff;
            java.util.function.ToIntFunction<String> i = f -> s.get(ValueLayout.JAVA_INT, off(Layouts.VCPU_EVENTS, f));
            return new VcpuEvents(b.applyAsInt("exception_injected") != 0, b.applyAsInt("exception_nr"),
                    b.applyAsInt("exception_has_error_code") != 0, b.applyAsInt("exception_pending") != 0,
                    i.applyAsInt("exception_error_code"), b.applyAsInt("interrupt_injected") != 0, b.applyAsInt("interrupt_nr"),
                    b.applyAsInt("interrupt_soft") != 0, b.applyAsInt("interrupt_shadow"), b.applyAsInt("nmi_injected") != 0,
                    b.applyAsInt("nmi_pending") != 0, b.applyAsInt("nmi_masked") != 0, i.applyAsInt("sipi_vector"),
                    i.applyAsInt("flags"), b.applyAsInt("smi_smm") != 0, b.applyAsInt("smi_pending") != 0);
        }
    }

    /**
     * KVM_SET_VCPU_EVENTS with nothing injected, pending, masked or shadowed, as after INIT (KVM's own INIT,
     * kvm_vcpu_reset, drops the same). Flags KVM_VCPUEVENT_VALID_NMI_PENDING (1) | _VALID_SHADOW (4) make
     * KVM take nmi.pending and the interrupt shadow too (Documentation/virt/kvm/api.rst).
     */
    public void clearEvents() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.VCPU_EVENTS);
            s.set(ValueLayout.JAVA_INT, off(Layouts.VCPU_EVENTS, "flags"), 1 | 4);
            Libc.ioctl(fd, "KVM_SET_VCPU_EVENTS", Ioctls.KVM_SET_VCPU_EVENTS, s);
        }
    }

    public MpState getMpState() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(4, 4);
            Libc.ioctl(fd, "KVM_GET_MP_STATE", Ioctls.KVM_GET_MP_STATE, s);
            return MpState.of(s.get(ValueLayout.JAVA_INT, 0));
        }
    }

    public void setMpState(MpState st) {
        try (Arena a = Arena.ofConfined()) {
            Libc.ioctl(fd, "KVM_SET_MP_STATE", Ioctls.KVM_SET_MP_STATE, a.allocateFrom(ValueLayout.JAVA_INT, st.ordinal()));
        }
    }

    /** KVM_INTERRUPT: queue external interrupt {@code vector} (user-mode irqchip only). */
    public void interrupt(int vector) {
        try (Arena a = Arena.ofConfined()) {
            Libc.ioctl(fd, "KVM_INTERRUPT", Ioctls.KVM_INTERRUPT, a.allocateFrom(ValueLayout.JAVA_INT, vector));
        }
    }

    /** KVM_GET_TSC_KHZ: the guest's TSC frequency. */
    public long tscKhz() { return Libc.ioctl(fd, "KVM_GET_TSC_KHZ", Ioctls.KVM_GET_TSC_KHZ, 0L); }

    /** The guest's IA32_TIME_STAMP_COUNTER (MSR 0x10) now; call on this vCPU's thread while it is out of KVM_RUN. */
    public long guestTsc() { return getMsrs(0x10)[0]; }

    public void nmi() { Libc.ioctl(fd, "KVM_NMI", Ioctls.KVM_NMI, 0L); }

    /** KVM_SET_GUEST_DEBUG: control = KVM_GUESTDBG_* bits, debugreg = DR0-DR3, -, -, DR6, DR7. */
    public void setGuestDebug(int control, long[] debugreg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.GUEST_DEBUG);
            s.set(ValueLayout.JAVA_INT, off(Layouts.GUEST_DEBUG, "control"), control);
            long at = off(Layouts.GUEST_DEBUG, "debugreg");
            for (int i = 0; i < 8 && i < debugreg.length; i++) s.set(ValueLayout.JAVA_LONG, at + 8L * i, debugreg[i]);
            Libc.ioctl(fd, "KVM_SET_GUEST_DEBUG", Ioctls.KVM_SET_GUEST_DEBUG, s);
        }
    }

    /** KVM_GET_DEBUGREGS: DR0-DR3, DR6, DR7 (struct kvm_debugregs). */
    public long[] getDebugRegs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(128, 8);
            Libc.ioctl(fd, "KVM_GET_DEBUGREGS", Ioctls.KVM_GET_DEBUGREGS, s);
            long[] v = s.toArray(ValueLayout.JAVA_LONG);
            return new long[] {v[0], v[1], v[2], v[3], v[4], v[5]};
        }
    }

    /** KVM_GET_STATS_FD: the kernel's own counters for this vCPU (needs KVM_CAP_BINARY_STATS_FD). */
    public KvmStats openStats() {
        return new KvmStats(Libc.ioctl(fd, "KVM_GET_STATS_FD", Ioctls.KVM_GET_STATS_FD, 0L));
    }

    /** KVM_GET_LAPIC: the in-kernel local APIC's 1 KiB register page. */
    public byte[] getLapic() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(1024, 8);
            Libc.ioctl(fd, "KVM_GET_LAPIC", Ioctls.KVM_GET_LAPIC, s);
            return s.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
