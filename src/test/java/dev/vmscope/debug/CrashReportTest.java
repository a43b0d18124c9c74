package dev.vmscope.debug;

import dev.vmscope.hypervisor.ExitReason;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Crash reports of the fake target ({@link FakeTarget} stands in for KVM). */
class CrashReportTest {
    @TempDir Path dir;
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

    @Test
    void emulationFailureReportHasEverythingInTextAndJson() throws Exception {
        try (FakeTarget t = new FakeTarget(2, DebugCapabilities.KVM_NO_SW_BP)) {
            CpuState s = t.state(1);
            t.setState(1, new CpuState(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x1800, 0x10246,
                    s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(),
                    0x80050033L, 0xdead000, 0x1000, 0x3606f0, 0, 0xd01, 0, 0, 0, 0, 0, 0xffff4ff1L, 0x400,
                    new CpuState.PendingEvents(true, false, 14, true, 2, false, 0, false, true, false, false, false),
                    CpuState.MpState.RUNNABLE, CpuState.Fpu.EMPTY, java.util.Set.of()));
            FlightRecorder rec = new FlightRecorder(2, 8);
            rec.record(1, 5, ExitReason.IO, 0x17ff, 0x3f8, 1 | 1 << 8, 'x');
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("io_exits", 1);
            CrashReport.Written w = new CrashReport(t, rec, () -> stats, dir, clock)
                    .write(new CrashReport.InternalError(1, 1, new long[] {0x10, 0x20}, new byte[] {0x0f, 0x0b}));
            assertTrue(w.text().getFileName().toString().matches("vmscope-crash-\\d+-20260102T030405\\.678Z\\.txt"), w.text().toString());
            String txt = Files.readString(w.text());
            assertTrue(txt.contains("cause: KVM internal error: emulation failure (vCPU 1)"), txt);
            assertTrue(txt.contains("rflags 0x10246 [PF ZF IF RF IOPL=0]"), txt);
            assertTrue(txt.contains("cr0    0x80050033 [PE MP ET NE WP AM PG]"), txt);
            assertTrue(txt.contains("cr4    0x3606f0 [PSE PAE MCE PGE OSFXSR OSXMMEXCPT PCIDE OSXSAVE SMEP SMAP]"), txt);
            assertTrue(txt.contains("efer   0xd01 [SCE LME LMA NXE]"), txt);
            assertTrue(txt.contains("dr6    0xffff4ff1 [B0 BS]"), txt);
            assertTrue(txt.contains("events exception #PF error 0x2 (pending) NMI pending"), txt);
            assertTrue(txt.contains("code at rip (reported by KVM)"), txt);
            assertTrue(txt.contains("Capstone unavailable: ") && txt.contains("0x1800: 0f 0b") || txt.contains("ud2"), txt);
            assertTrue(txt.contains("IO out port 0x3f8 size 1 data 0x78"), txt);
            assertTrue(txt.contains("io_exits: 1"), txt);
            assertTrue(txt.contains("RAM 0x0000000000100000-0x000000000010ffff (64 KiB)"), txt);
            // Where it ran, from /proc: the CPU vendor decides which hardware exit tables apply.
            assertTrue(txt.matches("(?s).*== host ==\\n  vmscope +\\S+\\n  java +\\S+\\n  kernel +\\S+\\n  cpu_vendor +\\S+\\n.*"), txt);
            Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(w.json()));
            assertEquals("vmscope-crash-v1", json.get("format"));
            assertEquals("0x10", ((List<?>) ((Map<?, ?>) json.get("cause")).get("data")).getFirst());
            Map<?, ?> cpu1 = (Map<?, ?>) ((List<?>) json.get("vcpus")).get(1);
            assertEquals(List.of("SCE", "LME", "LMA", "NXE"), ((Map<?, ?>) cpu1.get("efer")).get("bits"));
            assertEquals(2, ((List<?>) json.get("memory")).size());
            assertTrue(((Map<?, ?>) json.get("host")).get("cpu_vendor") instanceof String);
            try (var files = Files.list(dir)) {
                assertEquals(2, files.count(), "only the two reports, no temp files");
            }
        }
    }

    /** Parts the backend could not read are reported as unknown, never as the reset values that stand in for them. */
    @Test
    void partsTheBackendCouldNotReadAreUnknown() throws Exception {
        try (FakeTarget t = new FakeTarget(1, DebugCapabilities.KVM_NO_SW_BP)) {
            t.setState(0, t.state(0).withUnknown(java.util.Set.of("debug_registers", "events", "kernel_gs_base", "mp_state")));
            CrashReport.Written w = new CrashReport(t, null, null, dir, clock).write(new CrashReport.TripleFault(0));
            String txt = Files.readString(w.text());
            assertTrue(txt.contains("dr0-3, dr6, dr7 unknown") && txt.contains("events unknown") && txt.contains("kernel_gs_base unknown")
                    && txt.contains("mp_state unknown"), txt);
            assertFalse(txt.contains("dr6    0xffff0ff0"), txt);
            Map<?, ?> cpu = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(Files.readString(w.json()))).get("vcpus")).getFirst();
            assertEquals("unknown", cpu.get("dr7"));
            assertEquals("unknown", cpu.get("events"));
            assertEquals(List.of("debug_registers", "events", "kernel_gs_base", "mp_state"), cpu.get("unknown"));
        }
    }

    @Test
    void unreadableVcpuAndUnmappedRipStillGiveAReport() throws Exception {
        try (FakeTarget t = new FakeTarget(2, DebugCapabilities.KVM_NO_SW_BP) {
            @Override public CpuState state(int vcpu) {
                if (vcpu == 1) throw new IllegalStateException("vCPU fd closed");
                return super.state(vcpu);
            }
        }) {
            t.setState(0, FakeTarget.longMode(0x50000));
            CrashReport r = new CrashReport(t, null, null, dir, clock);
            CrashReport.Written a = r.write(new CrashReport.TripleFault(0));
            CrashReport.Written b = r.write(new CrashReport.VmscopeError(-1, new IllegalStateException("bug")));
            assertTrue(!a.text().equals(b.text()), "second report in the same millisecond gets its own name");
            String txt = Files.readString(a.text());
            assertTrue(txt.contains("cause: triple fault (KVM_EXIT_SHUTDOWN) (vCPU 0)"), txt);
            assertTrue(txt.contains("code at rip: unreadable: 0x50000"), txt);
            assertTrue(txt.contains("state unavailable: java.lang.IllegalStateException: vCPU fd closed"), txt);
            Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(b.json()));
            assertTrue(((Map<?, ?>) json.get("cause")).get("stack") instanceof List<?>);
        }
    }
}
