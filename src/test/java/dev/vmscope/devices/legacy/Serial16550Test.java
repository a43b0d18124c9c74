package dev.vmscope.devices.legacy;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.RecordingIrq;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Serial16550Test {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final RecordingIrq irq = new RecordingIrq();
    private final Serial16550 uart = new Serial16550(new ConsoleOutput(out), irq);

    private int in(int reg) { return (int) uart.read(reg, 1); }

    private void outb(int reg, int v) { uart.write(reg, 1, v); }

    @Test
    void helloReachesTheOutputAndTheTransmitterIsAlwaysEmpty() {
        for (byte b : "hello".getBytes(StandardCharsets.US_ASCII)) {
            assertEquals(0x60, in(Serial16550.LSR) & 0x60, "THRE|TEMT before each byte");
            outb(Serial16550.DATA, b);
        }
        assertEquals("hello", out.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void loopbackFeedsTransmittedBytesBackAndMirrorsModemLines() {
        outb(Serial16550.MCR, Serial16550.MCR_LOOP | Serial16550.MCR_RTS | Serial16550.MCR_OUT2);
        // Linux 8250 autoconfig: LOOP|RTS|OUT2 must read back CTS|DCD in the MSR high nibble.
        assertEquals(0x90, in(Serial16550.MSR) & 0xf0);
        outb(Serial16550.DATA, 'x');
        assertEquals(0, out.size(), "loopback output does not leave the UART");
        assertEquals(Serial16550.LSR_DR, in(Serial16550.LSR) & Serial16550.LSR_DR);
        assertEquals('x', in(Serial16550.DATA));
        assertEquals(0, in(Serial16550.LSR) & Serial16550.LSR_DR);
    }

    @Test
    void receivedInputRaisesAndDrainingLowersTheInterrupt() {
        outb(Serial16550.IER, Serial16550.IER_RDA);
        assertFalse(irq.level);
        assertEquals(2, uart.enqueueInput(new byte[] {'o', 'k'}));
        assertTrue(irq.level);
        assertEquals(Serial16550.IIR_RDA, in(Serial16550.IIR_FCR) & 0x0f);
        assertEquals('o', in(Serial16550.DATA));
        assertEquals('k', in(Serial16550.DATA));
        assertFalse(irq.level);
        assertEquals(Serial16550.IIR_NONE, in(Serial16550.IIR_FCR));
    }

    @Test
    void fifoTriggerLevelDistinguishesTimeoutFromDataAvailable() {
        outb(Serial16550.IIR_FCR, 0x81); // FIFO on, trigger 8
        outb(Serial16550.IER, Serial16550.IER_RDA);
        uart.enqueueInput(new byte[3]);
        assertEquals(0xc0 | Serial16550.IIR_TIMEOUT, in(Serial16550.IIR_FCR));
        uart.enqueueInput(new byte[5]);
        assertEquals(0xc0 | Serial16550.IIR_RDA, in(Serial16550.IIR_FCR));
        outb(Serial16550.IIR_FCR, 0x83); // clear RX
        assertEquals(0, in(Serial16550.LSR) & Serial16550.LSR_DR);
    }

    @Test
    void thrEmptyInterruptIsLatchedAndClearedByReadingIir() {
        outb(Serial16550.IER, Serial16550.IER_THRE);
        assertTrue(irq.level, "enabling THRE with an empty THR interrupts at once");
        assertEquals(Serial16550.IIR_THRE, in(Serial16550.IIR_FCR));
        assertFalse(irq.level);
        assertEquals(Serial16550.IIR_NONE, in(Serial16550.IIR_FCR));
        outb(Serial16550.DATA, 'a');
        assertTrue(irq.level, "THR empties again after each byte");
    }

    @Test
    void divisorLatchIsBehindDlab() {
        outb(Serial16550.LCR, 0x83);
        outb(Serial16550.DATA, 0x01);
        outb(Serial16550.IER, 0x00);
        assertEquals(0x01, in(Serial16550.DATA));
        outb(Serial16550.LCR, 0x03);
        outb(Serial16550.DATA, 'z');
        assertEquals("z", out.toString(StandardCharsets.US_ASCII));
        assertEquals(0, in(Serial16550.IER));
    }

    @Test
    void inputBeyondTheBufferIsRefusedNotLost() {
        assertEquals(Serial16550.RX_CAPACITY, uart.enqueueInput(new byte[Serial16550.RX_CAPACITY + 10]));
        assertEquals(0, uart.rxSpace());
        in(Serial16550.DATA);
        assertEquals(1, uart.enqueueInput(new byte[] {1, 2}));
    }
}
