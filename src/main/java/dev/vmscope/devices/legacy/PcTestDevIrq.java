package dev.vmscope.devices.legacy;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.IrqLine;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * pc-testdev's IRQ-line port range 0x2000..0x2017 (length 24; QEMU hw/misc/pc-testdev.c test_irq_line):
 * a byte written at offset N sets ISA interrupt line N to (value != 0). kvm-unit-tests uses it to raise
 * and lower IOAPIC/PIC pins. Only single-byte writes are valid (QEMU valid.max_access_size = 1); reads
 * return 0. The lines come from the machine through {@code lines}, which may return null for an unwired
 * pin (the write is then ignored).
 */
public final class PcTestDevIrq implements BusDevice {
    public static final int LENGTH = 24;

    private final IntFunction<IrqLine> lines;

    public PcTestDevIrq(IntFunction<IrqLine> lines) { this.lines = Objects.requireNonNull(lines, "lines"); }

    /** Lines from a list indexed by ISA IRQ number; pins past its end are unwired. */
    public static PcTestDevIrq of(java.util.List<IrqLine> lines) {
        java.util.List<IrqLine> copy = java.util.List.copyOf(lines);
        return new PcTestDevIrq(n -> n < copy.size() ? copy.get(n) : null);
    }

    @Override public long read(long offset, int size) { return 0; }

    @Override
    public void write(long offset, int size, long value) {
        if (size != 1 || offset < 0 || offset >= LENGTH) return;
        IrqLine line = lines.apply((int) offset);
        if (line != null) line.set(value != 0);
    }
}
