package dev.vmscope.devices.pci;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.BusDevice;
import org.junit.jupiter.api.Test;

class PciTestDevTest {
    private final PciTestDev dev = new PciTestDev();

    private static String name(BusDevice w) {
        StringBuilder sb = new StringBuilder();
        for (int i = PciTestDev.HDR_NAME; ; i++) {
            int c = (int) w.read(i, 1);
            if (c == 0) return sb.toString();
            sb.append((char) c);
        }
    }

    /** kvm-unit-tests lib/pci-testdev.c pci_testdev_one, over one window. */
    private int runOne(BusDevice w, int test) {
        w.write(0, 1, test);
        assertEquals(0, w.read(PciTestDev.HDR_COUNT, 4));
        assertEquals(1, w.read(PciTestDev.HDR_WIDTH, 1));
        long off = w.read(PciTestDev.HDR_OFFSET, 4);
        long sig = w.read(PciTestDev.HDR_DATA, 4);
        for (int i = 0; i < 16; i++) w.write(off, 1, sig);
        return (int) w.read(PciTestDev.HDR_COUNT, 4);
    }

    @Test
    void everyTestCountsItsSixteenWrites() {
        for (int t = 0; t < 3; t++) {
            assertEquals(16, runOne(dev.mmio(), t));
            assertEquals(16, runOne(dev.pio(), t));
        }
    }

    @Test
    void headerDescribesTheRunningTest() {
        dev.pio().write(0, 1, 2);
        assertEquals(5, dev.pio().read(0, 1), "test index = type * 3 + test");
        assertEquals(128 + 5, dev.pio().read(4, 4));
        assertEquals(0xfa, dev.pio().read(8, 4), "data is one byte plus padding");
        assertEquals("portio-datamatch-eventfd", name(dev.pio()));
        assertEquals(name(dev.pio()), name(dev.mmio()), "both windows show the running test");
    }

    @Test
    void datamatchIgnoresOtherValuesAndWildcardTakesAny() {
        dev.mmio().write(0, 1, 2);
        dev.mmio().write(2048 + 2, 1, 0x11);
        dev.mmio().write(2048 + 1, 1, 0xfa); // wrong offset
        assertEquals(0, dev.count());
        dev.mmio().write(2048 + 2, 4, 0xfa); // byte-wise: first byte matches
        assertEquals(1, dev.count());
        dev.mmio().write(0, 1, 1);
        dev.mmio().write(2048 + 1, 1, 0x11);
        assertEquals(1, dev.count());
    }

    @Test
    void idleOrStoppedDeviceReadsZero() {
        assertEquals(0, dev.mmio().read(0, 4));
        assertEquals(-1, dev.count());
        dev.pio().write(0, 1, 0);
        dev.pio().write(0, 1, 7); // out of range: stops
        assertEquals(0, dev.pio().read(4, 4));
        assertEquals(-1, dev.count());
    }
}
