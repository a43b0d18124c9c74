package dev.vmscope.hypervisor;

import java.util.Map;

/**
 * One virtual CPU. {@link #run()} executes guest code until the next exit and returns it as a record; the
 * run loop (dev.vmscope.vcpu.Vcpu) handles every port, MMIO, HLT, MSR and failure exit itself and hands
 * data back through the {@code complete*} methods before the next run, exactly as KVM's kvm_run protocol does.
 * Every method except {@link #kick()} is called on the vCPU's own thread (or while it is parked).
 */
public interface VirtualCpu extends AutoCloseable {
    int id();

    /** Once, on the thread that will call {@link #run()} (KVM binds its kick signal there). */
    void attachThread();

    /** On that thread before it ends; no kick reaches it afterwards. */
    void detachThread();

    /** Runs until the next exit. A kick makes it return {@link VcpuExit.Interrupted} promptly. */
    VcpuExit run();

    /**
     * Deterministic mode: as {@link #run()}, but returns {@link VcpuExit.BudgetUsed} once {@code budget} (at least 1)
     * instructions have retired in this call and no other exit came first. Only a backend that counts
     * instructions ({@link Capabilities#instructionCount()}) supports it.
     */
    default VcpuExit run(long budget) { throw new UnsupportedOperationException("this backend cannot count instructions"); }

    /** Instructions retired so far, or -1 when the backend does not count them. */
    default long retiredInstructions() { return -1; }

    /**
     * Deterministic mode: the guest's TSC follows {@code nanos} (a 1 GHz virtual clock) instead of the host's
     * time. False when the backend cannot (KVM's TSC is the host CPU's).
     */
    default boolean useClock(java.util.function.LongSupplier nanos) { return false; }

    /** From any thread: make the current or next {@link #run()} return. */
    void kick();

    /** Data for the last {@link VcpuExit.IoIn}: size * count bytes in order (string INS fills memory, never RAX). */
    void completeIn(byte[] data);

    /** The value of the last {@link VcpuExit.MmioRead} (little-endian, the exit's length). */
    void completeMmioRead(long value);

    /** Completes the last RDMSR/WRMSR exit; {@code error} injects #GP. */
    void completeMsr(boolean error, long value);

    /** The whole architectural state (registers, segments, tables, control/debug registers, events, FPU). */
    CpuState state();

    /** Writes the state back; parts a backend cannot set are ignored. */
    void setState(CpuState state);

    /**
     * Replaces the whole state as INIT or reset does: the instruction behind the last exit is finished first
     * (KVM completes a pending MMIO/PIO read), then nothing injected, pending or shadowed survives.
     */
    void restart(CpuState state);

    /** RFLAGS.IF as of the last exit. */
    boolean interruptsEnabled();

    /** An external interrupt can be injected now (IF set, no interrupt shadow, nothing being delivered). */
    boolean readyForInterrupt();

    /** Queues external interrupt {@code vector} for delivery at the next instruction boundary. */
    void injectInterrupt(int vector);

    void injectNmi();

    /** Asks for an {@link VcpuExit.IrqWindowOpen} exit as soon as {@link #readyForInterrupt()} would be true. */
    void requestInterruptWindow(boolean on);

    /** Breakpoints, watchpoints and single-step for the debugger. */
    void setGuestDebug(GuestDebug debug, boolean blockInterruptsWhileStepping);

    /** RIP at the last exit without a full state read, or -1 when the backend cannot tell cheaply. */
    long exitRip();

    /** The guest's time-stamp counter and its frequency in Hz (0 when unknown), for the TSC-deadline timer. */
    long guestTsc();

    long tscHz();

    /**
     * Reports every retired instruction to {@code observer} (null stops it). False when this backend cannot
     * (KVM runs guest code on the real CPU and sees only exits).
     */
    default boolean observeInstructions(InstructionObserver observer) { return false; }

    /** Counters the backend keeps itself (KVM's binary stats, emu's instruction count); empty when none. */
    Map<String, Long> counters();

    @Override void close();
}
