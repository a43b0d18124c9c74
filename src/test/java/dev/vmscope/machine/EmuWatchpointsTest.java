package dev.vmscope.machine;

import static dev.vmscope.machine.GdbMachineTest.assertMatches;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.debug.DebugOptions;
import dev.vmscope.debug.GdbHarness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Real GDB against the software CPU, whose watchpoints are not limited to the four debug registers: six at
 * once, one of them a 100-byte `watch` on an array (longer than any DR7 length), with `rwatch` and `awatch`
 * firing on reads and on read-or-write as GDB means them (guests/cmb: counter, history, probe, touched).
 */
class EmuWatchpointsTest {
    @Test
    void sixWatchpointsOfAnyLengthIncludingReadAndAccess(@TempDir Path dir) throws Exception {
        Path kernel = VmHarness.guest("cmb");
        MachineConfig base = VmHarness.config(kernel, null);
        DebugOptions dbg = new DebugOptions(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), true, null, dir);
        MachineConfig cfg = new MachineConfig(base.ramBytes(), 1, MachineConfig.IrqchipMode.USER, kernel, null, List.of(), null,
                false, 180_000, null, false, dbg, null).withAccel(MachineConfig.Accel.EMU, false);
        ByteArrayOutputStream console = new ByteArrayOutputStream(), diag = new ByteArrayOutputStream();
        Machine m = MachineBuilder.build(VmHarness.backendFor(cfg), console, java.io.OutputStream.nullOutputStream(), new PrintStream(diag, true, StandardCharsets.UTF_8));
        CompletableFuture<Integer> status = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("vm-cmb").start(() -> {
            try { status.complete(m.run()); } catch (Throwable t) { status.completeExceptionally(t); }
        });
        GdbMachineTest.Running vm = new GdbMachineTest.Running(m, status, console, diag);
        String out = GdbHarness.run(180, "file " + kernel.toAbsolutePath(), "target remote 127.0.0.1:" + vm.port(),
                "watch history", "watch counter", "rwatch probe", "awatch touched", "watch untouched", "rwatch untouched",
                "print sizeof(history)", "continue", "continue", "continue", "continue", "print history[24]", "print touched",
                "delete", "continue");
        System.out.println(out);
        int st = vm.awaitStatus();
        String d = diag.toString(StandardCharsets.UTF_8);
        for (String w : List.of("Hardware watchpoint 1: history", "Hardware watchpoint 2: counter", "Hardware read watchpoint 3: probe",
                "Hardware access \\(read/write\\) watchpoint 4: touched", "Hardware watchpoint 5: untouched",
                "Hardware read watchpoint 6: untouched"))
            assertMatches(w, out);
        assertMatches("\\$1 = 100", out);
        // In program order: compute() writes counter, kmain reads probe, writes history[24] (the array's last
        // 4 bytes, beyond any debug register's reach), then reads and writes touched.
        assertMatches("Hardware watchpoint 2: counter\\s+Old value = 0\\s+New value = 1580160"
                + ".*Hardware read watchpoint 3: probe\\s+Value = 0"
                + ".*Hardware watchpoint 1: history\\s+Old value = \\{0 <repeats 25 times>\\}\\s+New value = \\{0 <repeats 24 times>, 1580160\\}"
                + ".*Hardware access \\(read/write\\) watchpoint 4: touched\\s+Value = 0", out);
        assertMatches("\\$2 = 1580160", out);
        assertFalse(java.util.regex.Pattern.compile("watchpoint [56]: untouched\\s+(Value|Old)").matcher(out).find(), out);
        assertFalse(out.contains("Could not insert"), out);
        assertMatches("\\[Inferior 1 \\(Remote target\\) exited with code 01\\]", out);
        assertEquals(1, st, d);
        assertTrue(vm.consoleText().contains("cmb: done checksum=5860e71d"), vm.consoleText());
    }
}
