package dev.vmscope.machine;

import static dev.vmscope.virtio.queue.MockDriver.Seg.in;
import static dev.vmscope.virtio.queue.MockDriver.Seg.out;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.Bus;
import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.RecordingVm;
import dev.vmscope.devices.virtio.Drive;
import dev.vmscope.devices.virtio.DriveException;
import dev.vmscope.devices.virtio.VirtioBlk;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.virtio.queue.MockDriver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --drive disks wired into the PC without a backend: found by configuration mechanism #1 at 00:03.0, the BAR
 * moved onto the MMIO bus when the guest enables it, a read served through it, INTA reaching the ISA IRQ the
 * PIIX3 routes PIRQC to, and what a direct boot assigns instead of firmware.
 */
class VirtioDisksTest {
    static final long RAM = 4 << 20, BAR = 0xfe00_0000L;
    @TempDir Path dir;
    final Arena arena = Arena.ofShared();
    final GuestMemory mem = GuestMemory.allocate(arena, RAM);
    final Bus pio = new Bus("pio"), mmio = new Bus("mmio");
    final boolean[] isa = new boolean[16];
    PcDevices pc;

    @BeforeEach void setUp() throws IOException {
        byte[] disk = new byte[64 * 512];
        for (int i = 0; i < disk.length; i++) disk[i] = (byte) (i / 512);
        Path img = Files.write(dir.resolve("disk.img"), disk);
        pc = new PcDevices(pio, mmio, mem, new RecordingVm(), RAM, 1, new PrintStream(new ByteArrayOutputStream()),
                ConsoleOutput.DISCARD, ConsoleOutput.DISCARD, n -> level -> isa[n] = level);
        List<VirtioBlk> disks = VirtioDisks.open(List.of(Drive.parse("file=" + img + ",format=raw,if=virtio")));
        pc.attachDisks(disks, mem, n -> level -> isa[n] = level, new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterEach void tearDown() {
        pc.close();
        arena.close();
    }

    int cfgRead(int slot, int reg, int size) {
        pio.write(0xcf8, 4, 0x8000_0000L | slot << 11 | (reg & 0xfc));
        return (int) pio.read(0xcfc + (reg & 3), size);
    }

    void cfgWrite(int slot, int reg, int size, long v) {
        pio.write(0xcf8, 4, 0x8000_0000L | slot << 11 | (reg & 0xfc));
        pio.write(0xcfc + (reg & 3), size, v);
    }

    @Test void aDiskIsFoundProgrammedAndServedThroughTheBuses() {
        assertEquals(0x1042_1af4, cfgRead(3, 0, 4), "virtio-blk (modern) at 00:03.0");
        assertEquals(0xffff_ffff, cfgRead(4, 0, 4), "one drive, one function");
        cfgWrite(1, 0x62, 1, 11);                         // PIRQC -> IRQ 11, as SeaBIOS routes it
        cfgWrite(3, 0x10, 4, BAR);
        assertNull(mmio.lookup(BAR), "not decoded before memory space is enabled");
        cfgWrite(3, 0x04, 2, 0x06);                       // memory space + bus master
        assertNotNull(mmio.lookup(BAR));
        // The driver's bring-up and one read, all through the MMIO bus.
        MockDriver ring = new MockDriver(mem, 0x40000, 16);
        mmio.write(BAR + 20, 1, 0);
        mmio.write(BAR + 20, 1, 3);
        mmio.write(BAR + 8, 4, 1);
        mmio.write(BAR + 12, 4, 1);                       // VERSION_1
        mmio.write(BAR + 20, 1, 11);
        assertEquals(11, mmio.read(BAR + 20, 1), "FEATURES_OK accepted");
        mmio.write(BAR + 24, 2, 16);
        mmio.write(BAR + 32, 8, ring.desc);
        mmio.write(BAR + 40, 8, ring.avail);
        mmio.write(BAR + 48, 8, ring.used);
        mmio.write(BAR + 28, 2, 1);
        mmio.write(BAR + 20, 1, 15);
        mem.writeU32(0x1000, VirtioBlk.T_IN);
        mem.writeU64(0x1008, 5);
        ring.add(in(0x1000, 16), out(0x2000, 512), out(0x3000, 1));
        mmio.write(BAR + 0x3000, 2, 0);
        assertEquals(1, ring.usedIdx());
        assertEquals(5, mem.readByte(0x2000 + 511), "sector 5");
        assertEquals(0, mem.readByte(0x3000), "VIRTIO_BLK_S_OK");
        assertTrue(isa[11], "INTA of slot 3 is PIRQC, routed to IRQ 11");
        assertEquals(1, mmio.read(BAR + 0x1000, 1));
        assertFalse(isa[11], "the ISR read lowers it");
        // Moving the BAR moves the device.
        cfgWrite(3, 0x10, 4, BAR + 0x10000);
        assertNull(mmio.lookup(BAR));
        assertEquals(1, mmio.read(BAR + 0x10000 + 18, 2), "num_queues, answered at the new place");
    }

    @Test void aDirectBootAssignsWhatFirmwareWould() {
        pc.disks().assignForDirectBoot();
        assertEquals(11, cfgRead(3, 0x3c, 1), "interrupt line");
        assertEquals(1, cfgRead(3, 0x3d, 1), "INTA");
        assertEquals((int) VirtioDisks.DIRECT_BOOT_BAR_BASE, cfgRead(3, 0x10, 4));
        assertEquals(10, cfgRead(1, 0x60, 1));
        assertEquals(11, cfgRead(1, 0x62, 1));
        assertNull(mmio.lookup(VirtioDisks.DIRECT_BOOT_BAR_BASE), "the OS enables decoding");
        cfgWrite(3, 0x04, 2, 0x02);
        assertNotNull(mmio.lookup(VirtioDisks.DIRECT_BOOT_BAR_BASE));
    }

    /** Random configuration cycles and BAR accesses through the real buses: no device fault, no exception. */
    @Test void randomGuestAccessesThroughTheBusesAreHarmless() {
        java.util.Random rnd = new java.util.Random(11);
        cfgWrite(3, 0x10, 4, BAR);
        cfgWrite(3, 0x04, 2, 0x06);
        int n = Integer.getInteger("vmscope.fuzz.virtio-disks", 100_000);
        for (int i = 0; i < n; i++) {
            int size = 1 << rnd.nextInt(4);
            switch (rnd.nextInt(5)) {
                case 0 -> cfgWrite(rnd.nextInt(8) == 0 ? 1 : 3, rnd.nextInt(256), Math.min(size, 4), rnd.nextLong());
                case 1 -> cfgRead(3, rnd.nextInt(256), Math.min(size, 4));
                case 2 -> mmio.read(BAR + rnd.nextInt(0x4000), size);
                default -> mmio.write(BAR + (rnd.nextBoolean() ? rnd.nextInt(64) : rnd.nextInt(0x4000)), size,
                        rnd.nextInt(3) == 0 ? rnd.nextInt((int) RAM) & ~0xfL : rnd.nextLong());
            }
            if (rnd.nextInt(5000) == 0) { cfgWrite(3, 0x10, 4, BAR); cfgWrite(3, 0x04, 2, 0x06); }
        }
        assertEquals(0, mmio.deviceFaults() + pio.deviceFaults(), "a device threw");
    }

    @Test void aMissingImageIsOneLine() {
        Path missing = dir.resolve("none.img");
        DriveException e = assertThrows(DriveException.class, () -> VirtioDisks.open(List.of(Drive.parse("file=" + missing))));
        assertEquals(missing + ": no such file", e.getMessage());
    }
}
