package dev.vmscope.vcpu;

import dev.vmscope.hypervisor.VcpuExit;

/**
 * Where the machine plugs behaviour into a vCPU's run loop without the loop knowing devices:
 * user-mode interrupt injection, HLT policy, debug exits, MSR exits. Defaults suit an in-kernel irqchip.
 */
public interface VcpuHooks {
    /**
     * Called before every entry into the guest (inject interrupts, request interrupt windows). Returning false skips
     * this entry and goes round the loop again (a CPU waiting for SIPI must not run).
     */
    default boolean beforeRun(Vcpu vcpu) { return true; }

    /**
     * A HLT exit reached userspace (no in-kernel LAPIC). Return true to resume, after waiting for a wake-up
     * if needed; false if nothing can ever wake this vCPU.
     */
    default boolean onHalt(Vcpu vcpu) { return false; }

    /** KVM_EXIT_DEBUG; returns true when handled (the debugger took it). */
    default boolean onDebug(Vcpu vcpu, VcpuExit.Debug d) { return false; }

    /** KVM_EXIT_X86_RDMSR / WRMSR (only when userspace MSR exits are enabled); null = inject #GP. */
    default Long onMsr(Vcpu vcpu, VcpuExit exit) { return null; }

    /** After each exit is handled, for the flight recorder and tracing. */
    default void afterExit(Vcpu vcpu, VcpuExit exit, long guestNanos, long handleNanos) { }

    /**
     * Deterministic mode ({@link RoundRobin}): may the vCPU run now? Must not block; {@link #onHalt} then returns
     * at once and this says false until something wakes the halted CPU (and while it waits for SIPI).
     */
    default boolean runnable(Vcpu vcpu) { return true; }

    /** Called when the loop sees a pause request; returns when the vCPU may run again. */
    default void onPause(Vcpu vcpu) { }

    VcpuHooks NONE = new VcpuHooks() { };
}
