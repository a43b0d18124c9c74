package dev.vmscope.devices.irq;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.IrqLine;
import java.util.function.LongSupplier;

/**
 * The 8254 programmable interval timer: counters at ports 0x40-0x42, control word at 0x43 (including
 * read-back), and the PC's port 0x61 (System Control Port B) for channel 2's gate, speaker enable and OUT.
 * Channel 0's OUT drives ISA IRQ 0 through an {@link IrqLine} (give it {@code IsaIrqRouter.line(0)}).
 * Register the device at BusRange(0x40, 4) and {@link #port61()} at BusRange(0x61, 1).
 * Lock order: Pit8254 before Pic8259/IoApic/LocalApic.
 */
public final class Pit8254 implements BusDevice {
    /** Interrupts closer together than this are coalesced (a count of 2 in mode 2 would ask for 600k/s). */
    static final long MIN_IRQ_INTERVAL_NANOS = 10_000;
    /** Port 0x61 refresh-request bit toggles every 15.085 us on PC/AT-compatible chipsets. */
    private static final long REFRESH_NANOS = 15_085;

    private final PitChannel[] ch = {new PitChannel(true), new PitChannel(true), new PitChannel(false)};
    private final LongSupplier clock;
    private final TimerScheduler scheduler;
    private final IrqLine irq0;
    private boolean outLevel, speakerData;
    private int port61Stored;     // bits 2,3 (parity / IOCHK check enables) are stored only
    private long generation;
    private TimerScheduler.Handle handle;

    public Pit8254(IrqLine irq0, LongSupplier clock, TimerScheduler scheduler) {
        this.irq0 = irq0;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    @Override public synchronized long read(long offset, int size) {
        if (offset < 0 || offset > 2) return 0xff;   // the control word is write-only
        return ch[(int) offset].read(clock.getAsLong());
    }

    @Override public synchronized void write(long offset, int size, long value) {
        int v = (int) value & 0xff;
        long now = clock.getAsLong();
        if (offset >= 0 && offset <= 2) {
            if (ch[(int) offset].write(v, now) && offset == 0) rearm(false);
        } else if (offset == 3) {
            int sel = v >>> 6;
            if (sel == 3) {   // read-back: bit 5 = !COUNT, bit 4 = !STATUS, bits 3:1 select counters 0..2
                for (int i = 0; i < 3; i++) {
                    if ((v & 2 << i) == 0) continue;
                    if ((v & 0x10) == 0) ch[i].latchStatus(now);
                    if ((v & 0x20) == 0) ch[i].latch(now);
                }
            } else {
                ch[sel].control(v, now);
                if (sel == 0 && (v & 0x30) != 0) {
                    // A new mode sets OUT to its initial level (low for mode 0, high otherwise) until a count loads.
                    stop();
                    setOut(ch[0].mode != 0);
                }
            }
        }
    }

    private void stop() {
        generation++;
        if (handle != null) { handle.cancel(); handle = null; }
    }

    private void setOut(boolean level) {
        if (level != outLevel) {
            outLevel = level;
            irq0.set(level);
        }
    }

    /**
     * Re-evaluates channel 0's OUT and schedules its next change. Under lock. In mode 2 the one-clock low
     * pulse is delivered as a falling-then-rising edge at the reload, so only one timer task per period is
     * needed; changes closer together than {@link #MIN_IRQ_INTERVAL_NANOS} are coalesced.
     */
    private void rearm(boolean pulse) {
        stop();
        long now = clock.getAsLong();
        PitChannel c = ch[0];
        if (pulse) setOut(false);
        setOut(c.mode == 2 || c.out(now));
        long next = c.nextTransition(now);
        if (next < 0) return;
        if (c.mode == 2 && next % c.count != 0) next += 1;   // skip the falling edge: pulse at the reload
        long at = Math.max(c.nanosAt(next), now + (c.mode == 2 || c.mode == 3 ? MIN_IRQ_INTERVAL_NANOS : 1));
        boolean periodic = c.mode == 2;
        long gen = generation;
        handle = scheduler.schedule(at, () -> {
            synchronized (Pit8254.this) { if (gen == generation) rearm(periodic); }
        });
    }

    /** System Control Port B (0x61): bit 0 gate 2, bit 1 speaker data, 4 refresh toggle, 5 OUT2. */
    public BusDevice port61() {
        return new BusDevice() {
            @Override public long read(long offset, int size) {
                synchronized (Pit8254.this) {
                    long now = clock.getAsLong();
                    return (ch[2].gate ? 1 : 0) | (speakerData ? 2 : 0) | port61Stored
                            | ((now / REFRESH_NANOS) & 1) << 4 | (ch[2].out(now) ? 0x20 : 0);
                }
            }

            @Override public void write(long offset, int size, long value) {
                synchronized (Pit8254.this) {
                    ch[2].setGate((value & 1) != 0, clock.getAsLong());
                    speakerData = (value & 2) != 0;
                    port61Stored = (int) value & 0x0c;
                }
            }
        };
    }

    /** Channel {@code n}'s counting element now (for tests and dumps). */
    public synchronized int counter(int n) { return ch[Math.floorMod(n, 3)].counter(clock.getAsLong()); }

    public synchronized boolean out(int n) { return ch[Math.floorMod(n, 3)].out(clock.getAsLong()); }

    public synchronized String describe() {
        StringBuilder sb = new StringBuilder("pit");
        long now = clock.getAsLong();
        for (int i = 0; i < 3; i++)
            sb.append(String.format(" ch%d: mode=%d count=%d bcd=%b gate=%b out=%b value=%d;", i, ch[i].mode,
                    ch[i].count, ch[i].bcd, ch[i].gate, ch[i].out(now), ch[i].counter(now)));
        return sb.append(String.format(" speaker=%b%n", speakerData)).toString();
    }
}
