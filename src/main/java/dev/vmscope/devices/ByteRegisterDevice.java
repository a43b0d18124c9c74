package dev.vmscope.devices;

import dev.vmscope.bus.BusDevice;

/**
 * A register file that is only defined byte by byte. QEMU declares such devices with
 * {@code impl.max_access_size = 1}, and its memory core splits a wider access into byte accesses at
 * ascending offsets, assembling the value little-endian (softmmu/memory.c, access_with_adjusted_size).
 * Subclasses see one byte at a time and inherit that behaviour, including its side effects (a 16-bit read
 * of a UART's RBR also reads IER). Accesses are serialised per device, since vCPUs and host input threads
 * may touch it concurrently.
 */
public abstract class ByteRegisterDevice implements BusDevice {
    /** The byte at {@code offset}, 0..255. Must tolerate any offset. */
    protected abstract int readByte(long offset);

    /** Stores {@code value} (0..255) at {@code offset}. Must tolerate any offset. */
    protected abstract void writeByte(long offset, int value);

    /** Number of bytes a bus access of {@code size} touches: sizes outside 1..8 are clamped. */
    public static int accessBytes(int size) { return Math.clamp(size, 0, 8); }

    @Override
    public final synchronized long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < accessBytes(size); i++) v |= (long) (readByte(offset + i) & 0xff) << (8 * i);
        return v;
    }

    @Override
    public final synchronized void write(long offset, int size, long value) {
        for (int i = 0; i < accessBytes(size); i++) writeByte(offset + i, (int) (value >>> (8 * i)) & 0xff);
    }
}
