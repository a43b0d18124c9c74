package dev.vmscope.devices.legacy;

import dev.vmscope.devices.ByteRegisterDevice;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * MC146818 real-time clock and CMOS RAM at ports 0x70 (index; bit 7 = NMI disable) and 0x71 (data).
 * Register the range 0x70, length 2. Semantics from the Motorola MC146818A datasheet and QEMU
 * hw/rtc/mc146818rtc.c; the memory-size bytes as QEMU's pc_cmos_init (hw/i386/pc.c) fills them.
 *
 * <p>Time comes from an injectable {@link Clock} in the clock's zone ({@code Clock.systemUTC()} is QEMU's
 * default "-rtc base=utc") plus an offset the guest sets by writing the time registers. Register B selects
 * BCD/binary (DM, bit 2) and 24/12-hour (bit 1) for reads; while B.SET is 1 the time registers hold what
 * the guest wrote and reads return them. UIP (A bit 7) reads 1 during the last 244 us of each second,
 * when the update cycle would run (datasheet: UIP rises 244 us before the update).
 *
 * <p>Not modelled: periodic, alarm and update-ended interrupts. Register C therefore always reads 0 and
 * there is no IRQ 8; the interrupt-enable bits of register B are stored but have no effect.
 */
public final class CmosRtc extends ByteRegisterDevice {
    // Register indexes (datasheet "Address map"; QEMU mc146818rtc_regs.h).
    static final int SECONDS = 0x00, SECONDS_ALARM = 0x01, MINUTES = 0x02, HOURS = 0x04, DAY_OF_WEEK = 0x06,
            DAY_OF_MONTH = 0x07, MONTH = 0x08, YEAR = 0x09, REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c,
            REG_D = 0x0d, EQUIPMENT = 0x14, CENTURY = 0x32;
    static final int A_UIP = 0x80, A_DIVIDER = 0x70, A_DIVIDER_NORMAL = 0x20;
    static final int B_SET = 0x80, B_UIE = 0x10, B_DM_BINARY = 0x04, B_24H = 0x02;
    static final int D_VRT = 0x80; // valid RAM and time: battery good
    static final int HOUR_PM = 0x80;
    /** UIP window before each update (datasheet, "Update cycle": t_BUC = 244 us). */
    static final long UIP_NANOS = 244_000;
    static final long KIB = 1024, MIB = 1024 * KIB;

    private final Clock clock;
    private final byte[] cmos = new byte[128];
    private int index;
    private boolean nmiDisabled;
    private long offsetSeconds; // guest time minus clock time

    /**
     * @param ramBelow4g guest RAM below 4 GiB in bytes
     * @param ramAbove4g guest RAM above 4 GiB in bytes
     * @param cpus number of CPUs (byte 0x5f holds cpus - 1; SeaBIOS reads it)
     */
    public CmosRtc(Clock clock, long ramBelow4g, long ramAbove4g, int cpus) {
        this.clock = Objects.requireNonNull(clock, "clock");
        cmos[REG_A] = (byte) (A_DIVIDER_NORMAL | 0x06); // 32.768 kHz time base, 1024 Hz rate (QEMU realize)
        cmos[REG_B] = B_24H;                            // BCD, 24-hour (QEMU rtc_reset)
        cmos[REG_D] = (byte) D_VRT;
        cmos[EQUIPMENT] = 0x06; // FPU present, PS/2 mouse installed, no floppy (pc_cmos_init)
        setMemory(ramBelow4g, ramAbove4g);
        setCpus(cpus);
    }

    /** Splits total RAM like QEMU's i440FX machine: below 4 GiB up to {@code lowMemLimit}, the rest above. */
    public static CmosRtc forRam(Clock clock, long ramSize, long lowMemLimit, int cpus) {
        long below = Math.min(ramSize, lowMemLimit);
        return new CmosRtc(clock, below, ramSize - below, cpus);
    }

    /** Fills the memory-size bytes as pc_cmos_init does. */
    public synchronized void setMemory(long below4g, long above4g) {
        long base = Math.min(below4g / KIB, 640);                              // 0x15/0x16: base KB
        long ext = Math.min(below4g > MIB ? (below4g - MIB) / KIB : 0, 0xffff); // KB above 1 MiB
        long high = Math.min(below4g > 16 * MIB ? (below4g - 16 * MIB) / (64 * KIB) : 0, 0xffff);
        long above = above4g / (64 * KIB);                                    // 0x5b-0x5d, 64 KiB units
        putLe(0x15, base, 2);
        putLe(0x17, ext, 2);
        putLe(0x30, ext, 2);
        putLe(0x34, high, 2);
        putLe(0x5b, above, 3);
    }

    public synchronized void setCpus(int cpus) { cmos[0x5f] = (byte) (cpus - 1); }

    private void putLe(int at, long v, int n) {
        for (int i = 0; i < n; i++) cmos[at + i] = (byte) (v >>> (8 * i));
    }

