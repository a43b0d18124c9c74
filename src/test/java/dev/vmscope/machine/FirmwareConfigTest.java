package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vmscope.arch.x86.E820;
import dev.vmscope.arch.x86.acpi.AcpiLinker;
import dev.vmscope.arch.x86.acpi.PlatformConfig;
import dev.vmscope.devices.legacy.FwCfg;
import dev.vmscope.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fw_cfg contents firmware reads, fetched the way SeaBIOS does without DMA: select at 0x510, bytes from 0x511. */
class FirmwareConfigTest {
    private static final long RAM = 128L << 20;

    private static byte[] item(FwCfg fw, int key, int len) {
        fw.write(0, 2, key);
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) fw.read(1, 1);
        return b;
    }

    /** FILE_DIR as qemu_cfg_init parses it: be32 count, then {be32 size, be16 select, be16 reserved, name[56]}. */
    private static Map<String, int[]> directory(FwCfg fw) {
        int count = ByteBuffer.wrap(item(fw, FwCfg.FILE_DIR, 4)).getInt();
        ByteBuffer b = ByteBuffer.wrap(item(fw, FwCfg.FILE_DIR, 4 + 64 * count));
        b.getInt();
        Map<String, int[]> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int size = b.getInt(), select = Short.toUnsignedInt(b.getShort());
            b.getShort();
            byte[] n = new byte[FwCfg.MAX_FILE_PATH];
            b.get(n);
            int len = 0;
            while (n[len] != 0) len++;
            out.put(new String(n, 0, len, StandardCharsets.US_ASCII), new int[] {size, select});
        }
        return out;
    }

    @Test void directoryHoldsTheFilesSeaBiosLoadsSortedByName() {
        try (Arena arena = Arena.ofConfined()) {
            FwCfg fw = new FwCfg(GuestMemory.allocate(arena, 1 << 20), RAM, 4);
            PlatformConfig platform = dev.vmscope.machine.PcDevices.platformConfig(4);
            List<E820.Entry> map = E820.standard(RAM);
            FirmwareConfig.publish(fw, platform, map);
            Map<String, int[]> dir = directory(fw);
            assertEquals(List.of("etc/acpi/rsdp", "etc/acpi/tables", "etc/boot-cpus", "etc/e820", "etc/sercon-port",
                    "etc/table-loader"), List.copyOf(dir.keySet()));
            Map<String, byte[]> acpi = AcpiLinker.build(platform);
            for (String f : acpi.keySet()) {
                int[] e = dir.get(f);
                assertEquals(acpi.get(f).length, e[0], f);
                assertArrayEquals(acpi.get(f), item(fw, e[1], e[0]), f);
            }
            assertArrayEquals(E820.fwCfgBytes(map), item(fw, dir.get("etc/e820")[1], dir.get("etc/e820")[0]));
            assertArrayEquals(new byte[] {4, 0}, item(fw, dir.get("etc/boot-cpus")[1], 2));
            assertArrayEquals(new byte[] {(byte) 0xf8, 3}, item(fw, dir.get("etc/sercon-port")[1], 2));
        }
    }

    @Test void legacyItemsCarryCpuCountsAndIrq0Override() {
        try (Arena arena = Arena.ofConfined()) {
            FwCfg fw = new FwCfg(GuestMemory.allocate(arena, 1 << 20), RAM, 3);
            FirmwareConfig.publish(fw, dev.vmscope.machine.PcDevices.platformConfig(3), E820.standard(RAM));
            assertArrayEquals("QEMU".getBytes(StandardCharsets.US_ASCII), item(fw, FwCfg.SIGNATURE, 4));
            assertArrayEquals(new byte[] {3, 0}, item(fw, FwCfg.NB_CPUS, 2));
            assertArrayEquals(new byte[] {3, 0}, item(fw, FwCfg.MAX_CPUS, 2));       // SeaBIOS "etc/max-cpus"
            assertArrayEquals(new byte[] {1, 0, 0, 0}, item(fw, FirmwareConfig.IRQ0_OVERRIDE, 4));
            // NUMA: node count 0 then one word per APIC ID; reading past the end yields zeros, so check the count.
            assertArrayEquals(new byte[8 * 4], item(fw, FwCfg.NUMA, 8 * 4));
            assertArrayEquals(new byte[] {0, 0}, item(fw, FirmwareConfig.ACPI_TABLES, 2));
        }
    }
}
