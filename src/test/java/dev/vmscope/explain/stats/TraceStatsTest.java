package dev.vmscope.explain.stats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceStatsTest {
    private static final String TRACE = String.join("\n",
            "cpus=2",
            "  CPU 0/KVM-100  [000]   10.000000: kvm_exit:  vcpu 0 reason MSR_WRITE rip 0xffffffff81000010 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000",
            "  CPU 1/KVM-101  [001]   10.000001: kvm_exit:  vcpu 1 reason HLT rip 0xffffffff81000020 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000",
            "  CPU 0/KVM-100  [000]   10.000002: kvm_msr:   msr_write 6e0 = 0x1234",
            "  CPU 0/KVM-100  [000]   10.000004: kvm_entry: vcpu 0, rip 0xffffffff81000010",
            "  CPU 0/KVM-100  [000]   10.000010: kvm_exit:  vcpu 0 reason IO_INSTRUCTION rip 0xffffffff81000030 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000",
            "  CPU 0/KVM-100  [000]   10.000011: kvm_pio:   pio_read at 0x71 size 1 count 1 val 0x26 ",
            "  CPU 0/KVM-100  [000]   10.000020: kvm_entry: vcpu 0, rip 0xffffffff81000030",
            "  CPU 1/KVM-101  [001]   10.001001: kvm_entry: vcpu 1, rip 0xffffffff81000021",
            "this line is not a trace event",
            "  CPU 0/KVM-100  [000]   10.002000: kvm_exit:  vcpu 0 reason EPT_MISCONFIG rip 0xffffffff81000040 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000",
            "  CPU 0/KVM-100  [000]   10.002001: kvm_mmio:  mmio write len 4 gpa 0xfebd1000 val 0x1",
            "  CPU 0/KVM-100  [000]   10.002003: kvm_entry: vcpu 0, rip 0xffffffff81000040") + "\n";

    @SuppressWarnings("unchecked")
    static Map<String, Object> reason(Map<String, Object> m, String name) {
        for (Object o : (List<Object>) m.get("reasons")) {
            Map<String, Object> r = (Map<String, Object>) o;
            if (r.get("reason").equals(name)) return r;
        }
        throw new AssertionError(name);
    }

    @Test
    @SuppressWarnings("unchecked")
    void countsLatenciesAndHotSpots() {
        TraceStats st = new TraceStats();
        TraceScanner sc = new TraceScanner(st);
        sc.scan(TRACE.getBytes(StandardCharsets.US_ASCII));
        Map<String, Object> m = StatsReport.toMap(st, sc);
        assertEquals(4L, m.get("exits"));
        assertEquals(4L, m.get("entries"));
        assertEquals(1L, m.get("unrecognized_lines"));
        assertEquals(10, sc.unparsed().getFirst().line());
        Map<String, Object> lat = (Map<String, Object>) m.get("latency_ns");
        assertEquals(3000L, lat.get("min"));
        assertEquals(1_000_000L, lat.get("max"));
        Map<String, Object> hlt = reason(m, "HLT");
        assertEquals(1_000_000L, hlt.get("time_ns"));
        assertEquals(25.0, hlt.get("count_pct"));
        Map<String, Object> io = reason(m, "IO_INSTRUCTION");
        assertEquals(10_000L, io.get("time_ns"));
        List<Object> vcpus = (List<Object>) m.get("vcpus");
        assertEquals(2, vcpus.size());
        assertEquals(3L, ((Map<String, Object>) vcpus.get(0)).get("exits"));
        Map<String, Object> port = (Map<String, Object>) ((List<Object>) m.get("top_ports")).getFirst();
        assertEquals("0x71", port.get("port"));
        assertEquals("read", port.get("access"));
        assertEquals("0xfebd1000", ((Map<String, Object>) ((List<Object>) m.get("top_mmio")).getFirst()).get("gpa"));
        assertEquals("0x6e0", ((Map<String, Object>) ((List<Object>) m.get("top_msrs")).getFirst()).get("msr"));
        assertEquals("intel", m.get("vendor_hint"));
    }

    @Test
    void fileScanWithTinyBufferMatchesInMemoryScan(@TempDir Path dir) throws IOException {
        byte[] data = TraceBench.generate(1);
        Path f = dir.resolve("t.txt");
        Files.write(f, data);
        TraceStats a = new TraceStats(), b = new TraceStats();
        TraceScanner sa = new TraceScanner(a), sb = new TraceScanner(b, 257);
        sa.scan(data);
        long[] last = {0};
        sb.scan(f, done -> last[0] = done);
        assertEquals(data.length, last[0]);
        assertEquals(StatsReport.toMap(a, sa).toString(), StatsReport.toMap(b, sb).toString());
        assertEquals(0, sb.badLines());
        assertTrue(a.exits > 1000);
    }

    @Test
    void histogramPercentilesWithinBucketError() {
        LatencyHistogram h = new LatencyHistogram();
        Random r = new Random(1);
        long[] v = new long[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (long) Math.exp(r.nextDouble() * 20);
            h.record(v[i]);
        }
        java.util.Arrays.sort(v);
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            long exact = v[(int) Math.ceil(q * v.length) - 1];
            long got = h.percentile(q);
            assertTrue(Math.abs(got - exact) <= Math.max(1, exact / 32), q + ": " + got + " vs " + exact);
        }
        assertEquals(v[0], h.min());
        assertEquals(v[v.length - 1], h.max());
    }

    @Test
    void benchmarkReportsThroughput() {
        TraceBench.Result r = TraceBench.run(16, 2);
        assertTrue(r.lines() > 100_000);
        assertEquals(r.stats().exits, r.stats().entries);
        System.out.printf("vmscope stats throughput: %.0f MB/s (%d MB, best of 2)%n", r.mbPerSecond(), r.bytes() >> 20);
    }
}
