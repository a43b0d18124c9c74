package dev.vmscope.devices.legacy;

import dev.vmscope.devices.ByteRegisterDevice;
import dev.vmscope.devices.ConsoleOutput;
import java.util.Objects;

/**
 * QEMU's ISA debug console (hw/char/debugcon.c), the Bochs "port e9 hack": every byte written is console
 * output; reads return the readback value 0xe9 so firmware (SeaBIOS, OVMF) can detect the port. QEMU's
 * x86 default is port 0xe9; OVMF and SeaBIOS debug builds use 0x402. Register one port (length 1).
 */
public final class DebugCon extends ByteRegisterDevice {
    /** QEMU debugcon "readback" property default. */
    public static final int READBACK = 0xe9;

    private final ConsoleOutput out;

    public DebugCon(ConsoleOutput out) { this.out = Objects.requireNonNull(out, "out"); }

    public DebugCon(java.io.OutputStream out) { this(new ConsoleOutput(out)); }

    @Override protected int readByte(long offset) { return READBACK; }

    @Override protected void writeByte(long offset, int value) { out.write(value); }
}
