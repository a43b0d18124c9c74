package dev.vmscope.bus;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class BusTest {
    @Test
    void unclaimedReadsAreAllOnesOfTheSizeAndCounted() {
        Bus bus = new Bus("pio");
        assertEquals(0xffL, bus.read(0x1234, 1));
        assertEquals(0xffffL, bus.read(0x1234, 2));
        assertEquals(0xffffffffL, bus.read(0x1234, 4));
        bus.write(0x1234, 1, 5);
        assertEquals(3, bus.unclaimedReads());
        assertEquals(1, bus.unclaimedWrites());
    }

    @Test
    void overlappingRegistrationIsRefused() {
        Bus bus = new Bus("pio");
        BusDevice d = new BusDevice() {
            public long read(long o, int s) { return o; }
            public void write(long o, int s, long v) { }
        };
        bus.register(new BusRange(0x3f8, 8), d, "com1");
        assertThrows(IllegalStateException.class, () -> bus.register(new BusRange(0x3ff, 2), d, "x"));
        bus.register(new BusRange(0x400, 1), d, "y");
        assertEquals(3, bus.read(0x3fb, 1));
        assertNull(bus.lookup(0x3f7));
    }

    @Test
    void aThrowingDeviceIsIsolated() {
        Bus bus = new Bus("mmio");
        bus.register(new BusRange(0x1000, 0x10), new BusDevice() {
            public long read(long o, int s) { throw new IllegalStateException("bug"); }
            public void write(long o, int s, long v) { throw new IllegalStateException("bug"); }
        }, "bad");
        assertEquals(0xffffffffL, bus.read(0x1000, 4));
        bus.write(0x1000, 4, 1);
        assertEquals(2, bus.deviceFaults());
    }
}
