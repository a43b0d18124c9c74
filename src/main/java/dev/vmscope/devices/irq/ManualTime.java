package dev.vmscope.devices.irq;

import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * A deterministic clock and scheduler: time moves only by {@link #advance}, which runs every task due up to
 * the new time in deadline order (ties in scheduling order), with the clock set to each task's deadline
 * while it runs. For tests and for replaying traces.
 */
public final class ManualTime implements LongSupplier, TimerScheduler {
    private record Task(long deadline, long seq, Runnable run, boolean[] cancelled) {}

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
            ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    public ManualTime(long start) { this.now = start; }

    public ManualTime() { this(1_000_000_000L); }

    @Override public synchronized long getAsLong() { return now; }

    public long now() { return getAsLong(); }

    @Override public synchronized Handle schedule(long deadlineNanos, Runnable task) {
        boolean[] cancelled = new boolean[1];
        queue.add(new Task(deadlineNanos, seq++, task, cancelled));
        return () -> { synchronized (ManualTime.this) { cancelled[0] = true; } };
    }

    /** Number of scheduled, not cancelled tasks. */
    public synchronized int pending() {
        return (int) queue.stream().filter(t -> !t.cancelled[0]).count();
    }

    /** Advances the clock by {@code nanos}, running due tasks outside this object's lock. */
    public void advance(long nanos) {
        long target;
        synchronized (this) { target = now + nanos; }
        while (true) {
            Task t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.deadline > target) { now = target; return; }
                queue.poll();
                if (t.cancelled[0]) continue;
                now = Math.max(now, t.deadline);
            }
            t.run.run();
        }
    }
}
