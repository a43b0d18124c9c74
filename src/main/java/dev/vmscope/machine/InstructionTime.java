package dev.vmscope.machine;

import dev.vmscope.devices.irq.GuestTime;
import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.vcpu.InstructionClock;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/**
 * Deterministic mode's one clock: one nanosecond per retired instruction, summed over every vCPU, plus
 * {@link #EXIT_NANOS} per exit handled by the VMM and the idle time skipped to timer deadlines. Every guest-visible time source reads it: the emu TSC
 * ({@link VirtualCpu#useClock}), LAPIC timer, PIT and ACPI PM timer (as clock and scheduler) and the CMOS RTC
 * (as a calendar starting at {@link #EPOCH}). Timer tasks run on the scheduler's thread in deadline order
 * (ties in scheduling order). Used only from that thread.
 */
final class InstructionTime implements GuestTime, InstructionClock {
    /** The RTC's date at virtual time 0: a fixed instant, so the guest reads the same date in every run. */
    static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");

    /**
     * What one exit to the VMM costs in virtual time (-Dvmscope.exitNanos). About what a port or MMIO exit to
     * userspace costs under KVM (a microsecond or two); without it a guest that polls a timer port (the PIT's
     * OUT2 in port 0x61) would need a quarter of a million exits per virtual millisecond.
     */
    static final long EXIT_NANOS = Math.max(0, Long.getLong("vmscope.exitNanos", 1000));

    private record Task(long deadline, long seq, Runnable run, boolean[] cancelled) {}

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
            ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));
    private long base;          // virtual time when the running vCPU entered, or now when none runs
    private VirtualCpu running;
    private long runningStart;  // its instruction count at entry
    private long seq;

    @Override public long getAsLong() { return running == null ? base : base + running.retiredInstructions() - runningStart; }

    @Override public Handle schedule(long deadlineNanos, Runnable task) {
        boolean[] cancelled = new boolean[1];
        queue.add(new Task(deadlineNanos, seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override public void enter(VirtualCpu cpu) {
        running = cpu;
        runningStart = cpu.retiredInstructions();
    }

    @Override public long leave(boolean exited) {
        if (running == null) return 0;
        long n = running.retiredInstructions() - runningStart;
        base += n + (exited ? EXIT_NANOS : 0);
        running = null;
        return n;
    }

    @Override public long untilNextDeadline() {
        Task t = head();
        return t == null ? Long.MAX_VALUE : Math.max(0, t.deadline - getAsLong());
    }

    @Override public void runDue() {
        for (Task t = head(); t != null && t.deadline <= getAsLong(); t = head()) {
            queue.poll();
            t.run.run();
        }
    }

    @Override public boolean skipToNextDeadline() {
        Task t = head();
        if (t == null) return false;
        if (running == null) base = Math.max(base, t.deadline);
        runDue();
        return true;
    }

    /** The earliest task not cancelled, or null. */
    private Task head() {
        Task t;
        while ((t = queue.peek()) != null && t.cancelled[0]) queue.poll();
        return t;
    }

    @Override public Clock calendar() {
        return new Clock() {
            @Override public ZoneId getZone() { return ZoneOffset.UTC; }

            @Override public Clock withZone(ZoneId zone) {
                if (!ZoneOffset.UTC.equals(zone)) throw new UnsupportedOperationException("the virtual calendar is UTC");
                return this;
            }

            @Override public Instant instant() { return EPOCH.plusNanos(getAsLong()); }
        };
    }

    @Override public void close() { queue.clear(); }
}
