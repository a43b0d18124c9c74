package dev.vmscope.machine;

import dev.vmscope.debug.CrashReport;
import dev.vmscope.debug.DebugOptions;
import dev.vmscope.debug.GdbHarness;
import dev.vmscope.disasm.Disassembler;
import dev.vmscope.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fatal guests on real KVM: crash reports (text + JSON "vmscope-crash-v1") with decoded registers, code at
 * RIP disassembled by Capstone, the flight recorder, exit statistics and the memory map; and an ELF core
 * that the real GDB opens with the same RIP and bytes.
 */
class CrashMachineTest {
    record Report(String text, Map<String, Object> json) {}

    static Report runFatal(String guest, Path dir, Path core, int expectedStatus, String expectedConsole) throws Exception {
        MachineConfig b = VmHarness.config(VmHarness.guest(guest), null);
        MachineConfig cfg = new MachineConfig(b.ramBytes(), 1, b.irqchip(), b.kernel(), null, List.of(), null, false, 60_000,
                null, false, new DebugOptions(null, false, core, dir), null);
        VmHarness.Result r = VmHarness.run(cfg);
        if (expectedStatus >= 0) assertEquals(expectedStatus, r.status(), r.diag());
        assertTrue(r.console().contains(expectedConsole), r.console());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) { files = s.filter(p -> p.getFileName().toString().startsWith("vmscope-crash-")).sorted().toList(); }
        assertEquals(2, files.size(), "one .json and one .txt: " + files + "\n" + r.diag());
        assertTrue(r.diag().contains("crash report written: " + files.get(1)), r.diag());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(files.get(0)));
        return new Report(Files.readString(files.get(1)), json);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) { return (Map<String, Object>) o; }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) { return (List<Object>) o; }

    @Test
    void tripleFaultReportAndCoreAgreeWithGdb(@TempDir Path dir) throws Exception {
        VmHarness.assumeBackend();
        Path core = dir.resolve("core");
        // vcpu.ExitStatus.GUEST_SHUTDOWN
        Report r = runFatal("triple", dir, core, dev.vmscope.vcpu.ExitStatus.GUEST_SHUTDOWN, "triple: faulting");
        String t = r.text();
        assertTrue(t.contains("cause: triple fault (KVM_EXIT_SHUTDOWN) (vCPU 0)"), t);
        assertTrue(t.matches("(?s).*cr0\\s+0x11 \\[PE ET\\].*"), t);
        assertTrue(t.matches("(?s).*rflags 0x[0-9a-f]+ \\[[^]]*ZF[^]]*IOPL=0\\].*"), t);
        assertTrue(t.contains("idt base 0000000000000000 limit 0000"), "the empty IDT that caused it: " + t);
        if (Disassembler.capstone().isPresent())
            assertTrue(t.matches("(?s).*code at rip \\(read from guest memory\\):\\s+0x[0-9a-f]+: 0f 0b\\s+ud2.*"), t);
        assertTrue(t.contains("== last exits (flight recorder) =="), t);
        assertTrue(t.matches("(?s).*IO out port 0x3f8 size 1 data 0xa\\n.*SHUTDOWN.*"), "last exits end with the newline and the shutdown: " + t);
        assertTrue(t.contains("== exit statistics ==") && t.contains("KVM_EXIT_SHUTDOWN") && t.contains("stop: vCPU 0 stopped: triple fault"), t);
        assertTrue(t.contains("== memory map ==") && t.contains("RAM 0x0000000000000000-0x0000000001ffffff"), t);

        Map<String, Object> j = r.json();
        assertEquals(CrashReport.FORMAT, j.get("format"));
        Map<String, Object> cause = map(j.get("cause"));
        assertEquals("TripleFault", cause.get("kind"));
        assertEquals("KVM_EXIT_SHUTDOWN", cause.get("exit"));
        Map<String, Object> cpu = map(list(j.get("vcpus")).get(0));
        String rip = (String) map(cpu.get("gprs")).get("rip");
        assertEquals(List.of("PE", "ET"), map(cpu.get("cr0")).get("bits"));
        assertTrue(list(map(cpu.get("rflags")).get("bits")).contains("ZF"), cpu.toString());
        assertEquals(rip, cpu.get("code_address"));
        assertTrue(((String) cpu.get("code_bytes")).startsWith("0f 0b"), cpu.toString());
        assertEquals(32L, ((Number) cpu.get("code_bits")).longValue());
        List<Object> exits = list(map(list(j.get("recent_exits")).get(0)).get("exits"));
        Map<String, Object> last = map(exits.get(exits.size() - 1));
        assertEquals("SHUTDOWN", last.get("reason"));
        assertEquals(8L, ((Number) last.get("exit_code")).longValue());
        assertEquals(rip, last.get("rip"), "the recorder saw the shutdown at the faulting RIP (KVM sync regs)");
        Map<String, Object> io = map(exits.get(exits.size() - 2));
        assertEquals("0x3f8", io.get("a"), "the last byte of the message went to COM1");
        assertEquals("0xa", io.get("c"));
        assertEquals(4L, ((Number) map(j.get("stats")).get("status")).longValue());
        assertEquals("0x1ffffff", map(list(j.get("memory")).get(0)).get("end"));

        // The real GDB reads the same RIP and bytes from the ELF core.
        String out = GdbHarness.run(120, "core-file " + core, "info registers rip", "x/4xb " + rip);
        System.out.println(out);
        assertTrue(out.matches("(?s).*rip\\s+" + rip + "\\s.*"), out);
        // ud2 (0f 0b), then the opcode of "mov $after, %esi" (be); the next byte is part of an address.
        assertTrue(out.contains(rip + ":\t0x0f\t0x0b\t0xbe\t0x"), "ud2 then mov $after, %esi: " + out);
    }

    @Test
    void emulationFailureNamesTheInstruction(@TempDir Path dir) throws Exception {
        VmHarness.assumeBackend();
        Report r = runFatal("emufail", dir, null, -1, "emufail: xgetbv");
        Map<String, Object> cause = map(r.json().get("cause"));
        if (!"InternalError".equals(cause.get("kind"))) {
            // Hardware virtualization: XGETBV with CR4.OSXSAVE clear is #UD, and without an IDT a triple fault.
            assertEquals("KVM_EXIT_SHUTDOWN", cause.get("exit"), cause.toString());
            return;
        }
        assertEquals("KVM_EXIT_INTERNAL_ERROR", cause.get("exit"));
        assertEquals(1L, ((Number) cause.get("suberror")).longValue());
        assertEquals("KVM internal error: emulation failure", cause.get("title"));
        assertTrue(((String) cause.get("insn_bytes")).startsWith("0f 01 d0"), cause.toString());
        String t = r.text();
        assertTrue(t.contains("cause: KVM internal error: emulation failure (vCPU 0)"), t);
        if (Disassembler.capstone().isPresent())
            assertTrue(t.matches("(?s).*code at rip \\(reported by KVM\\):\\s+0x[0-9a-f]+: 0f 01 d0\\s+xgetbv.*"), t);
        assertTrue(t.contains("INTERNAL_ERROR"), "the flight recorder's last exit: " + t);
    }
}
