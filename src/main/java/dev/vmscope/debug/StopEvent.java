package dev.vmscope.debug;

/**
 * Why the VM stopped, as posted by a {@link DebugTarget} to its stop queue. All-stop: by the time an event
 * is posted every vCPU is paused.
 */
public sealed interface StopEvent {
    /** The vCPU that stopped, or -1 when the event concerns the whole VM. */
    int vcpu();

    /** Execution reached a breakpoint address (hardware slot or int3). */
    record Breakpoint(int vcpu, long address) implements StopEvent {}

    /** Data breakpoint slot {@code slot} (0-3) fired on an access to {@code address}. */
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
}
