package dev.vmscope.arch.x86.acpi;

import static dev.vmscope.arch.x86.acpi.AcpiTablesTest.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcpiLinkerTest {
    private static String name(byte[] e, int off) {
        int end = off;
        while (end < off + AcpiLinker.FILE_NAME_SIZE && e[end] != 0) end++;
        assertEquals(0, e[off + AcpiLinker.FILE_NAME_SIZE - 1], "name field NUL-terminated");
        return new String(e, off, end - off, StandardCharsets.US_ASCII);
    }

    /** Runs the table-loader script the way SeaBIOS's romfile_loader does, into a flat fake address space. */
    @Test
    void loaderScriptIsWellFormedAndYieldsValidTables() {
        Map<String, byte[]> files = AcpiLinker.build(dev.vmscope.machine.PcDevices.platformConfig(2));
        assertEquals(List.of(AcpiLinker.TABLES, AcpiLinker.RSDP, AcpiLinker.LOADER), List.copyOf(files.keySet()));
        byte[] script = files.get(AcpiLinker.LOADER);
        assertEquals(0, script.length % AcpiLinker.ENTRY_SIZE);
        Map<String, byte[]> data = new HashMap<>();
        Map<String, Long> base = new HashMap<>();
        long next = 0x7ff00000L;
        for (int off = 0; off < script.length; off += AcpiLinker.ENTRY_SIZE) {
            ByteBuffer e = le(script).position(off).slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            byte[] raw = new byte[AcpiLinker.ENTRY_SIZE];
            System.arraycopy(script, off, raw, 0, raw.length);
            switch (e.getInt(0)) {
                case AcpiLinker.CMD_ALLOCATE -> {
                    String f = name(raw, 4);
                    int align = e.getInt(60);
                    assertEquals(0, Integer.bitCount(align) - 1, "power-of-two alignment");
                    int zone = raw[64];
                    assertTrue(zone == AcpiLinker.ZONE_HIGH || zone == AcpiLinker.ZONE_FSEG);
                    if (f.equals(AcpiLinker.RSDP)) assertEquals(AcpiLinker.ZONE_FSEG, zone);
                    assertTrue(files.containsKey(f));
                    assertFalse(data.containsKey(f), "allocated once");
                    long at = (next + align - 1) & -align;
                    base.put(f, at);
                    data.put(f, files.get(f).clone());
                    next = at + files.get(f).length + 0x1000;
                    for (int i = 69; i < 128; i++) assertEquals(0, raw[i]);
                }
                case AcpiLinker.CMD_ADD_POINTER -> {
                    byte[] dest = data.get(name(raw, 4));
                    Long src = base.get(name(raw, 60));
                    assertNotNull(dest, "destination allocated first");
                    assertNotNull(src, "source allocated first");
                    int at = e.getInt(116), size = raw[120];
                    assertTrue(size == 4 || size == 8);
                    assertTrue(at >= 0 && at + size <= dest.length);
                    ByteBuffer d = le(dest);
                    if (size == 4) d.putInt(at, (int) ((d.getInt(at) & 0xffffffffL) + src));
                    else d.putLong(at, d.getLong(at) + src);
                }
                case AcpiLinker.CMD_ADD_CHECKSUM -> {
                    byte[] f = data.get(name(raw, 4));
                    int at = e.getInt(60), start = e.getInt(64), len = e.getInt(68);
                    assertTrue(start >= 0 && start + len <= f.length && at >= start && at < start + len);
                    f[at] -= (byte) sum(f, start, len);
                }
                default -> fail("unknown command at entry " + off / 128);
            }
        }
        byte[] rsdp = data.get(AcpiLinker.RSDP), tables = data.get(AcpiLinker.TABLES);
        long tb = base.get(AcpiLinker.TABLES);
        assertEquals(0, sum(rsdp, 0, 20));
        assertEquals(0, sum(rsdp, 0, 36));
        long xsdt = le(rsdp).getLong(24) - tb;
        long rsdt = (le(rsdp).getInt(16) & 0xffffffffL) - tb;
        for (long t : new long[] {xsdt, rsdt}) {
            int len = le(tables).getInt((int) t + 4);
            assertEquals(0, sum(tables, (int) t, len));
        }
        int fadt = (int) (le(tables).getLong((int) xsdt + 36) - tb);
        assertEquals("FACP", sig(tables, fadt, 4));
        assertEquals(0, sum(tables, fadt, AcpiTables.FADT_LENGTH), "FADT checksum after patching");
        int dsdt = (int) (le(tables).getLong(fadt + AcpiTables.FADT_X_DSDT) - tb);
        assertEquals("DSDT", sig(tables, dsdt, 4));
        assertEquals(le(tables).getInt(fadt + AcpiTables.FADT_DSDT) & 0xffffffffL, dsdt + tb);
        int facs = (int) (le(tables).getLong(fadt + AcpiTables.FADT_X_FACS) - tb);
        assertEquals("FACS", sig(tables, facs, 4));
        assertEquals(0, (facs + tb) % 64);
        int madt = (int) (le(tables).getLong((int) xsdt + 44) - tb);
        assertEquals(List.of(0, 1), Madt.parse(java.util.Arrays.copyOfRange(tables, madt,
                madt + le(tables).getInt(madt + 4))).lapicIds());
    }
}
