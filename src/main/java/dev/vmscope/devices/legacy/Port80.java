package dev.vmscope.devices.legacy;

import dev.vmscope.bus.BusDevice;

/**
 * The POST diagnostic port 0x80 (length 1). Firmware writes progress codes here and Linux uses it as an
 * I/O delay (outb_p). We keep the last code and count writes. Reads return 0xff like QEMU's ioport80
 * (hw/i386/pc.c, ioport80_read).
 */
public final class Port80 implements BusDevice {

    private volatile int last = -1;
    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

    @Override public long read(long offset, int size) { return dev.vmscope.bus.Bus.ones(size); }

    @Override
    public void write(long offset, int size, long value) {
        last = (int) (value & 0xff);
        writes.incrementAndGet();
    }

    /** The last POST code written, or -1 if none. */
    public int lastCode() { return last; }

    public long writes() { return writes.get(); }
}
