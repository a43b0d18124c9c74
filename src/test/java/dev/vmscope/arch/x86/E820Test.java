package dev.vmscope.arch.x86;

import static dev.vmscope.arch.x86.E820.Type.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.arch.x86.E820.Entry;
import dev.vmscope.arch.x86.E820.Range;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class E820Test {
    @Test void smallGuestHasLowRamHolesAndRamFrom1MiB() {
        assertEquals(List.of(
                new Entry(0, 0x9fc00, USABLE),
                new Entry(0x9fc00, 0x400, RESERVED),
                new Entry(0xe0000, 0x20000, RESERVED),
                new Entry(0x100000, (256 << 20) - 0x100000, USABLE)), E820.standard(256 << 20));
        assertEquals(List.of(new Range(0, 256 << 20)), E820.ramRanges(256 << 20));
    }

    @Test void largeGuestSplitsAroundThePciHole() {
        long ram = 6L << 30;
        List<Entry> map = E820.standard(ram);
        assertEquals(new Entry(0x100000, 0xe0000000L - 0x100000, USABLE), map.get(3));
        assertEquals(new Entry(1L << 32, ram - 0xe0000000L, USABLE), map.get(4));
        assertEquals(List.of(new Range(0, 0xe0000000L), new Range(1L << 32, ram - 0xe0000000L)), E820.ramRanges(ram));
        assertEquals(0xe0000000L - 0x100000, E820.contiguousUsable(map, 0x100000));
        assertEquals(0x9fc00, E820.contiguousUsable(map, 0));
    }

    @Test void exactlyThePciHoleSizeHasNoHighRange() {
        assertEquals(4, E820.standard(0xe0000000L).size());
        assertEquals(1, E820.ramRanges(0xe0000000L).size());
    }

    @Test void cmosSizesSaturateLikeQemu() {
        assertEquals(new E820.CmosMemory(640, 15 * 1024, 0, 0), E820.cmosMemory(16 << 20));
        assertEquals(new E820.CmosMemory(640, 65535, (int) ((256L << 20) - (16 << 20) >> 16), 0), E820.cmosMemory(256 << 20));
        long ram = 6L << 30;
        assertEquals(new E820.CmosMemory(640, 65535, (3584 - 16) * 16, (int) ((ram - 0xe0000000L) >> 16)), E820.cmosMemory(ram));
    }

    @Test void tooLittleRamIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> E820.standard(1 << 20));
    }

    @Test void fwCfgEncodingIsPacked20ByteEntries() {
        List<Entry> map = E820.standard(64 << 20);
        ByteBuffer b = ByteBuffer.wrap(E820.fwCfgBytes(map)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(20 * map.size(), b.capacity());
        b.position(20);
        assertEquals(0x9fc00, b.getLong());
        assertEquals(0x400, b.getLong());
        assertEquals(2, b.getInt());
    }
}
