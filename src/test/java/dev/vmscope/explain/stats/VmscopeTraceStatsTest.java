package dev.vmscope.explain.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.machine.MachineConfig;
import dev.vmscope.machine.VmHarness;
import dev.vmscope.vcpu.ExitStats;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@code vmscope stats} on vmscope's own --trace output, written by hand and by a real VM. */
class VmscopeTraceStatsTest {
    private static Map<String, Object> stats(String text, TraceScanner[] scanner) {
        TraceStats st = new TraceStats();
        TraceScanner sc = new TraceScanner(st);
        sc.scan(text.getBytes(StandardCharsets.UTF_8));
        if (scanner != null) scanner[0] = sc;
        return StatsReport.toMap(st, sc);
    }

    @Test
    void handWrittenTraceWithDiagnosticsAndSummary() {
        String t = String.join("\n",
                "   0.077074 vcpu0 io      out port=0x0510 size=2 count=1 data=0000",
                "   0.105149 vcpu0 io      in  port=0x0511 size=1 count=4 data=51,45,4d,55",
                "   0.105679 vcpu1 mmio    write addr=0xfee00300 size=4 data=0x4500",
                "   0.105700 vcpu0 ipi     from APIC 0: INIT vec=0x00 dest=all-but-self assert edge -> APIC IDs [1]",
                "   0.105800 vcpu1 inject  vector=0x40",
                "   0.105900 vcpu1 hlt    ",
                "   0.106000 vcpu1 x86_rdmsr msr=0x1b data=0xfee00900",
                "  CPU 0/KVM-100  [000]   10.000004: kvm_entry: vcpu 0, rip 0xffffffff81000010",
                "vmscope: isa-debug-exit: guest wrote 0x0 (exit status 1)",
                "exit summary: 5 exits on 2 vCPU(s) in 1.0 ms",
                "  exit reason                     count   share     guest ms handle us/op",
                "  KVM_EXIT_IO                         2   40.0%        0.100         1.00",
                "   1.5 vcpu0 weird?") + "\n";
        TraceScanner[] sc = new TraceScanner[1];
        Map<String, Object> m = stats(t, sc);
        assertEquals("mixed", m.get("format"), "one KVM tracepoint line among them");
        assertEquals(5L, m.get("exits"));
        assertEquals(2L, TraceStatsTest.reason(m, "KVM_EXIT_IO").get("count"));
        assertEquals(1L, TraceStatsTest.reason(m, "KVM_EXIT_MMIO").get("count"));
        assertEquals(1L, TraceStatsTest.reason(m, "KVM_EXIT_HLT").get("count"));
        assertEquals(1L, TraceStatsTest.reason(m, "KVM_EXIT_X86_RDMSR").get("count"));
        // Diagnostics and the summary block are skipped; a malformed line after the summary is too (it is
        // still inside it), so nothing is reported as not interpreted.
        assertEquals(0L, m.get("unrecognized_lines"), sc[0].unparsed().toString());
        String text = StatsReport.text("t", m);
        assertTrue(text.startsWith("vmscope trace statistics for t"), text);
        assertTrue(text.contains("0x510 write"), text);
        assertTrue(text.contains("0x511 read"), text);
        assertTrue(text.contains("0xfee00300"), text);
        assertTrue(text.contains("ipi") && text.contains("inject"), text);
        // vmscope explain points such a file to stats instead of calling it an unknown format.
        String pure = t.substring(0, t.indexOf("  CPU 0/KVM"));
        var report = dev.vmscope.explain.report.Explainer.explain("t.log", pure.getBytes(StandardCharsets.UTF_8), java.util.Optional.empty());
        assertEquals(2, report.status());
        assertTrue(report.notInterpreted().toString().contains("this is a vmscope run --trace log")
                && report.notInterpreted().toString().contains("vmscope stats t.log"), report.notInterpreted().toString());
        // Outside a summary block a line of the wrong shape is named.
        Map<String, Object> bad = stats("   1.5 vcpu0 weird?\n", sc);
        assertEquals(1L, bad.get("unrecognized_lines"));
    }

    /** A real VM's --trace (guests/ipi.S on 4 vCPUs, Java irqchip): stats counts exactly the exits vmscope counted. */
    @Test
    void realTraceAgreesWithTheExitSummary() throws Exception {
        MachineConfig c = VmHarness.traced(VmHarness.config(VmHarness.guest("ipi"), null, 4, MachineConfig.IrqchipMode.USER),
                true, 60_000);
        VmHarness.Result r = VmHarness.run(c);
        long total = r.stats().stream().mapToLong(ExitStats::total).sum();
        TraceScanner[] sc = new TraceScanner[1];
        Map<String, Object> m = stats(r.diag(), sc);
        assertEquals("vmscope-trace", m.get("format"));
        assertEquals(0L, m.get("unrecognized_lines"), sc[0].unparsed().toString());
        assertEquals(total, m.get("exits"), "every exit vmscope counted has a trace line");
        @SuppressWarnings("unchecked")
        List<Object> vcpus = (List<Object>) m.get("vcpus");
        assertEquals(4, vcpus.size());
        long com1 = r.console().length();
        String text = StatsReport.text("ipi", m);
        assertTrue(text.matches("(?s).*\\n\\s+0x3f8 write\\s+" + com1 + " .*"), "one io exit per COM1 byte (" + com1 + "):\n" + text);
    }
}
