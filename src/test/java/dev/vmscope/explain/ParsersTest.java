package dev.vmscope.explain;

import dev.vmscope.explain.parse.BhyveExitDump;
import dev.vmscope.explain.parse.BhyvectlDump;
import dev.vmscope.explain.parse.Detector;
import dev.vmscope.explain.parse.Field;
import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.parse.KvmTraceDump;
import dev.vmscope.explain.parse.ParsedDump;
import dev.vmscope.explain.parse.PerfKvmStatDump;
import dev.vmscope.explain.parse.QemuDump;
import dev.vmscope.explain.parse.Text;
import dev.vmscope.explain.parse.Vendor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParsersTest {
    static ParsedDump parse(String name) {
        byte[] b = Samples.bytes(name);
        var lines = Text.lines(b);
        Format f = Detector.detect(lines).orElseThrow(() -> new AssertionError("no format for " + name));
        return Detector.parser(f).parse(name, b, lines);
    }

    @Test
    void everySampleIsDetectedAsItsFormatAndFullyParsed() {
        Map<String, Format> expected = new java.util.HashMap<>(Map.of("0x88.0.txt", Format.BHYVECTL_GET_ALL, "intel-getall.1.txt",
                Format.BHYVECTL_GET_ALL, "bhyve-stats.2.txt", Format.BHYVE_STATS, "bhyve-exit-svm.txt",
                Format.BHYVE_EXIT, "bhyve-exit-vmx.txt", Format.BHYVE_EXIT, "trace-cmd-intel.txt", Format.KVM_TRACE,
                "perf-script-amd.txt", Format.KVM_TRACE, "perf-kvm-stat-intel.txt", Format.PERF_KVM_STAT,
                "qemu-internal-error.txt", Format.QEMU_REGS, "qemu-entry-failed.txt", Format.QEMU_REGS));
        expected.put("vmscope-crash-triple.json", Format.VMSCOPE_CRASH);
        expected.put("vmscope-crash-triple.txt", Format.VMSCOPE_CRASH);
        expected.put("vmscope-crash-smp2.json", Format.VMSCOPE_CRASH);
        expected.put("vmscope-crash-smp2.txt", Format.VMSCOPE_CRASH);
        for (String s : Samples.ALL) {
            ParsedDump d = parse(s);
            assertEquals(expected.get(s), d.format(), s);
            assertEquals(List.of(), d.unparsed(), s);
            assertTrue(d.recognized() > 0, s);
        }
    }

    @Test
    void bhyvectlAmdGetAllWithMemmapNulAndStats() {
        BhyvectlDump d = (BhyvectlDump) parse("0x88.0.txt");
        assertEquals(Vendor.AMD, d.vendor());
        assertEquals(0x88, d.field("exit_reason").orElseThrow().value());
        assertEquals(0x00040000, d.field("exc_intercept").orElseThrow().value());
        assertEquals(0xfee2fee2L, d.field("cr_intercept").orElseThrow().value());
        assertEquals(0x40193, d.field("rflags").orElseThrow().value());
        Field cs = d.field("cs desc").orElseThrow();
        assertEquals(3, cs.values().length);
        assertEquals(0x209b, cs.values()[2]);
        assertEquals(4, d.memmap().size());
        BhyvectlDump.MemMapping high = d.memmap().get(3);
        assertEquals(0x100000000L, high.gpa());
        assertEquals(1L << 30, high.lengthBytes());
        assertEquals(0xC0000000L, high.offset());
        assertEquals("sysmem", high.segment());
        assertEquals("wired", high.flags()); // printed after a NUL byte by show_memmap()
        assertEquals(3, d.memsegs().size());
        assertEquals(List.of(0, 1), d.cpuSet("suspended cpus").orElseThrow().cpus());
        assertEquals(6, d.intinfo().get(1).vector());
        assertEquals(26, d.stats().size());
        assertEquals(3874211, d.stats().get(1).value());
        assertEquals(10, d.capabilities().size());
    }

    @Test
    void bhyvectlIntelGetAllOtherVcpuWithoutMemmap() {
        BhyvectlDump d = (BhyvectlDump) parse("intel-getall.1.txt");
        assertEquals(Vendor.INTEL, d.vendor());
        Field er = d.field("exit_reason").orElseThrow();
        assertEquals(1, er.vcpu());
        assertEquals(0x30, er.value());
        assertEquals(0x182, d.field("vmcs_exit_qualification").orElseThrow().value());
        assertTrue(d.memmap().isEmpty());
        assertTrue(d.stats().isEmpty());
        BhyvectlDump.IntInfo p = d.intinfo().getFirst();
        assertEquals(14, p.vector());
        assertEquals(2L, p.errcode());
    }

    @Test
    void bhyveStatsAlone() {
        BhyvectlDump d = (BhyvectlDump) parse("bhyve-stats.2.txt");
        assertEquals(8, d.stats().size());
        assertEquals(2, d.stats().getFirst().vcpu());
        assertEquals("number of times hlt was intercepted", d.stats().get(3).name());
    }

    @Test
    void bhyveExitBlocksAndMessages() {
        BhyveExitDump svm = (BhyveExitDump) parse("bhyve-exit-svm.txt");
        assertEquals(Vendor.AMD, svm.vendor());
        assertEquals(0x8e, svm.exits().getFirst().number("exitcode"));
        assertEquals(1, svm.exits().getFirst().vcpu());
        BhyveExitDump vmx = (BhyveExitDump) parse("bhyve-exit-vmx.txt");
        assertEquals(Vendor.INTEL, vmx.vendor());
        assertEquals(33L, vmx.exits().getFirst().number("exit_reason"));
        assertEquals(3, vmx.messages().size());
        BhyveExitDump.Message emu = vmx.messages().get(1);
        assertEquals("emulation-failure", emu.kind());
        assertEquals("0f01f9", emu.bytes());
        assertEquals(0xffffffff8103bc1aL, emu.address());
    }

    @Test
    @SuppressWarnings("unchecked")
    void kvmTracesTraceCmdAndPerfScript() {
        KvmTraceDump t = (KvmTraceDump) parse("trace-cmd-intel.txt");
        assertEquals(Vendor.INTEL, t.vendor());
        assertEquals(11L, t.stats().get("exits"));
        assertEquals(11L, t.stats().get("entries"));
        KvmTraceDump p = (KvmTraceDump) parse("perf-script-amd.txt");
        assertEquals(Vendor.AMD, p.vendor());
        assertEquals(6L, p.stats().get("exits"));
        Map<String, Object> lat = (Map<String, Object>) p.stats().get("latency_ns");
        assertEquals(6L, lat.get("samples")); // old kernels: exit keyed by thread, entry by vcpu, still matched
        assertEquals(3000L, lat.get("max"));
    }

    @Test
    void perfKvmStatRows() {
        PerfKvmStatDump d = (PerfKvmStatDump) parse("perf-kvm-stat-intel.txt");
        assertEquals(7, d.rows().size());
        assertEquals("VM-EXIT", d.eventKind());
        assertEquals(Vendor.INTEL, d.vendor());
        PerfKvmStatDump.Row hlt = d.rows().get(1);
        assertEquals("HLT", hlt.event());
        assertEquals(98.87, hlt.timePct());
        assertEquals(107406.80, hlt.maxUs());
        assertEquals(10430L, d.totalSamples());
    }

    @Test
    void qemuDumps() {
        QemuDump q = (QemuDump) parse("qemu-internal-error.txt");
        assertEquals(1, q.suberror());
        assertEquals(3, q.extraData().size());
        assertEquals(0xffffffff81051c29L, q.registers().get("RIP"));
        assertEquals(0x0L, q.registers().get("R8"));
        assertEquals(0x10046L, q.registers().get("RFL"));
        assertEquals(8, q.segments().size());
        assertEquals(0xfffffe0000003000L, q.segments().get(7).base());
        assertNotNull(q.code());
        QemuDump e = (QemuDump) parse("qemu-entry-failed.txt");
        assertEquals(0x80000021L, e.hardwareError());
        assertEquals(Vendor.INTEL, e.vendor());
        assertEquals(0xfff0L, e.registers().get("EIP"));
        assertFalse(e.registers().containsKey("RIP"));
    }

    @Test
    void forcedFormatReportsForeignLinesAsUnparsed() {
        byte[] b = Samples.bytes("perf-kvm-stat-intel.txt");
        ParsedDump d = Detector.parser(Format.QEMU_REGS).parse("x", b, Text.lines(b));
        assertEquals(0, d.recognized());
        assertFalse(d.unparsed().isEmpty());
    }
}
