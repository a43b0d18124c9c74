package dev.vmscope.vcpu;

import dev.vmscope.hypervisor.VirtualCpu;

/**
 * Deterministic mode's virtual clock as {@link RoundRobin} drives it: time is the number of instructions
 * retired by all vCPUs (one nanosecond each) plus a fixed cost per exit to the VMM, read live from the vCPU
 * that is running, and timer tasks run on the scheduler's thread when their deadline is reached, never by
 * host time.
 */
public interface InstructionClock {
    /** {@code cpu} is about to run: its retired instructions now advance the clock. */
    void enter(VirtualCpu cpu);

    /**
     * The running vCPU returned: its progress is folded into the clock, plus the exit's cost when {@code exited}
     * (the run ended in an exit the VMM handled, not at its budget); returns the instructions it retired.
     */
    long leave(boolean exited);

    /** Nanoseconds until the earliest timer deadline (0 when one is due), or Long.MAX_VALUE when none is armed. */
    long untilNextDeadline();

    /** Runs every timer task due at the current time, in deadline order. */
    void runDue();

    /** No vCPU can run: moves the clock to the earliest deadline and runs what is due; false when none is armed. */
    boolean skipToNextDeadline();
}
