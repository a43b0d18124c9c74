package dev.vmscope.arch.x86.acpi;

import static dev.vmscope.arch.x86.acpi.AcpiTablesTest.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class MpTableTest {
    /** Finds "_MP_" in the BIOS ROM range and checks the configuration table against {@code cfg}. */
    static void checkMpTable(GuestMemory mem, PlatformConfig cfg) {
        long fp = -1;
        for (long a = 0xf0000; a < 0x100000; a += 16)
            if (sig(mem.read(a, 4), 0, 4).equals("_MP_")) { fp = a; break; }
        assertNotEquals(-1, fp);
        byte[] f = mem.read(fp, 16);
        assertEquals(0, sum(f, 0, 16));
        assertEquals(1, f[8]);
        assertEquals(4, f[9]);
        long cfgAddr = le(f).getInt(4) & 0xffffffffL;
        int len = mem.readU16(cfgAddr + 4);
        byte[] t = mem.read(cfgAddr, len);
        assertEquals("PCMP", sig(t, 0, 4));
        assertEquals(0, sum(t, 0, len));
        ByteBuffer b = le(t);
        int count = b.getShort(34);
        List<Integer> cpus = new ArrayList<>();
        Map<Integer, Integer> irqToPin = new HashMap<>();
        int ioapic = -1, bp = -1, seen = 0;
        for (int off = 44; off < len; seen++) {
            int type = t[off];
            switch (type) {
                case 0 -> {
                    cpus.add(t[off + 1] & 0xff);
                    if ((t[off + 3] & 2) != 0) bp = t[off + 1];
                    off += 20;
                }
                case 1 -> { assertEquals("ISA   ", sig(t, off + 2, 6)); off += 8; }
                case 2 -> { ioapic = t[off + 1]; off += 8; }
                case 3 -> {
                    assertEquals(ioapic, t[off + 6]);
                    if (t[off + 1] == 0) irqToPin.put((int) t[off + 5], (int) t[off + 7]);
                    else assertEquals(3, t[off + 1], "the other I/O entry is ExtINT");
                    off += 8;
                }
                case 4 -> off += 8;
                default -> { fail("bad MP entry type " + type); return; }
            }
        }
        assertEquals(count, seen);
        assertEquals(cfg.ioapicId(), ioapic);
        assertEquals(0, bp);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < cfg.cpus(); i++) expected.add(i);
        assertEquals(expected, cpus);
        assertEquals(2, irqToPin.get(0));
        assertEquals(9, irqToPin.get(9));
        assertFalse(irqToPin.containsKey(2));
        assertEquals(15, irqToPin.size());
    }
}
