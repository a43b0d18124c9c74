package dev.vmscope.devices.legacy;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.ByteRegisterDevice;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.VmControl;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * i8042 PS/2 controller, enough for firmware and kernels to probe it, flip A20 and reset the machine.
 * Command set from the IBM PS/2 Technical Reference (keyboard/auxiliary controller) and QEMU
 * hw/input/pckbd.c; keyboard and mouse command replies from QEMU hw/input/ps2.c. No keys are ever pressed.
 *
 * <p>The ports are not adjacent and 0x61 between them belongs to someone else, so register two
 * one-port ranges: {@link #data()} at 0x60 and {@link #control()} at 0x64. IRQ 1 (keyboard) and IRQ 12
 * (mouse) are injected; they are asserted while a byte from that source waits and the command byte
 * enables its interrupt.
 */
public final class I8042 {

    // Status register bits (pckbd.c KBD_STAT_*).
    static final int STAT_OBF = 0x01, STAT_SYS = 0x04, STAT_CMD = 0x08, STAT_UNLOCKED = 0x10, STAT_AUX_OBF = 0x20;
    // Command byte ("mode") bits (KBD_MODE_*).
    static final int MODE_KBD_INT = 0x01, MODE_AUX_INT = 0x02, MODE_SYS = 0x04, MODE_DISABLE_KBD = 0x10,
            MODE_DISABLE_AUX = 0x20, MODE_XLATE = 0x40;
    // Output port bits (KBD_OUT_*): bit 0 low holds the CPU in reset, bit 1 is the A20 gate.
    static final int OUT_RESET = 0x01, OUT_A20 = 0x02, OUT_ONES = 0xcc;
    // Controller commands written to port 0x64 (KBD_CCMD_*).
    static final int CMD_READ_MODE = 0x20, CMD_WRITE_MODE = 0x60, CMD_AUX_DISABLE = 0xa7, CMD_AUX_ENABLE = 0xa8,
            CMD_AUX_TEST = 0xa9, CMD_SELF_TEST = 0xaa, CMD_KBD_TEST = 0xab, CMD_KBD_DISABLE = 0xad,
            CMD_KBD_ENABLE = 0xae, CMD_READ_INPUT = 0xc0, CMD_READ_OUTPUT = 0xd0, CMD_WRITE_OUTPUT = 0xd1,
            CMD_WRITE_KBD_OBUF = 0xd2, CMD_WRITE_AUX_OBUF = 0xd3, CMD_WRITE_AUX = 0xd4, CMD_A20_OFF = 0xdd,
            CMD_A20_ON = 0xdf, CMD_PULSE_FIRST = 0xf0;
    static final int SELF_TEST_OK = 0x55, ACK = 0xfa, RESEND = 0xfe, BAT_OK = 0xaa;
    /** Bounded output queue; excess bytes are dropped (QEMU's PS/2 queues are bounded too). */
    static final int QUEUE_LIMIT = 16;

    private record Out(int value, boolean aux) {}

    private final VmControl vm;
    private final IrqLine kbdIrq, auxIrq;
    private final ArrayDeque<Out> queue = new ArrayDeque<>();
    private final PortView data = new PortView(true), control = new PortView(false);
    private int status = STAT_CMD | STAT_UNLOCKED;
    private int mode = MODE_KBD_INT | MODE_AUX_INT;
    private int outPort = OUT_RESET | OUT_A20 | OUT_ONES;
    private int pendingCommand;  // controller command awaiting its data byte, 0 if none
    private int pendingKbd;      // keyboard command awaiting its argument, 0 if none
    private int pendingAux;      // mouse command awaiting its argument, 0 if none
    private int lastRead;
    private boolean kbdLevel, auxLevel;

    public I8042(VmControl vm, IrqLine kbdIrq, IrqLine auxIrq) {
        this.vm = Objects.requireNonNull(vm, "vm");
        this.kbdIrq = Objects.requireNonNull(kbdIrq, "kbdIrq");
        this.auxIrq = Objects.requireNonNull(auxIrq, "auxIrq");
    }

    /** Port 0x60: output buffer (read) / data for the controller or keyboard (write). */
    public BusDevice data() { return data; }

    /** Port 0x64: status (read) / controller command (write). */
    public BusDevice control() { return control; }

    public synchronized boolean a20Enabled() { return (outPort & OUT_A20) != 0; }

    private final class PortView extends ByteRegisterDevice {
        private final boolean isData;

        PortView(boolean isData) { this.isData = isData; }

        @Override protected int readByte(long offset) {
            synchronized (I8042.this) { return offset != 0 ? 0xff : isData ? readData() : readStatus(); }
        }

        @Override protected void writeByte(long offset, int value) {
            synchronized (I8042.this) {
                if (offset != 0) return;
                if (isData) writeData(value); else writeCommand(value);
                updateIrq();
            }
        }
    }

    private int readStatus() {
        int s = status & ~(STAT_OBF | STAT_AUX_OBF);
        if (!queue.isEmpty()) s |= STAT_OBF | (queue.peek().aux() ? STAT_AUX_OBF : 0);
        return s;
    }

    private int readData() {
        Out o = queue.poll();
        if (o != null) lastRead = o.value(); // an empty buffer repeats the last byte (QEMU ps2_read_data)
        updateIrq();
        return lastRead;
    }

    private void enqueue(int value, boolean aux) {
        if (queue.size() < QUEUE_LIMIT) queue.add(new Out(value & 0xff, aux));
    }

    private void updateIrq() {
        Out head = queue.peek();
        boolean kbd = head != null && !head.aux() && (mode & MODE_KBD_INT) != 0;
        boolean aux = head != null && head.aux() && (mode & MODE_AUX_INT) != 0;
        if (kbd != kbdLevel) kbdIrq.set(kbdLevel = kbd);
        if (aux != auxLevel) auxIrq.set(auxLevel = aux);
    }

    private void writeCommand(int cmd) {
        status |= STAT_CMD;
        pendingCommand = 0;
        if (cmd >= CMD_PULSE_FIRST) {
            // Pulse output-port lines for 6 us: a low bit 0 pulses the CPU reset line (0xfe).
            if ((cmd & OUT_RESET) == 0) vm.reset("i8042 command 0x" + Integer.toHexString(cmd));
            return;
        }
        switch (cmd) {
            case CMD_READ_MODE -> enqueue(mode, false);
            case CMD_WRITE_MODE, CMD_WRITE_OUTPUT, CMD_WRITE_KBD_OBUF, CMD_WRITE_AUX_OBUF, CMD_WRITE_AUX ->
                    pendingCommand = cmd;
            case CMD_AUX_DISABLE -> mode |= MODE_DISABLE_AUX;
            case CMD_AUX_ENABLE -> mode &= ~MODE_DISABLE_AUX;
            case CMD_AUX_TEST, CMD_KBD_TEST -> enqueue(0x00, false);
            case CMD_SELF_TEST -> {
                status |= STAT_SYS;
                enqueue(SELF_TEST_OK, false);
            }
            case CMD_KBD_DISABLE -> mode |= MODE_DISABLE_KBD;
            case CMD_KBD_ENABLE -> mode &= ~MODE_DISABLE_KBD;
            case CMD_READ_INPUT -> enqueue(0x80, false); // keyboard not inhibited (pckbd.c)
            case CMD_READ_OUTPUT -> enqueue(outPort, false);
            case CMD_A20_OFF -> outPort &= ~OUT_A20;
            case CMD_A20_ON -> outPort |= OUT_A20;
            default -> { } // unknown commands are ignored
        }
    }

    private void writeData(int value) {
        status &= ~STAT_CMD;
        int cmd = pendingCommand;
        pendingCommand = 0;
        switch (cmd) {
            case CMD_WRITE_MODE -> {
                mode = value;
                status = (status & ~STAT_SYS) | (value & MODE_SYS);
            }
            case CMD_WRITE_OUTPUT -> {
                outPort = value;
                if ((value & OUT_RESET) == 0) vm.reset("i8042 output port reset bit cleared");
            }
            case CMD_WRITE_KBD_OBUF -> enqueue(value, false);
            case CMD_WRITE_AUX_OBUF -> enqueue(value, true);
            case CMD_WRITE_AUX -> mouseCommand(value);
            default -> keyboardCommand(value);
        }
    }

    /** PS/2 keyboard commands (ps2.c ps2_write_keyboard). */
    private void keyboardCommand(int value) {
        if (pendingKbd != 0) {
            int c = pendingKbd;
            pendingKbd = 0;
            enqueue(ACK, false);
            if (c == 0xf0 && value == 0) enqueue(0x02, false); // "get scancode set": set 2
            return;
        }
        switch (value) {
            case 0xed, 0xf0, 0xf3 -> { pendingKbd = value; enqueue(ACK, false); } // LEDs, scancode set, rate
            case 0xee -> enqueue(0xee, false);                                     // echo
            case 0xf2 -> { enqueue(ACK, false); enqueue(0xab, false); enqueue(0x83, false); } // MF2 ID
            case 0xf4, 0xf5, 0xf6 -> enqueue(ACK, false);                          // enable/disable/defaults
            case 0xff -> { enqueue(ACK, false); enqueue(BAT_OK, false); }          // reset + self test
            default -> enqueue(RESEND, false);
        }
    }

    /** PS/2 mouse commands (ps2.c ps2_write_mouse), reached through controller command 0xd4. */
    private void mouseCommand(int value) {
        if (pendingAux != 0) {
            pendingAux = 0;
            enqueue(ACK, true);
            return;
        }
        switch (value) {
            case 0xe8, 0xf3 -> { pendingAux = value; enqueue(ACK, true); } // resolution, sample rate
            case 0xe9 -> { enqueue(ACK, true); enqueue(0, true); enqueue(2, true); enqueue(100, true); }
            case 0xf2 -> { enqueue(ACK, true); enqueue(0, true); }        // device ID: standard mouse
            case 0xff -> { enqueue(ACK, true); enqueue(BAT_OK, true); enqueue(0, true); }
            default -> enqueue(ACK, true);
        }
    }
}
