package dev.vmscope.devices.legacy;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.RecordingIrq;
import dev.vmscope.devices.RecordingVm;
import org.junit.jupiter.api.Test;

class I8042Test {
    private final RecordingVm vm = new RecordingVm();
    private final RecordingIrq kbd = new RecordingIrq();
    private final I8042 kbc = new I8042(vm, kbd, IrqLine.NONE);

    private void command(int c) { kbc.control().write(0, 1, c); }

    private int status() { return (int) kbc.control().read(0, 1); }

    private int data() { return (int) kbc.data().read(0, 1); }

    @Test
    void pulseResetCommandResetsTheMachine() {
        command(0xfe);
        assertEquals(1, vm.resets.size());
        command(0xff); // bit 0 high: no reset line pulsed
        assertEquals(1, vm.resets.size());
    }

    @Test
    void selfTestAndInterfaceTest() {
        command(0xaa);
        assertEquals(I8042.STAT_OBF, status() & I8042.STAT_OBF);
        assertEquals(0x55, data());
        assertEquals(0, status() & I8042.STAT_OBF);
        command(0xab);
        assertEquals(0x00, data());
    }

    @Test
    void commandByteRoundTripsAndGatesTheKeyboardIrq() {
        command(0x60);
        kbc.data().write(0, 1, 0x00);
        command(0x20);
        assertFalse(kbd.level, "keyboard interrupt disabled in the command byte");
        assertEquals(0x00, data());
        command(0x60);
        kbc.data().write(0, 1, 0x01);
        command(0x20);
        assertTrue(kbd.level);
        assertEquals(0x01, data());
        assertFalse(kbd.level);
    }

    @Test
    void a20ThroughTheOutputPort() {
        assertTrue(kbc.a20Enabled());
        command(0xd1);
        kbc.data().write(0, 1, 0xdd); // bit 1 clear, bit 0 set: A20 off, no reset
        assertFalse(kbc.a20Enabled());
        command(0xd0);
        assertEquals(0xdd, data());
        command(0xdf);
        assertTrue(kbc.a20Enabled());
        assertTrue(vm.resets.isEmpty());
        command(0xd1);
        kbc.data().write(0, 1, 0xde);
        assertEquals(1, vm.resets.size());
    }

    @Test
    void keyboardResetAcksAndPassesSelfTest() {
        kbc.data().write(0, 1, 0xff);
        assertEquals(0xfa, data());
        assertEquals(0xaa, data());
        assertEquals(0xaa, data(), "empty buffer repeats the last byte");
        assertEquals(0, status() & I8042.STAT_OBF);
    }

    @Test
    void mouseRepliesAreMarkedAux() {
        command(0xd4);
        kbc.data().write(0, 1, 0xf2);
        assertEquals(I8042.STAT_OBF | I8042.STAT_AUX_OBF, status() & 0x21);
        assertEquals(0xfa, data());
        assertEquals(0x00, data());
    }

    @Test
    void theOutputQueueIsBounded() {
        for (int i = 0; i < 1000; i++) command(0xaa);
        int n = 0;
        while ((status() & I8042.STAT_OBF) != 0 && n < 2000) { data(); n++; }
        assertEquals(I8042.QUEUE_LIMIT, n);
    }
}
