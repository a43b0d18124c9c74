package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.Bus;
import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.VmControl;
import dev.vmscope.memory.GuestMemory;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The whole PC device table behind the real buses, driven by 10^6 random accesses of every size at
 * every claimed range (and around them): no device may throw (the bus would hide it, so its fault
 * counter must stay 0), and every access returns.
 */
class PcDevicesFuzzTest {
    @Test
    void millionRandomAccessesThroughTheBuses() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory ram = GuestMemory.allocate(arena, 2 << 20);
            Bus pio = new Bus("pio"), mmio = new Bus("mmio");
            int[] stops = new int[1];
            VmControl vm = new VmControl() {
                public void exit(int status, String why) { stops[0]++; }
                public void reset(String why) { stops[0]++; }
            };
            new PcDevices(pio, mmio, ram, vm, 2 << 20, 4, new PrintStream(java.io.OutputStream.nullOutputStream()),
                    ConsoleOutput.DISCARD, ConsoleOutput.DISCARD, n -> IrqLine.NONE);
            SplittableRandom rnd = new SplittableRandom(0x5eed);
            var pioRanges = pio.entries();
            var mmioRanges = mmio.entries();
            int[] sizes = {1, 2, 4, 8};
            for (int i = 0; i < 1_000_000; i++) {
                boolean useMmio = rnd.nextInt(8) == 0;
                Bus bus = useMmio ? mmio : pio;
                var list = useMmio ? mmioRanges : pioRanges;
                var e = list.get(rnd.nextInt(list.size()));
                long addr = e.range().base() + rnd.nextLong(-4, e.range().length() + 4);
                int size = sizes[rnd.nextInt(useMmio ? 4 : 3)];
                long value = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt(256);
                if (rnd.nextBoolean()) bus.write(addr, size, value);
                else {
                    long v = bus.read(addr, size);
                    assertEquals(0, v & ~Bus.ones(size), "read wider than its size at 0x" + Long.toHexString(addr));
                }
            }
            assertEquals(0, pio.deviceFaults(), "a port device threw");
            assertEquals(0, mmio.deviceFaults(), "an MMIO device threw");
        }
    }
}
