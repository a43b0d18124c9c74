package dev.vmscope.devices.legacy;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.RecordingVm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallDevicesTest {
    private final RecordingVm vm = new RecordingVm();

    @Test
    void debugExitMapsValueToOddStatus() {
        DebugExit d = new DebugExit(vm);
        d.write(0, 1, 0);
        d.write(0, 4, 1);
        d.write(2, 2, 0x10);
        d.write(0, 8, 5); // not a valid width: ignored
        assertEquals(List.of(1, 3, 0x21), vm.exits);
        assertEquals(0, d.read(0, 4));
    }

    @Test
    void debugConWritesOutputAndReadsBackE9() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DebugCon d = new DebugCon(new ConsoleOutput(out));
        for (byte b : "ok\n".getBytes(StandardCharsets.US_ASCII)) d.write(0, 1, b);
        assertEquals("ok\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(0xe9, d.read(0, 1));
    }

    @Test
    void port80RemembersTheLastCode() {
        Port80 p = new Port80();
        assertEquals(-1, p.lastCode());
        p.write(0, 1, 0x12);
        p.write(0, 1, 0x34);
        assertEquals(0x34, p.lastCode());
        assertEquals(2, p.writes());
        assertEquals(0xff, p.read(0, 1));
    }

    @Test
    void bochsShutdownNeedsTheWholeWord() {
        BochsShutdown b = new BochsShutdown(vm);
        for (char c : "ShutXShutdow".toCharArray()) b.write(0, 1, c);
        assertTrue(vm.powerOffs.isEmpty());
        b.write(0, 1, 'n');
        assertEquals(1, vm.powerOffs.size());
    }

    @Test
    void port92TracksA20AndResetsOnRisingBit0() {
        Port92 p = new Port92(vm);
        p.write(0, 1, 0x02);
        assertTrue(p.a20Enabled());
        assertEquals(0x02, p.read(0, 1));
        assertTrue(vm.resets.isEmpty());
        p.write(0, 1, 0x03);
        assertEquals(1, vm.resets.size());
        assertEquals(0x02, p.read(0, 1));
    }
}
