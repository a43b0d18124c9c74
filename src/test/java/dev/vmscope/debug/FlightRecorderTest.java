package dev.vmscope.debug;

import dev.vmscope.hypervisor.ExitReason;
import dev.vmscope.util.Json;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlightRecorderTest {
    @Test
    void keepsTheMostRecentExitsPerVcpuAndDecodesThem() {
        FlightRecorder r = new FlightRecorder(2, 4);
        for (int i = 0; i < 10; i++) r.record(0, i, ExitReason.IO, 0x1000 + i, 0x3f8, 1 | 1 << 8, 'A' + i);
        r.record(1, 99, ExitReason.MMIO, 0x2000, 0xfee000b0L, 4 | 1 << 8, 0);
        r.record(7, 1, ExitReason.HLT, 0, 0, 0, 0); // out of range: ignored, no exception
        List<FlightRecorder.Entry> e = r.snapshot(0);
        assertEquals(4, e.size());
        assertEquals(6, e.getFirst().nanos(), "oldest kept is the 7th");
        assertEquals("IO out port 0x3f8 size 1 data 0x4a", e.getLast().describe());
        assertEquals(10, r.total(0));
        assertEquals("MMIO write 0xfee000b0 size 4 data 0x0", r.snapshot(1).getFirst().describe());
        String text = r.dump();
        assertTrue(text.contains("vCPU 0: 10 exits recorded, last 4") && text.contains("rip=0x1009"), text);
        Object json = Json.parse(r.dumpJson());
        Map<?, ?> cpu1 = (Map<?, ?>) ((List<?>) json).get(1);
        assertEquals("MMIO", ((Map<?, ?>) ((List<?>) cpu1.get("exits")).getFirst()).get("reason"));
        assertEquals("X86_WRMSR", FlightRecorder.name(ExitReason.X86_WRMSR));
        assertEquals("EXIT_999", FlightRecorder.name(999));
    }

    @Test
    void recordingAllocatesNothing() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FlightRecorder r = new FlightRecorder(4, 256);
        for (int i = 0; i < 200_000; i++) r.record(i & 3, i, ExitReason.IO, i, 0x80, 1, i); // warm up / JIT
        long tid = Thread.currentThread().threadId();
        long before = bean.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 1_000_000; i++) r.record(i & 3, i, ExitReason.MMIO, i, 0xfee00000L, 4, i);
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 4096, "1e6 records allocated " + allocated + " bytes");
        assertEquals(1_200_000 / 4, r.total(1));
    }
}
