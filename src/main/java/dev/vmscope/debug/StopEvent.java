package dev.vmscope.debug;

import dev.vmscope.hypervisor.GuestDebug;
/**
 * Why the VM stopped, as posted by a {@link DebugTarget} to its stop queue. All-stop: by the time an event
 * is posted every vCPU is paused.
 */
public sealed interface StopEvent {
    /** The vCPU that stopped, or -1 when the event concerns the whole VM. */
    int vcpu();

    /** Execution reached a breakpoint address (hardware slot or int3). */
    record Breakpoint(int vcpu, long address) implements StopEvent {}

    /**
     * Data breakpoint slot {@code slot} (0-3) fired on an access to {@code address}; from
     * {@link GuestDebug#SLOTS} on, {@code slot} is SLOTS + the index of the watched range
     * ({@link GuestDebug#watches()}) that fired, and {@code address} is its start.
     */
    record Watchpoint(int vcpu, int slot, long address) implements StopEvent {}

    /** A single step requested by {@link DebugTarget#step} completed. */
    record StepDone(int vcpu) implements StopEvent {}

    /** {@link DebugTarget#pause} stopped the VM (GDB's Ctrl-C). */
    record Interrupted(int vcpu) implements StopEvent {}

    /** The guest ended the VM (debug-exit port, power off); the process would exit with {@code status}. */
    record Exited(int status) implements StopEvent {
        public int vcpu() { return -1; }
    }

    /** Triple fault, KVM internal error, unhandled exit or a vmscope bug: the VM cannot continue. */
    record Fatal(int vcpu, String what) implements StopEvent {}

    /**
     * Classifies a KVM_EXIT_DEBUG (struct kvm_debug_exit_arch: exception, pc, dr6, dr7; linux
     * arch/x86/include/uapi/asm/kvm.h) against the configuration in force. DR6 bits (Intel SDM Vol. 3B
     * 18.2.3): B0-B3 (bits 0-3) name the slot that fired, BS (bit 14) a completed single step; vector 3 is
     * an intercepted int3, whose address is RIP.
     */
    public static StopEvent fromDebugExit(int vcpu, int exception, long rip, long dr6, GuestDebug config) {
        return fromDebugExit(vcpu, exception, rip, dr6, -1, config);
    }

    /** As above, with the index of the watched range that fired ({@code VcpuExit.Debug#watch()}, -1: none). */
    public static StopEvent fromDebugExit(int vcpu, int exception, long rip, long dr6, int watch, GuestDebug config) {
        if (exception == 3) return new Breakpoint(vcpu, rip);
        if (watch >= 0 && watch < config.watches().size())
            return new Watchpoint(vcpu, GuestDebug.SLOTS + watch, config.watches().get(watch).address());
        for (int i = 0; i < GuestDebug.SLOTS; i++) {
            GuestDebug.Slot s = config.slot(i);
            if ((dr6 >>> i & 1) == 0 || s == null) continue;
            return s.kind() == GuestDebug.Kind.EXECUTE ? new Breakpoint(vcpu, s.address()) : new Watchpoint(vcpu, i, s.address());
        }
        if ((dr6 & 1L << 14) != 0) return new StepDone(vcpu);
        return config.singleStep() ? new StepDone(vcpu) : new Fatal(vcpu, String.format("debug exit without a cause: vector %d dr6 0x%x", exception, dr6));
    }
}
