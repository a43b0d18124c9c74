package dev.vmscope.devices;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusRange;
import dev.vmscope.devices.legacy.*;
import dev.vmscope.devices.pci.I440fxHost;
import dev.vmscope.devices.pci.PciHostBridge;
import dev.vmscope.devices.pci.PciTestDev;
import dev.vmscope.devices.pci.Piix3Isa;
import dev.vmscope.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** The conventional PC ranges documented in the package docs fit together on real buses. */
class PcLayoutTest {
    @Test
    void allDevicesAtTheirDocumentedRangesWithoutOverlap() {
        RecordingVm vm = new RecordingVm();
        ByteArrayOutputStream com1 = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 1 << 20);
            Bus pio = new Bus("pio"), mmio = new Bus("mmio");
            I8042 kbc = new I8042(vm, IrqLine.NONE, IrqLine.NONE);
            PcTestDevScratch scratch = new PcTestDevScratch();
            PciHostBridge pci = new PciHostBridge(vm);
            pci.attach(0, 0, new I440fxHost());
            pci.attach(1, 0, new Piix3Isa());
            PciTestDev testdev = new PciTestDev();
            pci.attach(3, 0, testdev);
            pci.setBarListener((d, i, o, n, s, io) -> {
                if (n != -1) (io ? pio : mmio).register(new BusRange(n, s), i == 0 ? testdev.mmio() : testdev.pio(), "pci-testdev");
            });
            pio.register(new BusRange(0x3f8, 8), new Serial16550(com1, IrqLine.NONE), "com1");
            pio.register(new BusRange(DebugExit.DEFAULT_PORT, DebugExit.DEFAULT_SIZE), new DebugExit(vm), "debug-exit");
            pio.register(new BusRange(DebugCon.SEABIOS_PORT, 1), new DebugCon(ConsoleOutput.DISCARD), "debugcon");
            pio.register(new BusRange(Port80.PORT, 1), new Port80(), "port80");
            pio.register(new BusRange(BochsShutdown.PORT, 1), new BochsShutdown(vm), "bochs");
            pio.register(new BusRange(FwCfg.IO_BASE, FwCfg.IO_LENGTH), new FwCfg(mem, 1 << 20, 1), "fw_cfg");
            pio.register(new BusRange(CmosRtc.PORT, 2), new CmosRtc(Clock.systemUTC(), 1 << 20, 0, 1), "cmos");
            pio.register(new BusRange(I8042.DATA_PORT, 1), kbc.data(), "i8042-data");
            pio.register(new BusRange(I8042.CONTROL_PORT, 1), kbc.control(), "i8042-control");
            pio.register(new BusRange(Port92.PORT, 1), new Port92(vm), "port92");
            pio.register(new BusRange(PcTestDevScratch.PORT, 4), scratch, "testdev-scratch");
            pio.register(new BusRange(PcTestDevScratch.BYTE_PORT, 4), scratch, "testdev-scratch-byte");
            pio.register(new BusRange(PcTestDevFlush.PORT, 4), new PcTestDevFlush(mem), "testdev-flush");
            pio.register(new BusRange(PcTestDevIrq.PORT, PcTestDevIrq.LENGTH), new PcTestDevIrq(n -> IrqLine.NONE), "testdev-irq");
            pio.register(new BusRange(PciHostBridge.PORT, PciHostBridge.LENGTH), pci, "pci");
            mmio.register(new BusRange(TestDevMmio.ADDRESS, TestDevMmio.LENGTH), new TestDevMmio(), "testdev-mmio");

            pio.write(0x3f8, 1, 'A');
            assertEquals("A", com1.toString(StandardCharsets.US_ASCII));
            pio.write(0x510, 2, FwCfg.SIGNATURE);
            assertEquals('Q', pio.read(0x511, 1));
            pio.write(0xe0, 4, 0xcafe);
            assertEquals(0xcafe, pio.read(0xe8, 2), "both scratch aliases are one register");
            mmio.write(0xff000010L, 4, 0x12345678);
            assertEquals(0x56, mmio.read(0xff000011L, 1));
            // Firmware-style BAR programming makes pci-testdev reachable.
            pio.write(0xcf8, 4, 0x8000_1814L);
            pio.write(0xcfc, 4, 0xc000);
            pio.write(0xcf8, 4, 0x8000_1804L);
            pio.write(0xcfc, 2, 0x0001);
            pio.write(0xc000, 1, 0);
            assertEquals('p', pio.read(0xc000 + 16, 1), "portio-no-eventfd header");
            pio.write(0xf4, 1, 1);
            assertEquals(java.util.List.of(3), vm.exits);
            assertEquals(0, pio.deviceFaults());
        }
    }
}
