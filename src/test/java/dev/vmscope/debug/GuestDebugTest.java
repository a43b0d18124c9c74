package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.GuestDebug;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuestDebugTest {
    private static final GuestDebug CONFIG = new GuestDebug(false, false, new GuestDebug.Slot[] {
            new GuestDebug.Slot(0x1010, GuestDebug.Kind.EXECUTE, 1), null,
            new GuestDebug.Slot(0x3000, GuestDebug.Kind.WRITE, 8), new GuestDebug.Slot(0x4002, GuestDebug.Kind.ACCESS, 2)});

    @Test
    void dr7EncodesEnablesTypesAndLengths() {
        // slot0 G0 execute len1; slot2 G2 RW=01 LEN=10 (8 bytes); slot3 G3 RW=11 LEN=01; GE, bit 10.
        long want = 1L << 1 | 1L << 5 | 1L << 7 | 1L << 24 | 2L << 26 | 3L << 28 | 1L << 30 | 1L << 9 | 1L << 10;
        assertEquals(want, CONFIG.dr7());
        assertEquals(0x400, GuestDebug.OFF.dr7());
        assertEquals(0x3000, CONFIG.slotAddresses()[2]);
        assertThrows(IllegalArgumentException.class, () -> new GuestDebug.Slot(0x3001, GuestDebug.Kind.WRITE, 2));
        assertThrows(IllegalArgumentException.class, () -> new GuestDebug.Slot(0x3000, GuestDebug.Kind.EXECUTE, 4));
    }

    @Test
    void debugExitsClassifyByDr6() {
        assertEquals(new StopEvent.Breakpoint(1, 0x1010), StopEvent.fromDebugExit(1, 1, 0x1010, 0xffff0ff1L, CONFIG));
        assertEquals(new StopEvent.Watchpoint(0, 2, 0x3000), StopEvent.fromDebugExit(0, 1, 0x1234, 0xffff0ff4L, CONFIG));
        assertEquals(new StopEvent.StepDone(0), StopEvent.fromDebugExit(0, 1, 0x1234, 0xffff4ff0L, CONFIG));
        assertEquals(new StopEvent.Breakpoint(0, 0x5555), StopEvent.fromDebugExit(0, 3, 0x5555, 0xffff0ff0L, CONFIG));
        assertInstanceOf(StopEvent.Fatal.class, StopEvent.fromDebugExit(0, 1, 0, 0xffff0ff0L, CONFIG));
    }

    @Test
    void onlyTheSteppingVcpuGetsSingleStep() throws Exception {
        try (FakeTarget t = new FakeTarget(2, DebugCapabilities.KVM_NO_SW_BP)) {
            GdbCommands c = new GdbCommands(t, new MonitorCommands(t, MonitorCommands.Sources.NONE), m -> { });
            c.handle("Hc2");
            assertInstanceOf(GdbCommands.Running.class, c.handle("s"));
            assertEquals(true, t.guestDebug(1).singleStep());
            assertEquals(false, t.guestDebug(0).singleStep());
            c.stopReply(t.awaitStop(5000));
            assertEquals(false, t.guestDebug(1).singleStep(), "cleared once stopped");
        }
    }
}