    /** A CMOS byte as stored (time registers excluded), for tests and diagnostics. */
    public synchronized int cmosByte(int i) { return cmos[i & 0x7f] & 0xff; }

    public synchronized boolean nmiDisabled() { return nmiDisabled; }

    private boolean running() { return (cmos[REG_B] & B_SET) == 0; }

    private boolean binary() { return (cmos[REG_B] & B_DM_BINARY) != 0; }

    private int toRtc(int v) { return binary() ? v : (v / 10) << 4 | v % 10; }

    private int fromRtc(int v) { return binary() ? v : (v >> 4) * 10 + (v & 0x0f); }

    private ZonedDateTime now() {
        return clock.instant().plusSeconds(offsetSeconds).atZone(clock.getZone());
    }

    private static boolean isTimeRegister(int i) {
        return i <= YEAR && i != SECONDS_ALARM && i != 0x03 && i != 0x05 || i == CENTURY;
    }

    /** Writes the current time into the time registers in the current format. */
    private void latchTime() {
        ZonedDateTime t = now();
        cmos[SECONDS] = (byte) toRtc(t.getSecond());
        cmos[MINUTES] = (byte) toRtc(t.getMinute());
        int h = t.getHour();
        if ((cmos[REG_B] & B_24H) != 0) {
            cmos[HOURS] = (byte) toRtc(h);
        } else {
            cmos[HOURS] = (byte) (toRtc(h % 12 == 0 ? 12 : h % 12) | (h >= 12 ? HOUR_PM : 0));
        }
        cmos[DAY_OF_WEEK] = (byte) toRtc(t.getDayOfWeek().getValue() % 7 + 1); // Sunday = 1
        cmos[DAY_OF_MONTH] = (byte) toRtc(t.getDayOfMonth());
        cmos[MONTH] = (byte) toRtc(t.getMonthValue());
        cmos[YEAR] = (byte) toRtc(t.getYear() % 100);
        cmos[CENTURY] = (byte) toRtc(t.getYear() / 100);
    }

    /** Takes the guest's time registers as the new time; nonsense values leave the clock alone. */
    private void adoptGuestTime() {
        try {
            int hourReg = cmos[HOURS] & 0xff;
            int hour;
            if ((cmos[REG_B] & B_24H) != 0) {
                hour = fromRtc(hourReg);
            } else {
                hour = fromRtc(hourReg & ~HOUR_PM) % 12 + ((hourReg & HOUR_PM) != 0 ? 12 : 0);
            }
            int year = fromRtc(cmos[CENTURY] & 0xff) * 100 + fromRtc(cmos[YEAR] & 0xff);
            LocalDateTime t = LocalDateTime.of(year, fromRtc(cmos[MONTH] & 0xff), fromRtc(cmos[DAY_OF_MONTH] & 0xff),
                    hour, fromRtc(cmos[MINUTES] & 0xff), fromRtc(cmos[SECONDS] & 0xff));
            Instant base = clock.instant();
            offsetSeconds = t.atZone(clock.getZone()).toEpochSecond() - base.getEpochSecond();
        } catch (DateTimeException | ArithmeticException e) {
            // The datasheet leaves invalid time undefined; keep counting from the old time.
        }
    }

    @Override
    protected int readByte(long offset) {
        if ((offset & 1) == 0) return 0xff; // the index port is write-only (QEMU cmos_ioport_read)
        int i = index;
        if (isTimeRegister(i)) {
            if (running()) latchTime();
            return cmos[i] & 0xff;
        }
        return switch (i) {
            case REG_A -> (cmos[REG_A] & 0x7f) | (updateInProgress() ? A_UIP : 0);
            case REG_C -> 0; // no interrupt sources modelled
            default -> cmos[i] & 0xff;
        };
    }

    private boolean updateInProgress() {
        if (!running() || (cmos[REG_A] & A_DIVIDER) != A_DIVIDER_NORMAL) return false;
        return clock.instant().getNano() >= 1_000_000_000L - UIP_NANOS;
    }

    @Override
    protected void writeByte(long offset, int value) {
        if ((offset & 1) == 0) {
            index = value & 0x7f;
            nmiDisabled = (value & 0x80) != 0;
            return;
        }
        int i = index;
        if (isTimeRegister(i)) {
            if (running()) latchTime();
            cmos[i] = (byte) value;
            if (running()) adoptGuestTime(); // a running clock takes the new value at once (QEMU)
            return;
        }
        switch (i) {
            case REG_A -> cmos[REG_A] = (byte) (value & 0x7f); // UIP is read-only
            case REG_B -> writeRegB(value);
            case REG_C, REG_D -> { } // read-only
            default -> cmos[i] = (byte) value;
        }
    }

    private void writeRegB(int value) {
        boolean wasRunning = running();
        if (wasRunning && (value & B_SET) != 0) latchTime(); // freeze the current time for the guest
        if ((value & B_SET) != 0) value &= ~B_UIE;          // SET clears UIE (datasheet, register B)
        cmos[REG_B] = (byte) value;
        if (!wasRunning && running()) adoptGuestTime();
    }
}
