package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.Bus;
import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.VmControl;
import dev.vmscope.devices.legacy.FwCfg;
import dev.vmscope.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PcDevices, the machine's one table of ports and addresses: every device where a PC has it, no overlap. */
class PcLayoutTest {
    @Test
    void allDevicesAtTheirDocumentedRangesWithoutOverlap() {
        List<Integer> exits = new ArrayList<>();
        VmControl vm = new VmControl() {
            public void exit(int status, String why) { exits.add(status); }
            public void reset(String why) { }
        };
        ByteArrayOutputStream com1 = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 1 << 20);
            Bus pio = new Bus("pio"), mmio = new Bus("mmio");
            PcDevices d = new PcDevices(pio, mmio, mem, vm, 1 << 20, 1, new PrintStream(new ByteArrayOutputStream()),
                    new ConsoleOutput(com1), ConsoleOutput.DISCARD, n -> IrqLine.NONE);
            for (String name : List.of("com1", "isa-debug-exit", "debugcon", "port80", "bochs-shutdown", "fw_cfg", "cmos-rtc",
                    "i8042-data", "i8042-control", "port92", "acpi-pm", "pc-testdev", "pc-testdev-byte", "pc-testdev-flush",
                    "pc-testdev-irq", "pci-config"))
                assertTrue(pio.entries().stream().anyMatch(e -> e.name().equals(name)), name);
            assertEquals(PcDevices.COM1_PORT, pio.entries().stream().filter(e -> e.name().equals("com1")).findFirst().orElseThrow().range().base());
            pio.write(0x3f8, 1, 'A');
            assertEquals("A", com1.toString(StandardCharsets.US_ASCII));
            pio.write(0x510, 2, FwCfg.SIGNATURE);
            assertEquals('Q', pio.read(0x511, 1));
            pio.write(0xe0, 4, 0xcafe);
            assertEquals(0xcafe, pio.read(0xe8, 2), "both scratch aliases are one register");
            mmio.write(0xff000010L, 4, 0x12345678);
            assertEquals(0x56, mmio.read(0xff000011L, 1));
            // Firmware-style BAR programming makes pci-testdev reachable.
            pio.write(0xcf8, 4, 0x8000_1014L);
            pio.write(0xcfc, 4, 0xc000);
            pio.write(0xcf8, 4, 0x8000_1004L);
            pio.write(0xcfc, 2, 0x0001);
            pio.write(0xc000, 1, 0);
            assertEquals('p', pio.read(0xc000 + 16, 1), "portio-no-eventfd header");
            pio.write(0xf4, 1, 1);
            assertEquals(List.of(3), exits);
            assertEquals(0, pio.deviceFaults());
            d.close();
        }
    }
}
