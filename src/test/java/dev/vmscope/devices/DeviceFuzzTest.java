package dev.vmscope.devices;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.legacy.BochsShutdown;
import dev.vmscope.devices.legacy.CmosRtc;
import dev.vmscope.devices.legacy.DebugCon;
import dev.vmscope.devices.legacy.DebugExit;
import dev.vmscope.devices.legacy.FwCfg;
import dev.vmscope.devices.legacy.I8042;
import dev.vmscope.devices.legacy.PcTestDevFlush;
import dev.vmscope.devices.legacy.PcTestDevIrq;
import dev.vmscope.devices.legacy.PcTestDevScratch;
import dev.vmscope.devices.legacy.Port80;
import dev.vmscope.devices.legacy.Port92;
import dev.vmscope.devices.legacy.Serial16550;
import dev.vmscope.devices.legacy.TestDevMmio;
import dev.vmscope.devices.pci.I440fxHost;
import dev.vmscope.devices.pci.PciHostBridge;
import dev.vmscope.devices.pci.PciTestDev;
import dev.vmscope.devices.pci.Piix3Isa;
import dev.vmscope.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives every device model with random single accesses, as a hostile guest could: random device, offset
 * (mostly inside its range, sometimes just outside or anywhere), size 1/2/4/8 and value, with fw_cfg DMA
 * descriptors scattered through small guest RAM. Nothing may throw, reads must fit their access size, and
 * the whole run must finish (the timeout only catches hangs; it is orders of magnitude above the run).
 */
class DeviceFuzzTest {
    static final int ACCESSES = 1_000_000;
    static final long RAM = 64 * 1024;
    static final int[] SIZES = {1, 2, 4, 8};

    record Target(String name, BusDevice device, long length) {}

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void randomAccessesNeverThrowOrHang() {
        long seed = Long.getLong("vmscope.fuzz.seed", 0x5eed_f00dL);
        Random rnd = new Random(seed);
        AtomicLong vmRequests = new AtomicLong(), irqEdges = new AtomicLong(), remaps = new AtomicLong();
        VmControl vm = new VmControl() {
            public void exit(int status, String why) { vmRequests.incrementAndGet(); }
            public void reset(String why) { vmRequests.incrementAndGet(); }
        };
        IrqLine irq = a -> irqEdges.incrementAndGet();
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, RAM);
            FwCfg fwcfg = new FwCfg(mem, RAM, 2);
            fwcfg.addFile("etc/e820", new byte[40]);
            fwcfg.addFile("opt/blob", new byte[5000]);
            Serial16550 uart = new Serial16550(ConsoleOutput.DISCARD, irq);
            I8042 kbc = new I8042(vm, irq, irq);
            PciHostBridge pci = new PciHostBridge(vm);
            PciTestDev testdev = new PciTestDev();
            pci.attach(0, 0, new I440fxHost());
            pci.attach(1, 0, new Piix3Isa());
            pci.attach(3, 0, testdev);
            pci.setBarListener((d, i, o, n, s, io) -> remaps.incrementAndGet());

            List<Target> targets = new ArrayList<>(List.of(
                    new Target("serial", uart, 8),
                    new Target("debug-exit", new DebugExit(vm), 4),
                    new Target("debugcon", new DebugCon(ConsoleOutput.DISCARD), 1),
                    new Target("port80", new Port80(), 1),
                    new Target("bochs-shutdown", new BochsShutdown(vm), 1),
                    new Target("fw_cfg", fwcfg, FwCfg.IO_LENGTH),
                    new Target("cmos", new CmosRtc(Clock.systemUTC(), RAM, 0, 2), 2),
                    new Target("i8042-data", kbc.data(), 1),
                    new Target("i8042-control", kbc.control(), 1),
                    new Target("port92", new Port92(vm), 1),
                    new Target("testdev-scratch", new PcTestDevScratch(), 4),
                    new Target("testdev-flush", new PcTestDevFlush(mem), 4),
                    new Target("testdev-irq", new PcTestDevIrq(n -> irq), PcTestDevIrq.LENGTH),
                    new Target("testdev-mmio", new TestDevMmio(), TestDevMmio.LENGTH),
                    new Target("pci-host", pci, PciHostBridge.LENGTH),
                    new Target("pci-testdev-mmio", testdev.mmio(), 4096),
                    new Target("pci-testdev-pio", testdev.pio(), 256)));

            for (int n = 0; n < ACCESSES; n++) {
                if ((n & 1023) == 0) scatterDescriptors(mem, rnd);
                if ((n & 255) == 0) uart.enqueueInput(new byte[rnd.nextInt(8)]);
                Target t = targets.get(rnd.nextInt(targets.size()));
                long offset = offset(rnd, t.length());
                int size = SIZES[rnd.nextInt(SIZES.length)];
                try {
                    if (rnd.nextBoolean()) {
                        long v = t.device().read(offset, size);
                        assertEquals(v, v & Bus.ones(size), () -> t.name() + " read wider than its size");
                    } else {
                        t.device().write(offset, size, value(rnd, t, offset, size) & Bus.ones(size));
                    }
                } catch (RuntimeException e) {
                    throw new AssertionError(String.format("%s threw on access %d (seed 0x%x, offset 0x%x, size %d)",
                            t.name(), n, seed, offset, size), e);
                }
            }
            // Sanity: the run exercised the interesting paths.
            assertTrue(vmRequests.get() > 0, "exit/reset requests were made");
            assertTrue(irqEdges.get() > 0, "interrupt lines moved");
            assertTrue(fwcfg.dmaErrors() > 0, "DMA errors were reported, not thrown");
        }
    }

    private static long offset(Random rnd, long length) {
        return switch (rnd.nextInt(10)) {
            case 0 -> rnd.nextLong();                 // anywhere, negative included
            case 1 -> length + rnd.nextInt(16);       // just past the end
            default -> rnd.nextLong(length);
        };
    }

    /** Mostly random; for fw_cfg DMA writes, usually a descriptor address inside RAM (big-endian). */
    private static long value(Random rnd, Target t, long offset, int size) {
        if (t.device() instanceof FwCfg && offset == 8 && size == 4 && rnd.nextInt(4) != 0)
            return Integer.reverseBytes((int) (rnd.nextLong(RAM + 64) & ~0x7));
        return switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> rnd.nextInt(0x40);
            default -> rnd.nextLong();
        };
    }

    /** Writes plausible and implausible FWCfgDmaAccess descriptors across RAM. */
    private static void scatterDescriptors(GuestMemory mem, Random rnd) {
        for (int i = 0; i < 32; i++) {
            long at = rnd.nextLong(RAM - 16) & ~0x7;
            int control = rnd.nextInt(4) == 0 ? rnd.nextInt() : (rnd.nextInt(0x40) << 16) | (1 << rnd.nextInt(5));
            int length = rnd.nextBoolean() ? rnd.nextInt(256) : rnd.nextInt();
            long address = rnd.nextBoolean() ? rnd.nextLong(RAM) : rnd.nextLong();
            mem.writeU32(at, Integer.reverseBytes(control));
            mem.writeU32(at + 4, Integer.reverseBytes(length));
            mem.writeU64(at + 8, Long.reverseBytes(address));
        }
    }
}
