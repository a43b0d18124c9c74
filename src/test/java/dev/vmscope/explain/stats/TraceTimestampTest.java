package dev.vmscope.explain.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Issue 12: integer timestamps (trace-cmd's counter and x86-tsc clocks) were "no KVM trace events", and
 * seconds above about 9.2e9 overflowed into negative spans.
 */
class TraceTimestampTest {
    private static Map<String, Object> scan(String text) {
        TraceStats st = new TraceStats();
        TraceScanner sc = new TraceScanner(st);
        sc.scan(text.getBytes(StandardCharsets.US_ASCII));
        return StatsReport.toMap(st, sc);
    }

    private static String pair(String exitTs, String entryTs) {
        return "  CPU 0/KVM-100  [000] " + exitTs + ": kvm_exit:  vcpu 0 reason HLT rip 0xffffffff81000010 info1 0x0 info2 0x0"
                + " intr_info 0x00000000 error_code 0x00000000\n"
                + "  CPU 0/KVM-100  [000] " + entryTs + ": kvm_entry: vcpu 0, rip 0xffffffff81000010\n";
    }

    @Test
    @SuppressWarnings("unchecked")
    void integerClockTimestampsAreTicks() {
        Map<String, Object> m = scan(pair("123456789012345", "123456789015345") + pair("123456789020000", "123456789020100"));
        assertEquals(4L, m.get("event_lines"));
        assertEquals(0L, m.get("unrecognized_lines"));
        assertEquals("ticks", m.get("time_unit"));
        Map<String, Object> lat = (Map<String, Object>) m.get("latency_ns");
        assertEquals(100L, lat.get("min"));
        assertEquals(3000L, lat.get("max"));
        assertEquals(20000L - 12345L + 100L, m.get("span_ns"));
        assertTrue(StatsReport.text("t", m).contains("clock ticks"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void hugeSecondsDoNotOverflow() {
        // Seconds since 1970 in nanoseconds overflow a long past 9.2e9 s; an uptime clock of a host up for ages, or
        // a clock with a large offset, is still one span of a few seconds.
        Map<String, Object> m = scan(pair("12345678901234.000001", "12345678901234.000005") + pair("12345678901240.000000", "12345678901240.000002"));
        assertEquals(4L, m.get("event_lines"));
        assertEquals("ns", m.get("time_unit"));
        long span = (Long) m.get("span_ns");
        assertEquals(6_000_000_000L + 2_000L - 1_000L, span);
        Map<String, Object> lat = (Map<String, Object>) m.get("latency_ns");
        assertEquals(2000L, lat.get("min"));
        assertEquals(4000L, lat.get("max"));
    }

    @Test
    void nonsenseTimestampsAreReportedNotGuessed() {
        Map<String, Object> m = scan(pair("99999999999999999999.0", "1.5.5") + pair("10.000001", "10.000002"));
        assertEquals(2L, m.get("unrecognized_lines"));
        assertEquals(2L, m.get("event_lines"));
    }

    @Test
    void benchAtItsLargestSizeKeepsOneBlockInMemory() {
        TraceBench.Result r = TraceBench.run(5, 1, 2);
        assertTrue(r.bytes() >= 5L << 20 && r.bytes() < 7L << 20, "scanned the size asked from a 2 MiB block: " + r.bytes());
    }
}
