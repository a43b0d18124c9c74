package dev.vmscope.machine;

import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.debug.StopEvent;
import dev.vmscope.debug.Translator;
import dev.vmscope.memory.GuestMemory;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Write watchpoints emulated by comparing after each single step (hosts whose DRs ignore data accesses). */
class SteppedWatchTest {
    static GuestDebug config(GuestDebug.Slot... s) {
        GuestDebug.Slot[] slots = new GuestDebug.Slot[GuestDebug.SLOTS];
        System.arraycopy(s, 0, slots, 0, s.length);
        return new GuestDebug(false, false, slots);
    }

    @Test
    void reportsTheSlotWhoseBytesChangedOnce() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 0x10000);
            SteppedWatch w = new SteppedWatch(mem, Translator.IDENTITY);
            GuestDebug cfg = config(new GuestDebug.Slot(0x2000, GuestDebug.Kind.EXECUTE, 1),
                    new GuestDebug.Slot(0x3000, GuestDebug.Kind.WRITE, 4));
            assertTrue(SteppedWatch.hasWatch(cfg));
            w.arm(cfg);
            assertNull(w.check(0), "nothing changed");
            mem.write(0x3004, new byte[] {1}); // next to the watched bytes
            assertNull(w.check(0));
            mem.write(0x3002, new byte[] {7});
            StopEvent e = w.check(1);
            assertEquals(new StopEvent.Watchpoint(1, 1, 0x3000), e);
            assertNull(w.check(0), "the new value is the new snapshot");
        }
    }

    @Test
    void debugRegistersGetOnlyExecuteSlots() {
        GuestDebug cfg = config(new GuestDebug.Slot(0x3000, GuestDebug.Kind.WRITE, 4), new GuestDebug.Slot(0x2000, GuestDebug.Kind.EXECUTE, 1));
        GuestDebug hw = SteppedWatch.executeOnly(cfg);
        assertNull(hw.slot(0));
        assertEquals(0x2000, hw.slot(1).address());
        assertFalse(SteppedWatch.hasWatch(hw));
        assertEquals(1L << 3 | 1L << 9 | 1L << 10, hw.dr7(), "G1 only (plus GE and the always-one bit 10)");
    }

    @Test
    void unmappedWatchIsNotArmed() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 0x10000);
            SteppedWatch w = new SteppedWatch(mem, (v, gva, write) -> new Translator.Fault("not present"));
            w.arm(config(new GuestDebug.Slot(0x3000, GuestDebug.Kind.WRITE, 4)));
            mem.write(0x3000, new byte[] {1});
            assertNull(w.check(0));
        }
    }
}
