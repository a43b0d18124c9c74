package dev.vmscope.devices.acpi;

import dev.vmscope.arch.x86.acpi.PlatformConfig;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.VmControl;
import dev.vmscope.devices.irq.Ticks;
import dev.vmscope.devices.irq.TimerScheduler;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * ACPI fixed hardware (ACPI 6.x section 4.8): PM1a event block (status at +0, enable at +2), PM1a control
 * at +4 and the 24-bit power management timer at +8, as the FADT from dev.vmscope.arch.x86.acpi
 * describes it. Register at BusRange(0x600, 12). The SCI is a level, active-high line (ISA IRQ 9).
 * SLP_TYP 5 with SLP_EN powers off through VmControl; SLP_TYP 3 (S3) is reported to {@code events} and
 * wakes at once with WAK_STS set, because VmControl has no suspend and there is no firmware waking vector
 * to resume through. Lock order: AcpiPm before the interrupt controllers; VmControl is called unlocked.
 */
public final class AcpiPm implements BusDevice {
    public static final int LENGTH = 12;
    /** PM timer frequency (ACPI 4.8.3.3): 3.579545 MHz. */
    public static final long TIMER_HZ = 3_579_545;
    /** PM1 status/enable bits (ACPI 4.8.3.1, tables "PM1 Status Registers Fixed Hardware Feature Status Bits"). */
    public static final int TMR_STS = 1, BM_STS = 1 << 4, GBL_STS = 1 << 5, PWRBTN_STS = 1 << 8, SLPBTN_STS = 1 << 9,
            RTC_STS = 1 << 10, WAK_STS = 1 << 15;
    private static final int EN_WRITABLE = TMR_STS | GBL_STS | PWRBTN_STS | SLPBTN_STS | RTC_STS;
    /** PM1 control bits (ACPI 4.8.3.2.1): SCI_EN 0, BM_RLD 1, GBL_RLS 2, SLP_TYP 12:10, SLP_EN 13. */
    public static final int SCI_EN = 1, SLP_EN = 1 << 13;
    private static final int CNT_WRITABLE = 0x1c06;

    private final VmControl vm;
    private final IrqLine sci;
    private final LongSupplier clock;
    private final TimerScheduler scheduler;
    private final Consumer<String> events;
    private final long origin;
    private int sts, en, cnt = SCI_EN;
    private long timerEpoch;     // PM timer value >> 23 when TMR_STS was last evaluated
    private boolean sciLevel;
    private long generation;
    private TimerScheduler.Handle handle;

    public AcpiPm(VmControl vm, IrqLine sci, LongSupplier clock, TimerScheduler scheduler, Consumer<String> events) {
        this.vm = vm;
        this.sci = sci;
        this.clock = clock;
        this.scheduler = scheduler;
        this.events = events;
        this.origin = clock.getAsLong();
    }

    private long ticks(long now) { return Ticks.mulDiv(now - origin, TIMER_HZ, 1_000_000_000L); }

    /** The PM timer: 24 bits, free running. */
    public synchronized long timer() { return ticks(clock.getAsLong()) & 0xffffff; }

    /** TMR_STS is set whenever bit 23 of the timer changes (ACPI 4.8.3.3). */
    private void refreshTimer() {
        long epoch = ticks(clock.getAsLong()) >>> 23;
        if (epoch != timerEpoch) { timerEpoch = epoch; sts |= TMR_STS; }
    }

    private void updateSci() {
        boolean level = (sts & en & EN_WRITABLE) != 0;
        if (level != sciLevel) { sciLevel = level; sci.set(level); }
    }

    /** Schedules the next bit-23 change while TMR_EN is set, so the overflow SCI arrives on time. */
    private void armTimer() {
        generation++;
        if (handle != null) { handle.cancel(); handle = null; }
        if ((en & TMR_STS) == 0) return;
        long nextTick = (timerEpoch + 1) << 23;
        long at = origin + Ticks.mulDiv(nextTick, 1_000_000_000L, TIMER_HZ) + 1;
        long gen = generation;
        handle = scheduler.schedule(at, () -> {
            synchronized (AcpiPm.this) {
                if (gen != generation) return;
                refreshTimer();
                updateSci();
                armTimer();
            }
        });
    }

    /** A power button press (for graceful shutdown requests): PWRBTN_STS, SCI if enabled. */
    public synchronized void pressPowerButton() {
        sts |= PWRBTN_STS;
        updateSci();
    }

    private int byteAt(int off) {
        return switch (off) {
            case 0, 1 -> sts >>> (8 * off);
            case 2, 3 -> en >>> (8 * (off - 2));
            case 4, 5 -> cnt >>> (8 * (off - 4));
            case 8, 9, 10, 11 -> (int) (ticks(clock.getAsLong()) & 0xffffff) >>> (8 * (off - 8));
            default -> 0;
        } & 0xff;
    }

    @Override public synchronized long read(long offset, int size) {
        if (offset < 0 || offset >= LENGTH) return 0;
        refreshTimer();
        long v = 0;
        for (int i = 0; i < size && offset + i < LENGTH; i++) v |= (long) byteAt((int) offset + i) << (8 * i);
        return v;
    }

    @Override public void write(long offset, int size, long value) {
        int sleepType = -1;
        synchronized (this) {
            if (offset < 0 || offset >= LENGTH) return;
            int[] val = new int[LENGTH], mask = new int[LENGTH];
            for (int i = 0; i < size && offset + i < LENGTH; i++) {
                val[(int) offset + i] = (int) (value >>> (8 * i)) & 0xff;
                mask[(int) offset + i] = 0xff;
            }
            int m = mask[0] | mask[1] << 8, v = val[0] | val[1] << 8;
            if (m != 0) { refreshTimer(); sts &= ~(v & m); }                       // write 1 to clear
            m = mask[2] | mask[3] << 8; v = val[2] | val[3] << 8;
            if (m != 0) { en = (en & ~m) | (v & m & EN_WRITABLE); armTimer(); }
            m = mask[4] | mask[5] << 8; v = val[4] | val[5] << 8;
            if (m != 0) {
                cnt = ((cnt & ~m) | (v & m & CNT_WRITABLE)) | SCI_EN;   // no SMI_CMD: always in ACPI mode
                if ((v & m & SLP_EN) != 0) sleepType = cnt >>> 10 & 7;
            }
            updateSci();
        }
        if (sleepType >= 0) sleep(sleepType);
    }

    private void sleep(int type) {
        switch (type) {
            case PlatformConfig.SLP_TYP_S5 -> vm.powerOff("ACPI S5 (PM1a_CNT SLP_TYP=5, SLP_EN)");
            case PlatformConfig.SLP_TYP_S3 -> {
                events.accept("ACPI S3 requested: waking immediately");
                synchronized (this) { sts |= WAK_STS; updateSci(); }
            }
            default -> events.accept("ACPI sleep with undefined SLP_TYP " + type + " ignored");
        }
    }

    public synchronized String describe() {
        return String.format("acpi-pm sts=0x%04x en=0x%04x cnt=0x%04x timer=0x%06x sci=%b%n", sts, en, cnt,
                ticks(clock.getAsLong()) & 0xffffff, sciLevel);
    }
}
