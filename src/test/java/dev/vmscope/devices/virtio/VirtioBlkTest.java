package dev.vmscope.devices.virtio;

import static dev.vmscope.virtio.queue.MockDriver.Seg.in;
import static dev.vmscope.virtio.queue.MockDriver.Seg.out;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.RecordingIrq;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.virtio.queue.MockDriver;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-blk requests end to end: a driver on the PCI transport, a temporary raw image, the file checked afterwards. */
class VirtioBlkTest {
    static final long RAM = 1 << 20, HDR = 0x1000, DATA = 0x2000, STATUS = 0x9000;
    static final int SECTORS = 64;
    @TempDir Path dir;
    final Arena arena = Arena.ofConfined();
    final GuestMemory mem = GuestMemory.allocate(arena, RAM);
    final RecordingIrq irq = new RecordingIrq();
    VirtioPci pci;
    PciDriver driver;

    @AfterEach void close() throws IOException {
        if (pci != null) ((VirtioBlk) pci.device()).image().close();
        arena.close();
    }

    Path image(int sectors) throws IOException {
        byte[] b = new byte[sectors * 512];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i / 512);
        return Files.write(dir.resolve("disk.img"), b);
    }

    long start(Path img, boolean readOnly, long accept) {
        pci = new VirtioPci(new VirtioBlk(BlockImage.open(img, readOnly), "vmscope-disk-0"), mem, irq, VirtioPci.CLASS_STORAGE_SCSI);
        driver = new PciDriver(pci, mem, 0x40000, 16);
        pci.config().write(0x04, 2, 0x06);
        return driver.start(accept);
    }

    void header(int type, long sector) {
        mem.writeU32(HDR, type);
        mem.writeU32(HDR + 4, 0);
        mem.writeU64(HDR + 8, sector);
        mem.writeByte(STATUS, (byte) 0x77);
    }

    /** Submits a chain, notifies, and returns the status byte; checks the used element's length. */
    int submit(long expectedWritten, MockDriver.Seg... segs) {
        int before = driver.ring.usedIdx();
        int head = driver.ring.add(segs);
        driver.notifyQueue(0);
        assertEquals(before + 1, driver.ring.usedIdx(), "one chain used; status " + Integer.toHexString(pci.status()));
        assertEquals(new MockDriver.Used(head, expectedWritten), driver.ring.used(before));
        return mem.readByte(STATUS);
    }

    @Test void featuresAndConfigSpace() throws IOException {
        long f = start(image(SECTORS), false, -1L);
        assertTrue(Virtio.has(f, Virtio.F_VERSION_1));
        assertTrue(Virtio.has(f, VirtioBlk.F_FLUSH));
        assertFalse(Virtio.has(f, VirtioBlk.F_RO));
        assertEquals(SECTORS, driver.bar.read(VirtioPci.DEVICE_CFG, 8), "capacity in 512-byte sectors");
        assertEquals(SECTORS, driver.bar.read(VirtioPci.DEVICE_CFG, 4));
        assertEquals(512, driver.bar.read(VirtioPci.DEVICE_CFG + 20, 4), "blk_size");
        assertEquals(254, driver.bar.read(VirtioPci.DEVICE_CFG + 12, 4), "seg_max");
        assertTrue(Virtio.has(f, VirtioBlk.F_GEOMETRY));
        assertEquals(2, driver.bar.read(VirtioPci.DEVICE_CFG + 16, 2), "cylinders: QEMU's guess, at least 2");
        assertEquals(16, driver.bar.read(VirtioPci.DEVICE_CFG + 18, 1), "heads");
        assertEquals(63, driver.bar.read(VirtioPci.DEVICE_CFG + 19, 1), "sectors per track");
    }

    @Test void readsWritesAndFlushesReachTheFile() throws IOException {
        Path img = image(SECTORS);
        start(img, false, -1L);
        header(VirtioBlk.T_IN, 3);
        assertEquals(VirtioBlk.S_OK, submit(1024 + 1, in(HDR, 16), out(DATA, 1024), out(STATUS, 1)));
        assertEquals(3, mem.readByte(DATA));
        assertEquals(4, mem.readByte(DATA + 1023));
        // A write scattered over three pieces, the header split too.
        byte[] data = new byte[1024];
        Arrays.fill(data, (byte) 0xab);
        mem.write(DATA, data);
        header(VirtioBlk.T_OUT, 10);
        assertEquals(VirtioBlk.S_OK, submit(1, in(HDR, 8), in(HDR + 8, 8), in(DATA, 100), in(DATA + 100, 924), out(STATUS, 1)));
        header(VirtioBlk.T_FLUSH, 0);
        assertEquals(VirtioBlk.S_OK, submit(1, in(HDR, 16), out(STATUS, 1)));
        byte[] file = Files.readAllBytes(img);
        for (int i = 0; i < 1024; i++) assertEquals((byte) 0xab, file[10 * 512 + i]);
        assertEquals(9, file[10 * 512 - 1], "the sector before is untouched");
        assertEquals(12, file[12 * 512], "the sector after is untouched");
        assertEquals((long) SECTORS * 512, file.length, "the file did not grow");
    }

    @Test void outOfRangeAndPartialSectorsAreIoErrors() throws IOException {
        Path img = image(SECTORS);
        start(img, false, -1L);
        header(VirtioBlk.T_IN, SECTORS - 1);
        assertEquals(VirtioBlk.S_IOERR, submit(1, in(HDR, 16), out(DATA, 1024), out(STATUS, 1)), "one sector past the end");
        header(VirtioBlk.T_OUT, SECTORS);
        assertEquals(VirtioBlk.S_IOERR, submit(1, in(HDR, 16), in(DATA, 512), out(STATUS, 1)));
        header(VirtioBlk.T_OUT, -1L);
        assertEquals(VirtioBlk.S_IOERR, submit(1, in(HDR, 16), in(DATA, 512), out(STATUS, 1)), "sector 2^64-1");
        header(VirtioBlk.T_OUT, Long.MAX_VALUE / 256);
        assertEquals(VirtioBlk.S_IOERR, submit(1, in(HDR, 16), in(DATA, 512), out(STATUS, 1)), "sector * 512 overflows");
        header(VirtioBlk.T_IN, 0);
        assertEquals(VirtioBlk.S_IOERR, submit(1, in(HDR, 16), out(DATA, 100), out(STATUS, 1)), "not whole sectors");
        header(VirtioBlk.T_IN, SECTORS - 2);
        assertEquals(VirtioBlk.S_OK, submit(1025, in(HDR, 16), out(DATA, 1024), out(STATUS, 1)), "the last two sectors");
        header(99, 0);
        assertEquals(VirtioBlk.S_UNSUPP, submit(1, in(HDR, 16), out(STATUS, 1)));
        assertEquals((long) SECTORS * 512, Files.size(img));
    }

    @Test void aReadOnlyDriveRefusesWrites() throws IOException {
        Path img = image(SECTORS);
        long f = start(img, true, -1L);
        assertTrue(Virtio.has(f, VirtioBlk.F_RO));
        mem.fill(DATA, 512, (byte) 0xee);
        header(VirtioBlk.T_OUT, 0);
        assertEquals(VirtioBlk.S_IOERR, submit(1, in(HDR, 16), in(DATA, 512), out(STATUS, 1)));
        header(VirtioBlk.T_FLUSH, 0);
        assertEquals(VirtioBlk.S_OK, submit(1, in(HDR, 16), out(STATUS, 1)));
        header(VirtioBlk.T_IN, 1);
        assertEquals(VirtioBlk.S_OK, submit(513, in(HDR, 16), out(DATA, 512), out(STATUS, 1)));
        assertEquals(1, mem.readByte(DATA));
        assertEquals(0, Files.readAllBytes(img)[0], "unchanged");
    }

    @Test void getIdAndIndirectRequests() throws IOException {
        start(image(SECTORS), false, -1L);
        header(VirtioBlk.T_GET_ID, 0);
        assertEquals(VirtioBlk.S_OK, submit(21, in(HDR, 16), out(DATA, 20), out(STATUS, 1)), "20 bytes, NUL-padded as strncpy does");
        assertEquals("vmscope-disk-0", new String(mem.read(DATA, 14), StandardCharsets.US_ASCII));
        header(VirtioBlk.T_IN, 5);
        int before = driver.ring.usedIdx();
        driver.ring.addIndirect(0x8000, in(HDR, 16), out(DATA, 512), out(STATUS, 1));
        driver.notifyQueue(0);
        assertEquals(before + 1, driver.ring.usedIdx());
        assertEquals(VirtioBlk.S_OK, mem.readByte(STATUS));
        assertEquals(5, mem.readByte(DATA + 100));
    }

    @Test void aRequestWithoutHeaderOrStatusNeedsAReset() throws IOException {
        start(image(SECTORS), false, -1L);
        driver.ring.add(in(HDR, 8), out(STATUS, 1));
        driver.notifyQueue(0);
        assertNotEquals(0, pci.status() & Virtio.S_DEVICE_NEEDS_RESET);
        assertTrue(pci.lastFault().contains("no 16-byte header"), pci.lastFault());
        assertEquals(0, driver.ring.usedIdx());
    }

    @Test void withoutFlushNegotiatedWritesStillLand() throws IOException {
        Path img = image(SECTORS);
        long f = start(img, false, Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(VirtioBlk.F_BLK_SIZE)); // SeaBIOS's choice
        assertFalse(Virtio.has(f, VirtioBlk.F_FLUSH));
        mem.fill(DATA, 512, (byte) 0x5a);
        header(VirtioBlk.T_OUT, 7);
        assertEquals(VirtioBlk.S_OK, submit(1, in(HDR, 16), in(DATA, 512), out(STATUS, 1)));
        assertEquals(0x5a, Files.readAllBytes(img)[7 * 512 + 3]);
    }

    @Test void anImageThatShrinksUnderUsGivesIoErrorsAndOneWarning() throws IOException {
        Path img = image(SECTORS);
        start(img, false, -1L);
        List<String> warnings = new ArrayList<>();
        ((VirtioBlk) pci.device()).setHostErrorListener(warnings::add);
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) { ch.truncate(512); }
        for (int i = 0; i < 2; i++) {
            header(VirtioBlk.T_IN, 8);
            assertEquals(VirtioBlk.S_IOERR, submit(1, in(HDR, 16), out(DATA, 512), out(STATUS, 1)));
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().startsWith(img + ": reading sector 8 failed"), warnings.getFirst());
    }

    /** Random requests: a status the spec defines or a device reset, never an exception; the file never grows. */
    @Test void randomRequestsStayInsideTheImage() throws IOException {
        Path img = image(SECTORS);
        start(img, false, -1L);
        java.util.Random rnd = new java.util.Random(3);
        int n = Integer.getInteger("vmscope.fuzz.virtio-blk", 3000);
        int[] types = {VirtioBlk.T_IN, VirtioBlk.T_OUT, VirtioBlk.T_FLUSH, VirtioBlk.T_GET_ID, 11, 13, rnd.nextInt()};
        for (int i = 0; i < n; i++) {
            if ((pci.status() & Virtio.S_DEVICE_NEEDS_RESET) != 0) {
                driver = new PciDriver(pci, mem, 0x40000, 16);
                driver.start(-1L);
            }
            mem.writeU32(HDR, types[rnd.nextInt(types.length)]);
            mem.writeU64(HDR + 8, rnd.nextBoolean() ? rnd.nextInt(SECTORS + 4) : rnd.nextLong());
            int segs = 1 + rnd.nextInt(4);
            MockDriver.Seg[] chain = new MockDriver.Seg[segs + 1];
            chain[0] = in(HDR, rnd.nextInt(10) == 0 ? rnd.nextInt(16) : 16);
            for (int k = 1; k < segs; k++) {
                long len = rnd.nextBoolean() ? 512L * rnd.nextInt(4) : rnd.nextInt(1500);
                chain[k] = new MockDriver.Seg(DATA + k * 0x1000L, len, rnd.nextBoolean());
            }
            chain[segs] = out(STATUS, 1);
            mem.writeByte(STATUS, (byte) 0x77);
            driver.ring.add(chain);
            driver.notifyQueue(0);
            int status = mem.readByte(STATUS);
            assertTrue((pci.status() & Virtio.S_DEVICE_NEEDS_RESET) != 0 || status == VirtioBlk.S_OK
                    || status == VirtioBlk.S_IOERR || status == VirtioBlk.S_UNSUPP, "status " + status);
        }
        assertEquals((long) SECTORS * 512, Files.size(img));
    }

    @Test void badImagesAreOneLineErrors() throws IOException {
        Path missing = dir.resolve("nope.img");
        assertEquals(missing + ": no such file", assertThrows(DriveException.class, () -> BlockImage.open(missing, false)).getMessage());
        Path small = Files.write(dir.resolve("small.img"), new byte[100]);
        assertEquals(small + ": the image has 100 bytes, less than one 512-byte sector",
                assertThrows(DriveException.class, () -> BlockImage.open(small, false)).getMessage());
        Path ro = image(4);
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r--r--r--"));
        assertTrue(assertThrows(DriveException.class, () -> BlockImage.open(ro, false)).getMessage().contains("add readonly=on"));
        try (BlockImage ok = BlockImage.open(ro, true)) {
            assertEquals(4, ok.sectors());
            assertTrue(assertThrows(DriveException.class, () -> BlockImage.open(ro, true)).getMessage().contains("in use"));
        }
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(assertThrows(DriveException.class, () -> BlockImage.open(dir, false)).getMessage().contains("not a regular file"));
    }

    @Test void driveOptionInQemuSpelling() {
        assertEquals(new Drive(Path.of("a.img"), false), Drive.parse("file=a.img,format=raw,if=virtio"));
        assertEquals(new Drive(Path.of("a,b.img"), true), Drive.parse("file=a,,b.img,if=virtio,readonly=on"));
        assertEquals(new Drive(Path.of("x"), false), Drive.parse("file=x,readonly=off"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Drive.parse("file=a,format=qcow2")).getMessage().contains("only raw"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Drive.parse("file=a,if=ide")).getMessage().contains("only virtio"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Drive.parse("format=raw")).getMessage().contains("file=IMG is missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Drive.parse("file=a,cache=none")).getMessage().contains("unknown option 'cache'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Drive.parse("file=a,readonly=maybe")).getMessage().contains("not on or off"));
    }
}
