package dev.vmscope.devices.legacy;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FwCfgTest {
    private static final long RAM = 1 << 20;
    private final Arena arena = Arena.ofConfined();
    private final GuestMemory mem = GuestMemory.allocate(arena, RAM);
    private final FwCfg cfg = new FwCfg(mem, 128L << 20, 2);

    @AfterEach
    void close() { arena.close(); }

    /** What the guest does: outw(key, 0x510) then inb(0x511) n times. */
    private byte[] readItem(int key, int n) {
        cfg.write(0, 2, key);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) cfg.read(1, 1);
        return b;
    }

    /** outl(be32(high), 0x514); outl(be32(low), 0x518) */
    private void startDma(long descriptor) {
        cfg.write(4, 4, Integer.reverseBytes((int) (descriptor >>> 32)));
        cfg.write(8, 4, Integer.reverseBytes((int) descriptor));
    }

    private void putDescriptor(long at, int control, int length, long address) {
        mem.write(at, ByteBuffer.allocate(16).putInt(control).putInt(length).putLong(address).array());
    }

    private int control(long at) { return Integer.reverseBytes((int) mem.readU32(at)); }

    @Test
    void signatureReadsBytewiseThroughTheDataPort() {
        assertEquals("QEMU", new String(readItem(FwCfg.SIGNATURE, 4), StandardCharsets.US_ASCII));
        assertEquals(0, cfg.read(1, 1), "past the end reads 0");
    }

    @Test
    void idAdvertisesDma() {
        byte[] id = readItem(FwCfg.ID, 4);
        assertEquals(FwCfg.ID_TRADITIONAL | FwCfg.ID_DMA, id[0]);
    }

    @Test
    void scalarItemsAreLittleEndian() {
        ByteBuffer ram = ByteBuffer.wrap(readItem(FwCfg.RAM_SIZE, 8)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(128L << 20, ram.getLong());
        assertEquals(2, ByteBuffer.wrap(readItem(FwCfg.NB_CPUS, 2)).order(ByteOrder.LITTLE_ENDIAN).getShort());
    }

    @Test
    void fileDirectoryListsFilesSortedWithTheirSelectors() {
        int b = cfg.addFile("opt/zeta", new byte[] {1, 2, 3});
        int a = cfg.setE820(List.of(new FwCfg.E820Entry(0, 0x9fc00, FwCfg.E820Entry.RAM),
                new FwCfg.E820Entry(0x100000, 0x7f00000, FwCfg.E820Entry.RAM)));
        assertEquals(FwCfg.FILE_FIRST, b);
        assertEquals(FwCfg.FILE_FIRST + 1, a);
        cfg.write(0, 2, FwCfg.FILE_DIR);
        byte[] count = readItem(FwCfg.FILE_DIR, 4 + 2 * 64);
        Map<String, Integer> dir = FwCfg.parseDirectory(count);
        assertEquals(List.of("etc/e820", "opt/zeta"), List.copyOf(dir.keySet()));
        assertEquals(a, dir.get("etc/e820"));
        ByteBuffer entry = ByteBuffer.wrap(count, 4, 64);
        assertEquals(40, entry.getInt(), "be32 size of two 20-byte e820 entries");
        ByteBuffer e820 = ByteBuffer.wrap(readItem(a, 40)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, e820.getLong());
        assertEquals(0x9fc00, e820.getLong());
        assertEquals(1, e820.getInt());
        assertEquals(0x100000, e820.getLong());
    }

    @Test
    void dmaReadsTheSignatureIntoRamAndCompletes() {
        long desc = 0x1000, buf = 0x2000;
        mem.fill(buf, 8, (byte) 0x5a);
        putDescriptor(desc, (FwCfg.SIGNATURE << 16) | FwCfgDma.CTL_SELECT | FwCfgDma.CTL_READ, 8, buf);
        startDma(desc);
        assertEquals(0, control(desc));
        assertArrayEquals(new byte[] {'Q', 'E', 'M', 'U', 0, 0, 0, 0}, mem.read(buf, 8), "past the end fills zeros");
    }

    @Test
    void dmaSkipThenReadContinuesAtTheOffset() {
        long desc = 0x1000;
        putDescriptor(desc, (FwCfg.SIGNATURE << 16) | FwCfgDma.CTL_SELECT | FwCfgDma.CTL_SKIP, 2, 0);
        cfg.write(4, 8, Long.reverseBytes(desc));
        putDescriptor(desc, FwCfgDma.CTL_READ, 2, 0x3000);
        startDma(desc);
        assertArrayEquals("MU".getBytes(StandardCharsets.US_ASCII), mem.read(0x3000, 2));
    }

    @Test
    void dmaToAnAddressOutsideRamSetsTheErrorBit() {
        long desc = 0x1000;
        putDescriptor(desc, (FwCfg.SIGNATURE << 16) | FwCfgDma.CTL_SELECT | FwCfgDma.CTL_READ, 4, RAM - 2);
        startDma(desc);
        assertEquals(FwCfgDma.CTL_ERROR, control(desc));
        putDescriptor(desc, FwCfgDma.CTL_READ, -1, 0xffff_ffff_ffff_f000L);
        startDma(desc);
        assertEquals(FwCfgDma.CTL_ERROR, control(desc));
        assertEquals(2, cfg.dmaErrors());
    }

    @Test
    void dmaWritesAreRefusedAndDescriptorsOutsideRamAreHarmless() {
        long desc = 0x1000;
        putDescriptor(desc, (FwCfg.SIGNATURE << 16) | FwCfgDma.CTL_SELECT | FwCfgDma.CTL_WRITE, 4, 0x2000);
        startDma(desc);
        assertEquals(FwCfgDma.CTL_ERROR, control(desc));
        assertArrayEquals("QEMU".getBytes(StandardCharsets.US_ASCII), readItem(FwCfg.SIGNATURE, 4));
        startDma(RAM - 8);            // descriptor straddles the end of RAM
        startDma(0xdead_beef_0000L);  // nowhere at all
        assertEquals(3, cfg.dmaErrors());
    }

    @Test
    void dmaRegisterReadsTheDmaSignature() {
        assertEquals(0x554d4551L, cfg.read(4, 4), "\"QEMU\" in memory order");
        assertEquals(0x47464320L, cfg.read(8, 4), "\" CFG\"");
    }

    @Test
    void kernelItemsFollowQemusLinuxLoader() {
        cfg.setCmdline(0x20000, "console=ttyS0");
        ByteBuffer size = ByteBuffer.wrap(readItem(FwCfg.CMDLINE_SIZE, 4)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(14, size.getInt(), "length includes the NUL");
        assertEquals("console=ttyS0\0", new String(readItem(FwCfg.CMDLINE_DATA, 14), StandardCharsets.US_ASCII));
        cfg.setKernel(0x100000, new byte[300]);
        assertEquals(300, ByteBuffer.wrap(readItem(FwCfg.KERNEL_SIZE, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt());
    }

    @Test
    void unknownSelectorsReadZero() {
        assertArrayEquals(new byte[4], readItem(0x3fff, 4));
        assertArrayEquals(new byte[4], readItem(0x1f, 4));
    }
}
