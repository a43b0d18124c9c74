package dev.vmscope.devices.legacy;

import dev.vmscope.devices.ByteRegisterDevice;

/**
 * pc-testdev's 64 KiB of RAM-like MMIO at 0xff000000 (length 0x10000; QEMU hw/misc/pc-testdev.c
 * "pc-testdev-iomem"). It is not guest RAM, so every access exits to the VMM and goes through MMIO
 * emulation, which is what kvm-unit-tests' emulator tests want. Reads return what was written, at any
 * width and alignment, little-endian. Bytes outside the 64 KiB read as 0 and are not stored.
 */
public final class TestDevMmio extends ByteRegisterDevice {
    public static final int LENGTH = 0x10000;

    private final byte[] buf = new byte[LENGTH];

    private static boolean inside(long at) { return at >= 0 && at < LENGTH; }

    @Override protected int readByte(long at) { return inside(at) ? buf[(int) at] & 0xff : 0; }

    @Override protected void writeByte(long at, int value) { if (inside(at)) buf[(int) at] = (byte) value; }
}
