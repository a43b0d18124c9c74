package dev.vmscope.arch.x86.acpi;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcpiTablesTest {
    static String sig(byte[] b, int off, int n) { return new String(b, off, n, StandardCharsets.US_ASCII); }

    static int sum(byte[] b, int off, int len) { return TableBuffer.sum(b, off, len); }

    static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); }

    /** Reads a whole table (length from its header) from guest memory and checks its checksum. */
    static byte[] table(GuestMemory mem, long addr, String expectSig) {
        int len = (int) mem.readU32(addr + 4);
        byte[] t = mem.read(addr, len);
        assertEquals(expectSig, sig(t, 0, 4));
        assertEquals(0, sum(t, 0, len), expectSig + " checksum");
        return t;
    }

    @Test
    void biosAreaTablesAreFoundByScanAndParseBack() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 1 << 20);
            PlatformConfig cfg = dev.vmscope.machine.PcDevices.platformConfig(4);
            BiosTables.install(mem, cfg);
            long rsdp = -1;
            for (long a = 0xe0000; a < 0x100000; a += 16)
                if (sig(mem.read(a, 8), 0, 8).equals("RSD PTR ")) { rsdp = a; break; }
            assertNotEquals(-1, rsdp, "RSDP found by a 16-byte scan");
            byte[] r = mem.read(rsdp, 36);
            assertEquals(0, sum(r, 0, 20));
            assertEquals(0, sum(r, 0, 36));
            assertEquals(2, r[15]);
            byte[] rsdt = table(mem, le(r).getInt(16) & 0xffffffffL, "RSDT");
            byte[] xsdt = table(mem, le(r).getLong(24), "XSDT");
            assertEquals(2, (xsdt.length - 36) / 8);
            Map<String, byte[]> byName = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                long x = le(xsdt).getLong(36 + 8 * i);
                assertEquals(x, le(rsdt).getInt(36 + 4 * i) & 0xffffffffL, "RSDT and XSDT agree");
                String s = sig(mem.read(x, 4), 0, 4);
                byName.put(s, table(mem, x, s));
            }
            byte[] fadt = byName.get("FACP");
            assertEquals(AcpiTables.FADT_LENGTH, fadt.length);
            assertEquals(6, fadt[8]);
            ByteBuffer f = le(fadt);
            assertEquals(f.getInt(36) & 0xffffffffL, f.getLong(132), "FIRMWARE_CTRL == X_FIRMWARE_CTRL");
            assertEquals(f.getInt(40) & 0xffffffffL, f.getLong(140), "DSDT == X_DSDT");
            assertEquals(0, (f.getInt(36) & 63), "FACS 64-byte aligned");
            assertEquals("FACS", sig(mem.read(f.getInt(36), 4), 0, 4));
            assertEquals(9, f.getShort(46));
            assertEquals(0x600, f.getInt(56));
            assertEquals(0x604, f.getInt(64));
            assertEquals(0x608, f.getInt(76));
            assertEquals(0x608, f.getLong(208 + 4), "X_PM_TMR_BLK address");
            assertEquals(0x64, f.getLong(116 + 4), "RESET_REG");
            assertEquals((byte) 0xfe, fadt[128]);
            byte[] dsdt = table(mem, f.getInt(40), "DSDT");
            String aml = new String(dsdt, StandardCharsets.ISO_8859_1);
            assertTrue(aml.contains("\\_S5_\u0012\u0008\u0004\n\u0005\n\u0005\u0000\u0000"), "\\_S5 package");
            assertTrue(aml.contains("\\_S3_\u0012\u0008\u0004\n\u0003\n\u0003"), "\\_S3 package");
            Madt madt = Madt.parse(byName.get("APIC"));
            assertEquals(List.of(0, 1, 2, 3), madt.lapicIds);
            assertEquals(4, madt.ioapicId);
            assertEquals(Map.of(0, 2, 9, 9), madt.overrides);
            assertEquals(1, madt.nmiLint);
            MpTableTest.checkMpTable(mem, cfg);
        }
    }

    /** The interesting content of a MADT. */
    record Madt(List<Integer> lapicIds, int ioapicId, Map<Integer, Integer> overrides, int nmiLint) {
        static Madt parse(byte[] t) {
            ByteBuffer b = le(t);
            assertEquals(0xfee00000, b.getInt(36));
            List<Integer> ids = new ArrayList<>();
            Map<Integer, Integer> iso = new HashMap<>();
            int io = -1, lint = -1;
            for (int off = 44; off < t.length; off += t[off + 1] & 0xff) {
                assertTrue((t[off + 1] & 0xff) >= 2, "entry length");
                switch (t[off]) {
                    case 0 -> { assertEquals(1, t[off + 4] & 1); ids.add(t[off + 3] & 0xff); }
                    case 1 -> { io = t[off + 2]; assertEquals(0xfec00000, b.getInt(off + 4)); }
                    case 2 -> iso.put(t[off + 3] & 0xff, b.getInt(off + 4));
                    case 4 -> lint = t[off + 5];
                    default -> fail("unexpected MADT entry " + t[off]);
                }
            }
            return new Madt(ids, io, iso, lint);
        }
    }

    @Test
    void configValidationAndIoApicIdChoice() {
        assertEquals(0, dev.vmscope.machine.PcDevices.platformConfig(16).ioapicId());
        assertEquals(15, dev.vmscope.machine.PcDevices.platformConfig(15).ioapicId());
        assertThrows(IllegalArgumentException.class, () -> dev.vmscope.machine.PcDevices.platformConfig(0));
        assertThrows(IllegalArgumentException.class, () -> dev.vmscope.machine.PcDevices.platformConfig(256));
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory small = GuestMemory.allocate(arena, 0x80000);
            var e = assertThrows(IllegalStateException.class, () -> BiosTables.install(small, dev.vmscope.machine.PcDevices.platformConfig(1)));
            assertTrue(e.getMessage().contains("0xe0000"));
            GuestMemory mem = GuestMemory.allocate(arena, 1 << 20);
            var p = BiosTables.install(mem, dev.vmscope.machine.PcDevices.platformConfig(255));
            assertTrue(p.acpiEnd() <= p.mpFloating() && p.mpEnd() <= 0x100000);
        }
    }
}
