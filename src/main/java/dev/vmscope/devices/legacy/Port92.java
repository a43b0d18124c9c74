package dev.vmscope.devices.legacy;

import dev.vmscope.devices.ByteRegisterDevice;
import dev.vmscope.devices.VmControl;
import java.util.Objects;

/**
 * System Control Port A at 0x92 (length 1), the "fast A20 and reset" port of PS/2-era chipsets (IBM PS/2
 * Technical Reference; QEMU hw/i386/port92.c). Bit 1 gates A20; a 0->1 transition of bit 0 resets the
 * machine. Reads return the last value written.
 */
public final class Port92 extends ByteRegisterDevice {
    static final int FAST_RESET = 0x01, A20 = 0x02;

    private final VmControl vm;
    private int value;

    public Port92(VmControl vm) { this.vm = Objects.requireNonNull(vm, "vm"); }

    @Override protected int readByte(long offset) { return offset == 0 ? value : 0xff; }

    @Override
    protected void writeByte(long offset, int v) {
        if (offset != 0) return;
        int old = value;
        value = v;
        if ((v & FAST_RESET) != 0 && (old & FAST_RESET) == 0) {
            value &= ~FAST_RESET; // the reset clears the register again
            vm.reset("port 0x92 fast reset");
        }
    }

    public synchronized boolean a20Enabled() { return (value & A20) != 0; }
}
