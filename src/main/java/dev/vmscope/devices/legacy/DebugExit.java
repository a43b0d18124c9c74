package dev.vmscope.devices.legacy;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.VmControl;
import java.util.Objects;

/**
 * QEMU's isa-debug-exit (hw/misc/debugexit.c): any write of value v ends the VM with exit status
 * (v << 1) | 1, so a test can never be mistaken for a clean QEMU exit (0). kvm-unit-tests registers it at
 * iobase 0xf4 with iosize 4; register this model at the same range with the same length (1..4). Accesses
 * of 1..4 bytes are valid at any offset (QEMU valid.max_access_size = 4); reads return 0.
 */
public final class DebugExit implements BusDevice {
    /** kvm-unit-tests' conventional location. */
    public static final int DEFAULT_SIZE = 4;

    private final VmControl vm;

    public DebugExit(VmControl vm) { this.vm = Objects.requireNonNull(vm, "vm"); }

    /** The process exit status QEMU produces for a written value (C int truncation included). */
    public static int status(long value) { return (int) ((value << 1) | 1); }

    @Override public long read(long offset, int size) { return 0; }

    @Override
    public void write(long offset, int size, long value) {
        if (size < 1 || size > 4) return;
        vm.exit(status(value), String.format("isa-debug-exit: guest wrote 0x%x", value));
    }
}
