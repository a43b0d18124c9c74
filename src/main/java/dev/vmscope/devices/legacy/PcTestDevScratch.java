package dev.vmscope.devices.legacy;

import dev.vmscope.bus.BusDevice;

/**
 * pc-testdev's 32-bit scratch register (QEMU hw/misc/pc-testdev.c, "pc-testdev-ioport" at 0xe0 and the
 * byte-split alias "pc-testdev-ioport-byte" at 0xe8; kvm-unit-tests uses both for string-I/O tests).
 * Register this one instance at 0xe0 length 4 and, if wanted, again at 0xe8 length 4. An access of n
 * bytes at offset o covers bits [8*(o&3), 8*(o&3)+8n) of the register; bits past 31 are dropped as in
 * QEMU's 32-bit mask arithmetic. Accesses wider than 4 bytes act as 4-byte ones.
 */
public final class PcTestDevScratch implements BusDevice {
    public static final int LENGTH = 4;

    private int data;

    private static long mask(long offset, int size) {
        int bits = 8 * Math.clamp(size, 1, 4);
        return ((1L << bits) - 1) << (8 * (offset & 3)) & 0xffffffffL;
    }

    @Override
    public synchronized long read(long offset, int size) {
        return (Integer.toUnsignedLong(data) & mask(offset, size)) >>> (8 * (offset & 3));
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        long m = mask(offset, size);
        data = (int) ((data & ~m) | (value << (8 * (offset & 3)) & m));
    }

    public synchronized int value() { return data; }
}
