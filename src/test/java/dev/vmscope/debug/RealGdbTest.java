package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.GuestDebug;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real GDB against {@link GdbServer}. The target is {@link FakeTarget}, which STANDS IN FOR KVM; the
 * integrator repeats these scenarios with real vCPUs. What this proves: GDB accepts our target.xml
 * (registers incl. control registers by name), our framing/acks/no-ack mode, memory reads, hardware
 * breakpoints, continue/stepi stop replies, threads and detach.
 */
class RealGdbTest {
    @Test
    void gdbDrivesTheFakeVm() throws Exception {
        List<String> console = new CopyOnWriteArrayList<>();
        try (FakeTarget t = new FakeTarget(2, DebugCapabilities.KVM_NO_SW_BP);
             GdbServer server = new GdbServer(new InetSocketAddress("127.0.0.1", 0), t, MonitorCommands.Sources.NONE, console::add)) {
            t.writePhysical(0x1000, new byte[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x01});
            String out = GdbHarness.run(60, "set architecture i386:x86-64", "target remote :" + server.port(),
                    "info registers", "info registers cr0 cr3 efer fs_base", "info registers xmm0 mxcsr st0 fctrl", "x/8xb 0x1000", "hbreak *0x1010", "continue",
                    "stepi", "info registers rip", "info threads", "monitor help", "detach");
            System.out.println(out);
            assertTrue(out.contains("0x1000"), "rip at the start: " + out);
            assertTrue(out.matches("(?s).*cr0\\s+0x80000011.*"), out);
            assertTrue(out.matches("(?s).*efer\\s+0x500.*"), out);
            assertTrue(out.matches("(?s).*xmm0\\s+\\{v8_bfloat16.*|.*xmm0\\s+\\{v4_float.*"), "SSE feature accepted: " + out);
            assertTrue(out.matches("(?s).*mxcsr\\s+0x1f80\\s+\\[ IM DM ZM OM UM PM \\].*"), out);
            assertTrue(out.matches("(?s).*fctrl\\s+0x37f.*"), out);
            assertTrue(out.contains("0x1000:\t0x11\t0x22\t0x33\t0x44\t0x55\t0x66\t0x77\t0x01"), out);
            assertTrue(out.matches("(?s).*Hardware assisted breakpoint 1 at 0x1010.*"), out);
            assertTrue(out.matches("(?s).*Thread 1 hit Breakpoint 1, 0x0*1010 in.*"), out);
            assertTrue(out.matches("(?s).*rip\\s+0x1011.*"), "stepi moved one toy instruction: " + out);
            assertTrue(out.matches("(?s).*Thread 2 .*"), "second vCPU listed: " + out);
            assertTrue(out.contains("dump-core FILE"), out);
            assertTrue(out.contains("[Inferior 1 (Remote target) detached]"), out);
            assertEquals(GuestDebug.OFF, t.guestDebug(0), "detach removed breakpoints");
            assertTrue(t.isRunning() || t.instructions > 17, "detach resumed the VM");
        }
    }

    /**
     * GDB's ordinary 'break' sends Z0; this host cannot intercept int3, so the server backs them with debug
     * registers, and the fifth one fails with a clear message. 'watch' sends Z2 and stops after the store.
     */
    @Test
    void softwareBreakpointsFallBackToDebugRegistersAndWatchpointsFire() throws Exception {
        List<String> console = new CopyOnWriteArrayList<>();
        try (FakeTarget t = new FakeTarget(1, DebugCapabilities.KVM_NO_SW_BP);
             GdbServer server = new GdbServer(new InetSocketAddress("127.0.0.1", 0), t, MonitorCommands.Sources.NONE, console::add)) {
            t.writePhysical(0x1000, new byte[] {0x01, 0x02, 0x03, 0x04, (byte) 0x88, 0x06, 0x07, 0x08});
            String out = GdbHarness.run(60, "set architecture i386:x86-64", "target remote :" + server.port(),
                    "set $rbx = 0x3000", "set $rax = 0x5a", "break *0x1002", "continue", "x/1xb 0x1002",
                    "delete", "watch *(char *)0x3000", "continue", "print $rip", "delete",
                    "break *0x1011", "break *0x1012", "break *0x1013", "break *0x1014", "break *0x1015", "continue",
                    "delete", "detach");
            System.out.println(out);
            assertTrue(out.matches("(?s).*\\nBreakpoint 1, 0x0*1002 in.*"), out);
            assertTrue(out.contains("0x1002:\t0x03"), "memory unchanged (no int3 planted): " + out);
            assertTrue(out.matches("(?s).*Hardware watchpoint 2: \\*\\(char \\*\\)0x3000\\s+Old value = 0 '\\\\000'\\s+New value = 90 'Z'.*"), out);
            assertTrue(out.matches("(?s).*\\$1 = \\(void \\(\\*\\)\\(\\)\\) 0x1005.*"), "stopped after the store: " + out);
            assertTrue(out.contains("Cannot insert breakpoint"), "fifth breakpoint refused: " + out);
            assertTrue(console.stream().anyMatch(l -> l.contains("all 4 hardware debug-register slots are in use")), console.toString());
            assertEquals(0x5a, t.readPhysical(0x3000, 1)[0]);
        }
    }
}
