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

    @Test
    void theFirstFaultOfEachDeviceIsReportedWithWhereItHappened() {
        java.util.List<String> reports = new java.util.ArrayList<>();
        Bus bus = new Bus("mmio", (b, d, off, size, write, e) ->
                reports.add(b + " " + d.name() + " +" + off + " " + size + (write ? " write " : " read ") + e.getMessage()));
        BusDevice bad = new BusDevice() {
            public long read(long o, int s) { throw new IllegalStateException("bug at " + o); }
            public void write(long o, int s, long v) { throw new IllegalStateException("bug"); }
        };
        bus.register(new BusRange(0x1000, 0x10), bad, "bad");
        bus.register(new BusRange(0x2000, 0x10), bad, "worse");
        bus.read(0x1004, 4);
        bus.read(0x1008, 4);
        bus.write(0x2000, 2, 1);
        assertEquals(java.util.List.of("mmio bad +4 4 read bug at 4", "mmio worse +0 2 write bug"), reports);
        assertEquals(java.util.Map.of("bad", 2L, "worse", 1L), bus.faultsByDevice());
    }

    /**
     * vCPU threads keep reading a BAR while another thread moves it back and forth (as a guest reprogramming a
     * PCI BAR does): every read finds the device at one of its two places or nothing, never a torn table.
     */
    @Test
    void lookupsAreSafeWhileABarMoves() throws Exception {
        Bus bus = new Bus("mmio");
        BusDevice dev = new BusDevice() {
            public long read(long o, int s) { return 0x42; }
            public void write(long o, int s, long v) { }
        };
        for (int i = 0; i < 64; i++) bus.register(new BusRange(0x100000L * (i + 10), 0x1000), dev, "other" + i);
        bus.register(new BusRange(0x1000, 0x1000), dev, "bar");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong wrong = new java.util.concurrent.atomic.AtomicLong(), hits = new java.util.concurrent.atomic.AtomicLong();
        Thread mover = Thread.ofPlatform().start(() -> {
            long at = 0x1000;
            for (int i = 0; i < 20_000; i++) {
                long to = at == 0x1000 ? 0x3000 : 0x1000;
                synchronized (bus) { bus.unregister(at); bus.register(new BusRange(to, 0x1000), dev, "bar"); }
                at = to;
            }
            stop.set(true);
        });
        Thread[] readers = new Thread[2];
        for (int r = 0; r < readers.length; r++) {
            readers[r] = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    for (long a : new long[] {0x1800, 0x3800}) {
                        long v = bus.read(a, 4);
                        if (v == 0x42) hits.incrementAndGet(); else if (v != 0xffffffffL) wrong.incrementAndGet();
                    }
                    for (int i = 0; i < 64; i++) if (bus.read(0x100000L * (i + 10) + 8, 1) != 0x42) wrong.incrementAndGet();
                }
            });
        }
        mover.join();
        for (Thread t : readers) t.join();
        assertEquals(0, wrong.get(), "reads that found a wrong or missing device");
        assertTrue(hits.get() > 0);
        assertEquals(0, bus.deviceFaults());
    }
}
