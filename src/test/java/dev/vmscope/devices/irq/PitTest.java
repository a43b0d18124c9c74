package dev.vmscope.devices.irq;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.BusDevice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PitTest {
    /** Nanoseconds covering {@code ticks} PIT input clocks, rounded up. */
    private static long ns(long ticks) { return (ticks * 1_000_000_000L + PitChannel.HZ - 1) / PitChannel.HZ; }

    @Test
    void mode2RateGeneratorInterruptsEveryPeriod() {
        ManualTime t = new ManualTime(0);
        List<Boolean> irq = new ArrayList<>();
        Pit8254 pit = new Pit8254(irq::add, t, t);
        pit.write(3, 1, 0x34);                 // ch0, LSB+MSB, mode 2, binary
        pit.write(0, 1, 1193 & 0xff);          // ~1 kHz
        pit.write(0, 1, 1193 >> 8);
        assertEquals(List.of(true), irq);
        t.advance(10_000_000);                 // 10 ms
        long rises = irq.stream().filter(b -> b).count();
        assertEquals(11, rises, "initial high plus one rising edge per period");
        t.advance(500_000);
        pit.write(3, 1, 0x00);                 // latch ch0
        int lo = (int) pit.read(0, 1), hi = (int) pit.read(0, 1);
        int v = lo | hi << 8;
        assertTrue(v > 580 && v < 610, "half a period left: " + v);
    }

    @Test
    void mode3SquareWaveAndReadBack() {
        ManualTime t = new ManualTime(0);
        Pit8254 pit = new Pit8254(b -> { }, t, t);
        pit.port61().write(0, 1, 1);           // gate 2 high
        pit.write(3, 1, 0xb6);                 // ch2, word, mode 3
        pit.write(2, 1, 100);
        pit.write(2, 1, 0);
        assertTrue(pit.out(2));
        t.advance(ns(55));
        assertFalse(pit.out(2), "second half of the period is low");
        t.advance(ns(48));
        assertTrue(pit.out(2));
        pit.write(3, 1, 0xc8);                 // read-back: count and status of ch2
        int status = (int) pit.read(2, 1);
        assertEquals(0x80 | 0x30 | 3 << 1, status);
        int c = (int) pit.read(2, 1) | (int) pit.read(2, 1) << 8;
        assertTrue(c > 0 && c <= 100, "count " + c);
        assertEquals(0, c % 2, "mode 3 counts by two");
    }

    @Test
    void channel2GateAndOutThroughPort61LikeLinuxCalibration() {
        ManualTime t = new ManualTime(0);
        Pit8254 pit = new Pit8254(b -> { }, t, t);
        BusDevice p61 = pit.port61();
        p61.write(0, 1, (p61.read(0, 1) & ~0x02) | 0x01);   // gate on, speaker off
        pit.write(3, 1, 0xb0);                 // ch2, word, mode 0
        pit.write(2, 1, 0xff);
        pit.write(2, 1, 0xff);
        assertEquals(0, p61.read(0, 1) & 0x20);
        t.advance(ns(65534));
        assertEquals(0, p61.read(0, 1) & 0x20);
        t.advance(ns(3));
        assertEquals(0x20, p61.read(0, 1) & 0x20, "OUT2 high at terminal count");
        assertEquals(1, p61.read(0, 1) & 1);
    }

    @Test
    void bcdCountingAndLsbOnlyAccess() {
        ManualTime t = new ManualTime(0);
        Pit8254 pit = new Pit8254(b -> { }, t, t);
        pit.write(3, 1, 0x51);                 // ch1, LSB only, mode 0, BCD
        pit.write(1, 1, 0x99);                 // 99 BCD
        t.advance(ns(9) + 100);
        assertEquals(0x90, pit.read(1, 1));   // 90 in BCD
        pit.write(3, 1, 0x61);                 // MSB only, BCD
        pit.write(1, 1, 0x00);                 // 0 -> 10000
        t.advance(ns(1) + 100);
        assertEquals(0x99, pit.read(1, 1));    // 9999 -> MSB 0x99
    }

    @Test
    void lowGateHoldsChannel2AndARisingEdgeReloadsMode2() {
        ManualTime t = new ManualTime(0);
        Pit8254 pit = new Pit8254(b -> { }, t, t);
        BusDevice p61 = pit.port61();
        pit.write(3, 1, 0xb0);                 // ch2 mode 0 with the gate low (reset state)
        pit.write(2, 1, 100);
        pit.write(2, 1, 0);
        t.advance(ns(50));
        assertEquals(100, pit.counter(2), "gate low: not counting");
        p61.write(0, 1, 1);
        t.advance(ns(30));
        assertEquals(70, pit.counter(2), "counting from where it was");
        p61.write(0, 1, 0);
        t.advance(ns(30));
        assertEquals(70, pit.counter(2));
        p61.write(0, 1, 1);
        t.advance(ns(10));
        assertEquals(60, pit.counter(2), "mode 0 resumes");
        pit.write(3, 1, 0xb4);                 // mode 2
        pit.write(2, 1, 100);
        pit.write(2, 1, 0);
        t.advance(ns(40));
        p61.write(0, 1, 0);
        assertTrue(pit.out(2), "OUT high while held");
        p61.write(0, 1, 1);                    // rising edge reloads
        assertEquals(100, pit.counter(2));
    }
}
