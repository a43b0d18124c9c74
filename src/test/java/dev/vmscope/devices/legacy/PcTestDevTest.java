package dev.vmscope.devices.legacy;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.RecordingIrq;
import dev.vmscope.memory.GuestMemory;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class PcTestDevTest {
    @Test
    void scratchRegisterAtMixedWidthsAndOffsets() {
        PcTestDevScratch s = new PcTestDevScratch();
        s.write(0, 4, 0x11223344L);
        assertEquals(0x44, s.read(0, 1));
        assertEquals(0x22, s.read(2, 1));
        assertEquals(0x2233, s.read(1, 2));
        s.write(3, 1, 0xaa);
        s.write(1, 2, 0xbbcc);
        assertEquals(0xaabbcc44L, s.read(0, 4));
        assertEquals(0xaabbL, s.read(2, 4), "bits past 31 are dropped");
        s.write(2, 4, 0x12345678L);
        assertEquals(0x5678cc44L, s.read(0, 4));
    }

    @Test
    void irqPortSetsTheNumberedLine() {
        RecordingIrq[] lines = new RecordingIrq[24];
        for (int i = 0; i < lines.length; i++) lines[i] = new RecordingIrq();
        PcTestDevIrq irq = new PcTestDevIrq(i -> lines[i]);
        irq.write(10, 1, 0x80);
        assertTrue(lines[10].level);
        irq.write(10, 1, 0);
        assertFalse(lines[10].level);
        irq.write(10, 2, 1);   // invalid width
        irq.write(24, 1, 1);   // outside the range
        assertEquals(2, lines[10].transitions.size());
        new PcTestDevIrq(i -> (IrqLine) null).write(3, 1, 1); // unwired pin: ignored
    }

    @Test
    void mmioIsRamLikeAtAnyAlignment() {
        TestDevMmio m = new TestDevMmio();
        m.write(0x1001, 8, 0x0102030405060708L);
        assertEquals(0x0708L, m.read(0x1001, 2));
        assertEquals(0x02030405060708L << 8, m.read(0x1000, 8));
        m.write(TestDevMmio.LENGTH - 2, 4, 0xffffffffL);
        assertEquals(0xffffL, m.read(TestDevMmio.LENGTH - 2, 4), "bytes past 64 KiB are not stored");
    }

    @Test
    void flushValidatesThePage() {
        try (Arena arena = Arena.ofConfined()) {
            PcTestDevFlush f = new PcTestDevFlush(GuestMemory.allocate(arena, 1 << 16));
            f.write(0, 4, 0x1234);
            f.write(0, 4, 0x10_0000);
            f.write(0, 2, 0x1000); // only 32-bit writes count
            assertEquals(1, f.flushes());
            assertEquals(1, f.rejected());
        }
    }
}
