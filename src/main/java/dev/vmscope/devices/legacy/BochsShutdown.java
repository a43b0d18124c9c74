package dev.vmscope.devices.legacy;

import dev.vmscope.devices.ByteRegisterDevice;
import dev.vmscope.devices.VmControl;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Bochs/old-QEMU power-off port 0x8900 (length 1): writing the characters of "Shutdown" one by one powers
 * the machine off; any other byte restarts the match (QEMU 0.x hw/pc.c bochs_bios_write, case 0x8900).
 * Reads return 0xff, like an unclaimed port.
 */
public final class BochsShutdown extends ByteRegisterDevice {
    private static final byte[] MAGIC = "Shutdown".getBytes(StandardCharsets.US_ASCII);

    private final VmControl vm;
    private int matched;

    public BochsShutdown(VmControl vm) { this.vm = Objects.requireNonNull(vm, "vm"); }

    @Override protected int readByte(long offset) { return 0xff; }

    @Override
    protected void writeByte(long offset, int value) {
        if (offset != 0) return;
        if (value == MAGIC[matched]) {
            if (++matched == MAGIC.length) {
                matched = 0;
                vm.powerOff("Bochs shutdown port 0x8900");
            }
        } else {
            matched = value == MAGIC[0] ? 1 : 0;
        }
    }
}
