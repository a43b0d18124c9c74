package dev.vmscope.devices.irq;

import java.util.function.LongSupplier;

/**
 * The local APIC timer (SDM vol. 3 section 11.5.4): one-shot and periodic count down the initial count at
 * bus clock / divide; TSC-deadline (11.5.4.1) fires when the guest TSC reaches IA32_TSC_DEADLINE. The
 * current count is computed from the injected clock, never by ticking. All methods run under the owning
 * LocalApic's lock; expiry runs {@code fire} from the scheduler thread, also under that lock.
 */
final class ApicTimer {
    static final int ONE_SHOT = 0, PERIODIC = 1, TSC_DEADLINE = 2;
    /** Periodic expiries closer than this are coalesced, like KVM's min_timer_period_us (200 us): a guest
     *  asking for a 1 ns period must not make the timer thread spin. The current count is unaffected. */
    static final long MIN_PERIOD_NANOS = 200_000;

    private final LocalApic owner;
    private final LongSupplier clock;
    private final TimerScheduler scheduler;
    private final long busCycleNanos;
    private final LongSupplier guestTsc;
    private final long tscHz;

    private int mode;
    private long initial;         // 32-bit initial count
    private int divideConfig;     // raw DCR bits 0,1,3
    private long tickNanos;       // bus cycle x divide, fixed when armed
    private long periodStart;     // clock value when the current period started
    private long tscDeadline;
    private long generation;      // stale scheduler callbacks compare against this
    private TimerScheduler.Handle handle;

    ApicTimer(LocalApic owner, LongSupplier clock, TimerScheduler scheduler, long busCycleNanos,
              LongSupplier guestTsc, long tscHz) {
        this.owner = owner;
        this.clock = clock;
        this.scheduler = scheduler;
        this.busCycleNanos = Math.max(1, busCycleNanos);
        this.guestTsc = guestTsc;
        this.tscHz = Math.max(1, tscHz);
    }

    /** Divide Configuration Register bits 3,1:0 (SDM 11.5.4, figure "Divide Configuration Register"). */
    static int divisor(int dcr) {
        int code = (dcr & 3) | (dcr >>> 1 & 4);
        return code == 7 ? 1 : 2 << code;
    }

    int divideConfig() { return divideConfig; }

    void setDivideConfig(int v) { divideConfig = v & 0xb; }   // takes effect when the timer is next armed

    long initialCount() { return mode == TSC_DEADLINE ? 0 : initial; }

    int mode() { return mode; }

    /** A write of the LVT timer that changes the mode disarms the timer (SDM 11.5.4.1). */
    void setMode(int newMode) {
        if (newMode == mode) return;
        mode = newMode;
        stop();
        initial = 0;
        tscDeadline = 0;
    }

    void stop() {
        generation++;
        if (handle != null) { handle.cancel(); handle = null; }
    }

    void writeInitialCount(long count) {
        if (mode == TSC_DEADLINE) return;   // ignored in TSC-deadline mode (SDM 11.5.4.1)
        stop();
        initial = count & 0xffffffffL;
        if (initial == 0) return;
        tickNanos = busCycleNanos * divisor(divideConfig);
        periodStart = clock.getAsLong();
        arm(periodStart + (mode == PERIODIC ? Math.max(period(), MIN_PERIOD_NANOS) : period()));
    }

    private long period() { return Math.min(Long.MAX_VALUE / 4, Math.multiplyHigh(initial, tickNanos) != 0
            ? Long.MAX_VALUE : initial * tickNanos); }

    long currentCount() {
        if (mode == TSC_DEADLINE || initial == 0) return 0;
        long ticks = (clock.getAsLong() - periodStart) / tickNanos;
        if (mode == PERIODIC) return initial - Math.floorMod(ticks, initial);
        return Math.max(0, initial - ticks);
    }

    long tscDeadline() { return mode == TSC_DEADLINE ? tscDeadline : 0; }

    void writeTscDeadline(long deadline) {
        if (mode != TSC_DEADLINE) return;   // other modes: writes ignored, reads 0 (SDM 11.5.4.1)
        stop();
        tscDeadline = deadline;
        if (deadline == 0) return;
        long delta = deadline - guestTsc.getAsLong();
        if (delta <= 0) { expire(generation); return; }
        long nanos = Math.min(Long.MAX_VALUE / 4, Math.max(1, Ticks.mulDiv(delta, 1_000_000_000L, tscHz)));
        arm(clock.getAsLong() + nanos);
    }

    private void arm(long deadline) {
        long gen = generation;
        handle = scheduler.schedule(deadline, () -> {
            synchronized (owner) { expire(gen); }
        });
    }

    /** Runs under the owner's lock. */
    private void expire(long gen) {
        if (gen != generation) return;
        handle = null;
        switch (mode) {
            case TSC_DEADLINE -> tscDeadline = 0;
            case PERIODIC -> {
                long period = Math.max(period(), MIN_PERIOD_NANOS);
                long now = clock.getAsLong();
                periodStart += period;
                if (now - periodStart >= period) periodStart = now - Math.floorMod(now - periodStart, period);
                arm(periodStart + period);
            }
            default -> { }
        }
        owner.timerFired();
    }

    String describe() {
        String m = switch (mode) { case PERIODIC -> "periodic"; case TSC_DEADLINE -> "tsc-deadline"; default -> "one-shot"; };
        return String.format("timer %s initial=0x%x current=0x%x divide=%d tsc-deadline=0x%x armed=%b", m,
                initialCount(), currentCount(), divisor(divideConfig), tscDeadline(), handle != null);
    }
}
