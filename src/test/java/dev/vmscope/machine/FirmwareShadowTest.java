package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.bus.Bus;
import dev.vmscope.devices.pci.I440fxHost;
import dev.vmscope.machine.Firmware.Kind;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.MemoryRegion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The BIOS window against a VM that records its slots (no vCPU, no KVM): PAM decides each 16 KiB segment, the
 * slots follow it (read-only where the window is ROM or read-only RAM), and accesses that exit as MMIO follow
 * the same rules as the slots would.
 */
class FirmwareShadowTest {
    private static final int IMAGE = 128 << 10;

    private static Kind[] expect(Kind c0000, Kind e0000, Kind f0000) {
        Kind[] k = new Kind[16];
        for (int i = 0; i < 16; i++) k[i] = i < 8 ? c0000 : i < 12 ? e0000 : f0000;
        return k;
    }

    @Test void pamSwitchesSegmentsBetweenRomAndShadowRam() {
        byte[] image = new byte[IMAGE];
        for (int i = 0; i < IMAGE; i++) image[i] = (byte) (i * 7 + 3);
        try (Arena a = Arena.ofConfined()) {
            SlotRecorder vm = new SlotRecorder();
            MemorySegment shadow = a.allocate(0x40000);
            Firmware fw = new Firmware(image, a.allocate(IMAGE), shadow);
            fw.map(vm);
            assertTrue(vm.slots.get(Firmware.SLOT_ROM).readOnly(), "the ROM slot is read-only");
            assertEquals(0x1_0000_0000L - IMAGE, vm.slots.get(Firmware.SLOT_ROM).gpa());
            assertEquals(0xe0000, vm.slots.get(Firmware.SLOT_WINDOW).gpa(), "reset: only the ROM alias is mapped in the window");
            assertEquals(0x1_0000_0000L - IMAGE, fw.romBase());
            Bus mmio = new Bus("mmio");
            I440fxHost host = new I440fxHost();
            fw.attach(mmio, host);
            // Reset: 0xc0000-0xdffff is PCI space, 0xe0000-0xfffff the last 128 KiB of the image.
            assertArrayEquals(expect(Kind.NONE, Kind.ROM, Kind.ROM), fw.layout());
            assertEquals(0xffffffffL, mmio.read(0xc0000, 4));
            assertEquals(image[0x1fff0] & 0xff, mmio.read(0xffff0, 1));
            assertEquals(image[0] & 0xff, mmio.read(0xe0000, 1));
            assertEquals(image[5] & 0xff, mmio.read(0xfffe0005L, 1));
            mmio.write(0xf0000, 4, 0x12345678);                       // ROM: dropped, RAM untouched
            assertEquals(0, shadow.get(ValueLayout.JAVA_INT_UNALIGNED, 0x30000));
            assertEquals(1, fw.droppedWrites() / 4);

            host.configWrite(0x58, 4, 0x3333_3000);                    // SeaBIOS make_bios_writable
            host.configWrite(0x5c, 4, 0x3333_3333);
            assertArrayEquals(expect(Kind.RAM_RW, Kind.RAM_RW, Kind.RAM_RW), fw.layout());
            assertEquals(2, vm.slots.size(), "one writable slot for the whole window, plus the ROM");
            assertFalse(vm.slots.get(Firmware.SLOT_WINDOW).readOnly());
            mmio.write(0xf0000, 4, 0x12345678);
            assertEquals(0x12345678, shadow.get(ValueLayout.JAVA_INT_UNALIGNED, 0x30000));
            assertEquals(0x12345678, mmio.read(0xf0000, 4));

            host.configWrite(0x59, 1, 0x10);                           // make_bios_readonly: F-segment read-only
            assertEquals(Kind.RAM_RO, fw.layout()[12]);
            mmio.write(0xf0000, 4, 0);
            assertEquals(0x12345678, shadow.get(ValueLayout.JAVA_INT_UNALIGNED, 0x30000));

            host.configWrite(0x59, 1, 0x20);                           // write-only: reads ROM, writes reach RAM
            assertEquals(Kind.ROM, fw.layout()[12]);
            mmio.write(0xf0004, 1, 0xab);
            assertEquals((byte) 0xab, shadow.get(ValueLayout.JAVA_BYTE, 0x30004));
            assertEquals(image[0x10004] & 0xff, mmio.read(0xf0004, 1));
        }
    }

    /** The debugger's view (KvmDebugTarget.memory) follows PAM and reaches the ROM at the top of 4 GiB. */
    @Test void debuggerViewShowsWhatTheCpuSees() {
        byte[] image = new byte[IMAGE];
        for (int i = 0; i < IMAGE; i++) image[i] = (byte) (i * 7 + 3);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment low = a.allocate(2 << 20);
            GuestMemory ram = new GuestMemory(List.of(new MemoryRegion(0, low)));
            Firmware fw = new Firmware(image, a.allocate(IMAGE), low.asSlice(0xc0000, 0x40000));
            fw.map(new SlotRecorder());
            I440fxHost host = new I440fxHost();
            fw.attach(new Bus("mmio"), host);
            low.set(ValueLayout.JAVA_BYTE, 0xffff0, (byte) 0x5a);             // shadow RAM behind the reset alias
            GuestMemory v = fw.view(ram);
            assertEquals(image[0x1fff0], v.readByte(0xffff0), "reset: the ROM alias, not shadow RAM");
            assertEquals(image[IMAGE - 16], v.readByte(0xfffffff0L), "the reset vector below 4 GiB");
            assertFalse(v.isRam(0xc0000, 1), "0xc0000-0xdffff is PCI space at reset");
            assertEquals(low.get(ValueLayout.JAVA_BYTE, 0x9fff0), v.readByte(0x9fff0));
            assertEquals(low.get(ValueLayout.JAVA_BYTE, 0x100000), v.readByte(0x100000));
            assertTrue(v.regions().stream().anyMatch(r -> r.kind() == MemoryRegion.Kind.ROM && r.gpa() == 0x1_0000_0000L - IMAGE));
            host.configWrite(0x59, 1, 0x30);                                  // F-segment: shadow RAM read/write
            assertEquals((byte) 0x5a, fw.view(ram).readByte(0xffff0));
        }
    }
}
