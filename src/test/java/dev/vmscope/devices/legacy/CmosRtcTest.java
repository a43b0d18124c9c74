package dev.vmscope.devices.legacy;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CmosRtcTest {
    private static final long MIB = 1 << 20, GIB = 1L << 30;
    // Tuesday 2024-02-27 21:05:09 UTC
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-02-27T21:05:09Z"), ZoneOffset.UTC);

    private static int cmos(CmosRtc rtc, int index) {
        rtc.write(0, 1, index);
        return (int) rtc.read(1, 1);
    }

    private static int word(CmosRtc rtc, int lo) { return cmos(rtc, lo) | cmos(rtc, lo + 1) << 8; }

    @Test
    void memoryBytesFor128MiB() {
        CmosRtc rtc = new CmosRtc(CLOCK, 128 * MIB, 0, 1);
        assertEquals(640, word(rtc, 0x15));
        assertEquals(0xffff, word(rtc, 0x17), "127 MiB in KB exceeds 16 bits: capped");
        assertEquals(0xffff, word(rtc, 0x30));
        assertEquals((128 - 16) * 16, word(rtc, 0x34), "64 KiB units above 16 MiB");
        assertEquals(0, word(rtc, 0x5b) | cmos(rtc, 0x5d));
        assertEquals(0, cmos(rtc, 0x5f));
    }

    @Test
    void extendedMemoryBelowTheCapIsExact() {
        CmosRtc rtc = new CmosRtc(CLOCK, 32 * MIB, 0, 2);
        assertEquals(31 * 1024, word(rtc, 0x17));
        assertEquals(16 * 16, word(rtc, 0x34));
        assertEquals(1, cmos(rtc, 0x5f));
    }

    @Test
    void memoryBytesFor5GiBSplitAt3GiB() {
        CmosRtc rtc = CmosRtc.forRam(CLOCK, 5 * GIB, 3 * GIB, 4);
        assertEquals(0xffff, word(rtc, 0x17), "capped");
        assertEquals(0xffff, word(rtc, 0x30));
        assertEquals((int) ((3 * GIB - 16 * MIB) / 65536), word(rtc, 0x34));
        assertEquals(0xbf00, word(rtc, 0x34));
        assertEquals(0x8000, word(rtc, 0x5b) | cmos(rtc, 0x5d) << 16, "2 GiB above 4 GiB in 64 KiB units");
        assertEquals(3, cmos(rtc, 0x5f), "CPUs - 1");
    }

    @Test
    void timeInBcdAnd24HourByDefault() {
        CmosRtc rtc = new CmosRtc(CLOCK, 128 * MIB, 0, 1);
        assertEquals(0x09, cmos(rtc, 0x00));
        assertEquals(0x05, cmos(rtc, 0x02));
        assertEquals(0x21, cmos(rtc, 0x04));
        assertEquals(0x03, cmos(rtc, 0x06), "Tuesday, Sunday = 1");
        assertEquals(0x27, cmos(rtc, 0x07));
        assertEquals(0x02, cmos(rtc, 0x08));
        assertEquals(0x24, cmos(rtc, 0x09));
        assertEquals(0x20, cmos(rtc, 0x32));
        assertEquals(0x80, cmos(rtc, 0x0d));
        assertEquals(0, cmos(rtc, 0x0c));
        assertEquals(0, cmos(rtc, 0x0a) & 0x80, "no update in progress mid-second");
    }

    @Test
    void binaryAnd12HourModesFollowRegisterB() {
        CmosRtc rtc = new CmosRtc(CLOCK, 128 * MIB, 0, 1);
        rtc.write(0, 1, 0x0b);
        rtc.write(1, 1, 0x04); // binary, 12-hour
        assertEquals(0x80 | 9, cmos(rtc, 0x04), "9 PM");
        assertEquals(27, cmos(rtc, 0x07));
    }

    @Test
    void guestSetTimeIsKeptAsAnOffset() {
        CmosRtc rtc = new CmosRtc(CLOCK, 128 * MIB, 0, 1);
        rtc.write(0, 1, 0x0b);
        rtc.write(1, 1, 0x82); // SET, BCD, 24h
        rtc.write(0, 1, 0x09);
        rtc.write(1, 1, 0x30); // year 2030
        assertEquals(0x30, cmos(rtc, 0x09));
        rtc.write(0, 1, 0x0b);
        rtc.write(1, 1, 0x02);
        assertEquals(0x30, cmos(rtc, 0x09));
        assertEquals(0x21, cmos(rtc, 0x04));
    }

    @Test
    void garbageTimeIsIgnoredAndUipShowsBeforeTheSecondTicks() {
        Clock late = Clock.fixed(Instant.parse("2024-02-27T21:05:09.9999Z"), ZoneOffset.UTC);
        CmosRtc rtc = new CmosRtc(late, 128 * MIB, 0, 1);
        assertEquals(0x80, cmos(rtc, 0x0a) & 0x80);
        rtc.write(0, 1, 0x08);
        rtc.write(1, 1, 0x99); // month 99
        assertEquals(0x02, cmos(rtc, 0x08));
    }

    @Test
    void indexBit7IsTheNmiMask() {
        CmosRtc rtc = new CmosRtc(CLOCK, 128 * MIB, 0, 1);
        rtc.write(0, 1, 0x80 | 0x40);
        assertTrue(rtc.nmiDisabled());
        rtc.write(1, 1, 0x5a);
        assertEquals(0x5a, rtc.cmosByte(0x40));
        assertEquals(0xff, rtc.read(0, 1));
    }
}
