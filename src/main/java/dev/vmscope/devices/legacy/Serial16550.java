package dev.vmscope.devices.legacy;

import dev.vmscope.devices.ByteRegisterDevice;
import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.IrqLine;
import java.util.Objects;

/**
 * 16550A UART as PC guests expect at COM1 (0x3f8, 8 ports, IRQ 4) or COM2 (0x2f8, IRQ 3). Registers per
 * the TI PC16550D datasheet (SLLS057, "Register descriptions"), behaviour after QEMU hw/char/serial.c and
 * rust-vmm vm-superio serial.rs. Transmission is instantaneous, so THR and the transmitter are always
 * empty (LSR THRE|TEMT). There is no baud clock: the receive character-timeout is taken as already
 * elapsed, so data below the FIFO trigger level reports IIR "character timeout" instead of waiting.
 * The interrupt line follows QEMU's serial_update_irq: asserted while IIR shows a pending interrupt
 * (not gated by MCR OUT2).
 */
public final class Serial16550 extends ByteRegisterDevice {
    /** Register offsets (datasheet table 2). */
    static final int DATA = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

    // IER bits.
    static final int IER_RDA = 0x01, IER_THRE = 0x02, IER_RLS = 0x04, IER_MS = 0x08;
    // IIR values: bit 0 set = nothing pending; bits 3:1 identify the source; bits 7:6 mirror FCR bit 0.
    static final int IIR_NONE = 0x01, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_TIMEOUT = 0x0c, IIR_THRE = 0x02,
            IIR_MS = 0x00, IIR_FIFO = 0xc0;
    // FCR bits.
    static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04, FCR_TRIGGER = 0xc0;
    static final int LCR_DLAB = 0x80;
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08,
            MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    /** Modem lines of a connected, idle terminal: CTS, DSR, DCD (vm-superio DEFAULT_MODEM_STATUS). */
    static final int MSR_IDLE = MSR_CTS | MSR_DSR | MSR_DCD;
    /** FCR bits 7:6 select the RX trigger level (datasheet, FCR description). */
    private static final int[] TRIGGER_LEVELS = {1, 4, 8, 14};
    /** Receive buffer: the 16-byte hardware FIFO plus slack for host input, as vm-superio's 64. */
    public static final int RX_CAPACITY = 64;

    private final ConsoleOutput out;
    private final IrqLine irq;
    private final byte[] rx = new byte[RX_CAPACITY];
    private int rxHead, rxCount;

    private int ier, lcr = 0x03, mcr = MCR_OUT2, fcr, scr;
    private int dll = 0x0c, dlm;     // divisor 12: 9600 baud from 1.8432 MHz (vm-superio defaults)
    private int lsrErrors;           // OE/BI, cleared by reading LSR
    private int msrDeltas;           // DCTS..DDCD, cleared by reading MSR
    private int modemLines = MSR_IDLE;
    private boolean thrPending;      // THRE interrupt latched, cleared by IIR read or THR write
    private boolean irqLevel;

    public Serial16550(ConsoleOutput out, IrqLine irq) {
        this.out = Objects.requireNonNull(out, "out");
        this.irq = Objects.requireNonNull(irq, "irq");
    }

    /** Output straight to a stream, flushed per byte. */
    public Serial16550(java.io.OutputStream out, IrqLine irq) { this(new ConsoleOutput(out), irq); }

    /**
     * Host input for the guest. Returns how many bytes were accepted (the rest did not fit the receive
     * buffer; retry once the guest has drained it, see {@link #rxSpace()}).
     */
    public synchronized int enqueueInput(byte[] data) {
        int n = 0;
        for (byte b : data) {
            if (!pushRx(b)) break;
            n++;
        }
        updateIrq();
        return n;
    }

    public synchronized int rxSpace() { return RX_CAPACITY - rxCount; }

    private boolean pushRx(byte b) {
        if (rxCount == RX_CAPACITY) return false;
        rx[(rxHead + rxCount++) % RX_CAPACITY] = b;
        return true;
    }

    private boolean loopback() { return (mcr & MCR_LOOP) != 0; }

    private boolean fifoEnabled() { return (fcr & FCR_ENABLE) != 0; }

    private int msr() {
        if (!loopback()) return modemLines | msrDeltas;
        // In loopback the outputs feed the inputs: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
        return loopbackLines(mcr) | msrDeltas;
    }

