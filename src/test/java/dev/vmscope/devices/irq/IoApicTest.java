package dev.vmscope.devices.irq;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class IoApicTest {
    private static void route(IoApic io, int pin, long entry) {
        io.write(0, 1, 0x10 + 2 * pin);
        io.write(0x10, 4, entry & 0xffffffffL);
        io.write(0, 1, 0x11 + 2 * pin);
        io.write(0x10, 4, entry >>> 32);
    }

    @Test
    void identificationRegisters() {
        IoApic io = new IoApic(4, new ApicBus());
        io.write(0, 1, 0);
        assertEquals(4L << 24, io.read(0x10, 4));
        io.write(0, 1, 1);
        assertEquals(0x170011L, io.read(0x10, 4), "version 0x11, 24 entries");
        io.write(0, 1, 2);
        assertEquals(4L << 24, io.read(0x10, 4), "arbitration ID");
        io.write(0, 1, 0x10 + 2 * 30);
        assertEquals(0, io.read(0x10, 4), "beyond entry 23");
        io.write(0, 1, 0x10);
        assertEquals(0x10000, io.read(0x10, 4), "masked at reset");
    }

    @Test
    void edgeMaskAndLogicalDestination() {
        var m = new RecordingCpu.Machine().enabled();
        IoApic io = new IoApic(4, m.bus);
        for (int i = 0; i < 4; i++) m.apics[i].write(LocalApic.LDR, 4, (1L << i) << 24);
        route(io, 2, 0x0cL << 56 | 1 << 11 | 0x30);          // logical 0b1100 -> cpus 2 and 3, edge
        io.setPin(2, true);
        io.setPin(2, true);                                   // no new edge
        io.setPin(2, false);
        assertEquals(List.of(0x30), m.apics[2].pendingVectors());
        assertEquals(List.of(0x30), m.apics[3].pendingVectors());
        assertEquals(List.of(), m.apics[0].pendingVectors());
        route(io, 3, 1L << 16 | 0x31);                        // masked
        io.setPin(3, true);
        route(io, 3, 0x31);                                   // unmasking an edge entry does not replay it
        assertEquals(List.of(), m.apics[0].pendingVectors());
        route(io, 4, 0x400);                                   // NMI to cpu 0
        io.setPin(4, true);
        assertEquals(List.of("nmi"), m.cpus[0].events);
        assertEquals(2, m.bus.messageCount());
    }

    @Test
    void unmaskingAnAssertedLevelInputDelivers() {
        var m = new RecordingCpu.Machine().enabled();
        IoApic io = new IoApic(4, m.bus);
        route(io, 9, 1L << 56 | 1 << 16 | 1 << 15 | 1 << 13 | 0x41);   // level, active low, masked, cpu 1
        io.setPin(9, true);
        assertEquals(List.of(), m.apics[1].pendingVectors());
        route(io, 9, 1L << 56 | 1 << 15 | 1 << 13 | 0x41);
        assertEquals(List.of(0x41), m.apics[1].pendingVectors());
        assertTrue(io.describe().contains("remote-irr"));
    }

    @Test
    void isaRouterSendsIrq0ToPin2AndThePic() {
        var m = new RecordingCpu.Machine().enabled();
        IoApic io = new IoApic(4, m.bus);
        Pic8259 pic = new Pic8259();
        PicTest.initLikeLinux(pic);
        IsaIrqRouter isa = new IsaIrqRouter(pic, io);
        route(io, 2, 0x20);
        isa.line(0).pulse();
        assertEquals(List.of(0x20), m.apics[0].pendingVectors());
        assertEquals(0x30, pic.acknowledge());
        isa.line(2).set(true);                                   // cascade: ignored
        isa.line(99).set(true);
        assertFalse(pic.hasInterrupt());
    }
}
