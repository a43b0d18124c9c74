package dev.vmscope.devices.pci;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.RecordingVm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PciHostBridgeTest {
    record Change(int bar, long oldAddr, long newAddr, long size, boolean io) {}

    private final RecordingVm vm = new RecordingVm();
    private final PciHostBridge host = new PciHostBridge(vm);
    private final PciTestDev testdev = new PciTestDev();
    private final List<Change> changes = new ArrayList<>();

    PciHostBridgeTest() {
        host.attach(0, 0, new I440fxHost());
        host.attach(1, 0, new Piix3Isa());
        host.attach(3, 0, testdev);
        host.setBarListener((d, i, o, n, s, io) -> {
            assertSame(testdev, d);
            changes.add(new Change(i, o, n, s, io));
        });
    }

    private static int addr(int slot, int fn, int reg) { return 0x8000_0000 | slot << 11 | fn << 8 | reg; }

    private long cfgRead(int slot, int reg, int size) {
        host.write(0, 4, addr(slot, 0, reg & 0xfc));
        return host.read(4 + (reg & 3), size);
    }

    private void cfgWrite(int slot, int reg, int size, long value) {
        host.write(0, 4, addr(slot, 0, reg & 0xfc));
        host.write(4 + (reg & 3), size, value);
    }

    @Test
    void chipsetIdentity() {
        assertEquals(0x12378086L, cfgRead(0, 0, 4));
        assertEquals(0x0600, cfgRead(0, 0x0a, 2));
        assertEquals(0x70008086L, cfgRead(1, 0, 4));
        assertEquals(0x0601, cfgRead(1, 0x0a, 2));
        assertEquals(0x80, cfgRead(1, 0x0e, 1), "PIIX3 is multi-function");
        assertEquals(0x00051b36L, cfgRead(3, 0, 4));
        assertEquals(0x80, cfgRead(0, 1, 1), "byte read at an offset within the dword");
    }

    @Test
    void emptySlotsOtherBusesAndDisabledAccessReadAllOnes() {
        assertEquals(0xffffffffL, cfgRead(2, 0, 4));
        host.write(0, 4, addr(0, 0, 0) | 1 << 16); // bus 1
        assertEquals(0xffffffffL, host.read(4, 4));
        host.write(0, 4, 0); // enable bit clear
        assertEquals(0xffffL, host.read(4, 2));
        host.write(0, 4, 0x8000_0000 | 0x1234);
        assertEquals(0x8000_1234L, host.read(0, 4), "address register reads back");
    }

    @Test
    void barSizingReadsBackTheSizeMask() {
        cfgWrite(3, 0x10, 4, 0xffffffffL);
        assertEquals(0xfffff000L, cfgRead(3, 0x10, 4), "4 KiB memory BAR");
        cfgWrite(3, 0x14, 4, 0xffffffffL);
        assertEquals(0xffffff01L, cfgRead(3, 0x14, 4), "256-port I/O BAR with the I/O bit");
        cfgWrite(3, 0x18, 4, 0xffffffffL);
        assertEquals(0, cfgRead(3, 0x18, 4), "unimplemented BAR");
        assertEquals(0x0005, cfgRead(3, 0x02, 2), "read-only ID survives writes");
        cfgWrite(3, 0x00, 4, 0);
        assertEquals(0x00051b36L, cfgRead(3, 0, 4));
    }

    @Test
    void barListenerSeesProgrammingAndDecodeEnable() {
        cfgWrite(3, 0x10, 4, 0xffffffffL);
        cfgWrite(3, 0x10, 4, 0xfebf0000L);
        cfgWrite(3, 0x14, 4, 0xc000);
        assertTrue(changes.isEmpty(), "nothing decodes before the command register enables it");
        cfgWrite(3, 0x04, 2, PciConfigSpace.CMD_IO | PciConfigSpace.CMD_MEMORY);
        assertEquals(List.of(new Change(0, -1, 0xfebf0000L, 4096, false), new Change(1, -1, 0xc000, 256, true)), changes);
        changes.clear();
        cfgWrite(3, 0x14, 4, 0xffffffffL); // sizing while decoding: unmapped, then back
        cfgWrite(3, 0x14, 4, 0xc100);
        assertEquals(List.of(new Change(1, 0xc000, -1, 256, true), new Change(1, -1, 0xc100, 256, true)), changes);
    }

    @Test
    void resetControlRegisterResets() {
        host.write(1, 1, 0x02);
        assertTrue(vm.resets.isEmpty());
        assertEquals(0x02, host.read(1, 1));
        host.write(1, 1, 0x06);
        assertEquals(1, vm.resets.size());
    }

    @Test
    void pirqRoutingComesFromPiix3Registers() {
        Piix3Isa piix = new Piix3Isa();
        assertEquals(-1, piix.pirqRoute(0));
        piix.configWrite(0x60, 4, 0x0b0b0a0a);
        assertEquals(10, piix.pirqRoute(0));
        assertEquals(11, piix.pirqRoute(3));
    }
}