    private static int loopbackLines(int mcr) {
        return ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0) | ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0)
                | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
    }

    /** The highest-priority pending interrupt (datasheet table 4: RLS > RDA/timeout > THRE > MS). */
    private int interruptId() {
        if ((ier & IER_RLS) != 0 && lsrErrors != 0) return IIR_RLS;
        if ((ier & IER_RDA) != 0 && rxCount > 0)
            return !fifoEnabled() || rxCount >= TRIGGER_LEVELS[(fcr & FCR_TRIGGER) >> 6] ? IIR_RDA : IIR_TIMEOUT;
        if ((ier & IER_THRE) != 0 && thrPending) return IIR_THRE;
        if ((ier & IER_MS) != 0 && msrDeltas != 0) return IIR_MS;
        return IIR_NONE;
    }

    private void updateIrq() {
        boolean level = interruptId() != IIR_NONE;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    @Override
    protected int readByte(long offset) {
        int v = switch ((int) (offset & 7)) {
            case DATA -> (lcr & LCR_DLAB) != 0 ? dll : popRx();
            case IER -> (lcr & LCR_DLAB) != 0 ? dlm : ier;
            case IIR_FCR -> {
                int id = interruptId();
                if (id == IIR_THRE) thrPending = false;
                yield id | (fifoEnabled() ? IIR_FIFO : 0);
            }
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> {
                int lsr = LSR_THRE | LSR_TEMT | lsrErrors | (rxCount > 0 ? LSR_DR : 0);
                lsrErrors = 0;
                yield lsr;
            }
            case MSR -> {
                int msr = msr();
                msrDeltas = 0;
                yield msr;
            }
            default -> scr;
        };
        updateIrq();
        return v;
    }

    private int popRx() {
        if (rxCount == 0) return 0;
        int b = rx[rxHead] & 0xff;
        rxHead = (rxHead + 1) % RX_CAPACITY;
        rxCount--;
        return b;
    }

    @Override
    protected void writeByte(long offset, int value) {
        switch ((int) (offset & 7)) {
            case DATA -> {
                if ((lcr & LCR_DLAB) != 0) dll = value;
                else transmit(value);
            }
            case IER -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dlm = value;
                } else {
                    int changed = ier ^ (value & 0x0f);
                    ier = value & 0x0f;
                    // Enabling THRE interrupts with THR already empty raises one (QEMU serial_ioport_write).
                    if ((changed & IER_THRE) != 0) thrPending = (ier & IER_THRE) != 0;
                }
            }
            case IIR_FCR -> writeFcr(value);
            case LCR -> lcr = value;
            case MCR -> writeMcr(value & 0x1f);
            case SCR -> scr = value;
            default -> { } // LSR and MSR are read-only
        }
        updateIrq();
    }

    private void transmit(int value) {
        if (loopback()) {
            if (!pushRx((byte) value)) lsrErrors |= LSR_OE;
        } else {
            out.write(value);
        }
        thrPending = true; // sent at once, so THR is empty again
    }

    private void writeFcr(int value) {
        // Toggling the FIFO enable resets both FIFOs (datasheet, FCR bit 0); an emptied transmitter
        // latches a THRE interrupt (QEMU serial_ioport_write, UART_FCR_XFR).
        if (((value ^ fcr) & FCR_ENABLE) != 0) value |= FCR_CLEAR_RX | FCR_CLEAR_TX;
        if ((value & FCR_CLEAR_RX) != 0) rxHead = rxCount = 0;
        if ((value & FCR_CLEAR_TX) != 0) thrPending = true;
        fcr = value & (FCR_ENABLE | FCR_TRIGGER);
    }

    private void writeMcr(int value) {
        int before = msr() & 0xf0;
        mcr = value;
        int after = msr() & 0xf0;
        int diff = before ^ after;
        // Delta bits: CTS/DSR/DCD on any change, TERI only on RI falling (datasheet, MSR bits 0-3).
        if ((diff & MSR_CTS) != 0) msrDeltas |= MSR_DCTS;
        if ((diff & MSR_DSR) != 0) msrDeltas |= MSR_DDSR;
        if ((diff & MSR_DCD) != 0) msrDeltas |= MSR_DDCD;
        if ((before & MSR_RI) != 0 && (after & MSR_RI) == 0) msrDeltas |= MSR_TERI;
    }

    /** Whether the interrupt line is currently asserted. */
    public synchronized boolean irqAsserted() { return irqLevel; }
}
