package dev.vmscope.devices.irq;

/**
 * Where interrupt-controller timers come from (LAPIC timer, PIT, ACPI PM timer). Deadlines are absolute
 * values of the clock the device was given, so a fake clock ({@link ManualTime}) makes tests deterministic.
 * Tasks run on a scheduler thread and may take device locks; cancellation is best effort, so devices also
 * guard each task with a generation number.
 */
public interface TimerScheduler {
    /** A scheduled task that can be cancelled. */
    interface Handle { void cancel(); }

    Handle schedule(long deadlineNanos, Runnable task);
}
