package dev.vmscope.devices.irq;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The production clock ({@link System#nanoTime}) and a single daemon timer thread. */
public final class SystemTime implements GuestTime {
    private final ScheduledThreadPoolExecutor exec = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "vmscope-timers");
        t.setDaemon(true);
        return t;
    });

    public SystemTime() { exec.setRemoveOnCancelPolicy(true); }

    @Override public long getAsLong() { return System.nanoTime(); }

    @Override public Handle schedule(long deadlineNanos, Runnable task) {
        ScheduledFuture<?> f = exec.schedule(task, Math.max(0, deadlineNanos - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override public java.time.Clock calendar() { return java.time.Clock.systemUTC(); }

    @Override public void close() { exec.shutdownNow(); }
}
