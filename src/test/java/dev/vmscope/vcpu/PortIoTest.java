package dev.vmscope.vcpu;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.bus.BusRange;
import dev.vmscope.hypervisor.VcpuExit;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** String I/O without KVM: each element is one device access, in order, and the data is exact. */
class PortIoTest {
    /** Answers successive reads with 'Q','E','M','U' and records writes. */
    static final class Fifo implements BusDevice {
        final byte[] src = "QEMU".getBytes();
        int next;
        final List<Long> writes = new ArrayList<>();

        public long read(long offset, int size) { return src[next++ % src.length]; }

        public void write(long offset, int size, long value) { writes.add(value); }
    }

    @Test
    void repInsbMovesCountBytesInOrder() {
        Bus bus = new Bus("pio");
        Fifo f = new Fifo();
        bus.register(new BusRange(0x511, 1), f, "fifo");
        assertArrayEquals("QEMU".getBytes(), PortIo.in(bus, 0x511, 1, 4));
        assertEquals(4, f.next, "one device read per element");
    }

    @Test
    void repInswPacksLittleEndianWords() {
        Bus bus = new Bus("pio");
        bus.register(new BusRange(0x600, 2), new BusDevice() {
            int n;
            public long read(long o, int s) { return 0x1100 + (n++); }
            public void write(long o, int s, long v) { }
        }, "ctr");
        assertArrayEquals(new byte[] {0x00, 0x11, 0x01, 0x11, 0x02, 0x11}, PortIo.in(bus, 0x600, 2, 3));
    }

    @Test
    void repOutswWritesEachWordInOrder() {
        Bus bus = new Bus("pio");
        Fifo f = new Fifo();
        bus.register(new BusRange(0x5000, 2), f, "fifo");
        byte[] data = {0x01, 0x10, 0x02, 0x20, 0x03, 0x30};
        PortIo.out(bus, new VcpuExit.IoOut(0x5000, 2, 3, data));
        assertEquals(List.of(0x1001L, 0x2002L, 0x3003L), f.writes);
    }

    @Test
    void unclaimedStringReadsAreAllOnes() {
        byte[] d = PortIo.in(new Bus("pio"), 0x5555, 4, 2);
        for (byte b : d) assertEquals((byte) 0xff, b);
    }
}
