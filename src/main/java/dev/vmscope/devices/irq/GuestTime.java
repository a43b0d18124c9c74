package dev.vmscope.devices.irq;

import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * Every clock the guest can see, chosen once per machine: the timers' nanosecond clock and scheduler (LAPIC
 * timer, PIT, ACPI PM timer) and the calendar behind the CMOS RTC. {@link SystemTime} is the host's; in
 * deterministic mode the machine's instruction-driven clock stands in, so no device reads host time.
 */
public interface GuestTime extends LongSupplier, TimerScheduler, AutoCloseable {
    /** Wall-clock date and time for the RTC. */
    Clock calendar();

    @Override void close();
}
