package dev.vmscope.devices.pci;

/**
 * A type-0 PCI configuration header plus device-specific space (PCI Local Bus Specification 3.0, 6.1-6.2;
 * QEMU hw/pci/pci.c for the default write masks). Each byte has a write mask: guest writes change only
 * masked bits. BARs follow the sizing protocol (spec 6.2.5.1): the address bits below the BAR's size
 * are hard-wired to zero and the type bits read-only, so writing all ones reads back the size mask.
 * Only 32-bit BARs are supported; there is no expansion ROM (0x30 reads 0).
 */
public final class PciConfigSpace {
    public static final int SIZE = 256;
    public static final long UNMAPPED = -1;
    // Header offsets (spec figure 6-1).
    public static final int VENDOR = 0x00, DEVICE = 0x02, COMMAND = 0x04, STATUS = 0x06, REVISION = 0x08,
            CLASS_PROG = 0x09, CACHE_LINE = 0x0c, LATENCY = 0x0d, HEADER_TYPE = 0x0e, BAR0 = 0x10,
            SUBSYS_VENDOR = 0x2c, SUBSYS_ID = 0x2e, INTERRUPT_LINE = 0x3c, INTERRUPT_PIN = 0x3d,
            DEVICE_SPECIFIC = 0x40;
    public static final int BAR_COUNT = 6;
    // Command bits (spec 6.2.2).
    public static final int CMD_IO = 0x1, CMD_MEMORY = 0x2, CMD_MASTER = 0x4, CMD_PARITY = 0x40, CMD_SERR = 0x100,
            CMD_INTX_DISABLE = 0x400;
    static final int BAR_IO = 0x1;
    /** QEMU's default subsystem IDs for devices that set none (pci_set_default_subsystem_id). */
    static final int SUBSYS_VENDOR_QEMU = 0x1af4, SUBSYS_ID_QEMU = 0x1100;

    private final byte[] data = new byte[SIZE];
    private final byte[] wmask = new byte[SIZE];
    private final long[] barSize = new long[BAR_COUNT];
    private final boolean[] barIo = new boolean[BAR_COUNT];

    /**
     * @param classCode 24-bit class code: base class << 16 | subclass << 8 | programming interface
     * @param headerType 0x00, or 0x80 for a multi-function device's function 0
     */
    public PciConfigSpace(int vendor, int device, int revision, int classCode, int headerType) {
        setWord(VENDOR, vendor);
        setWord(DEVICE, device);
        setByte(REVISION, revision);
        setByte(CLASS_PROG, classCode);
        setWord(CLASS_PROG + 1, classCode >>> 8);
        setByte(HEADER_TYPE, headerType);
        setWord(SUBSYS_VENDOR, SUBSYS_VENDOR_QEMU);
        setWord(SUBSYS_ID, SUBSYS_ID_QEMU);
        // Default write masks (pci.c pci_init_wmask): command decode bits, cache line, latency,
        // interrupt line, and the whole device-specific area.
        setWritable(COMMAND, 2, CMD_IO | CMD_MEMORY | CMD_MASTER | CMD_PARITY | CMD_SERR | CMD_INTX_DISABLE);
        setWritable(CACHE_LINE, 1, 0xff);
        setWritable(LATENCY, 1, 0xff);
        setWritable(INTERRUPT_LINE, 1, 0xff);
        for (int i = DEVICE_SPECIFIC; i < SIZE; i++) wmask[i] = (byte) 0xff;
    }

    public synchronized void setByte(int off, int v) { data[off] = (byte) v; }

    public synchronized void setWord(int off, int v) { setByte(off, v); setByte(off + 1, v >>> 8); }

    public synchronized void setDword(int off, int v) { setWord(off, v); setWord(off + 2, v >>> 16); }

    /** Sets the write mask of {@code len} (1, 2 or 4) bytes at {@code off} to {@code mask}. */
    public synchronized void setWritable(int off, int len, int mask) {
        for (int i = 0; i < len; i++) wmask[off + i] = (byte) (mask >>> (8 * i));
    }

    /**
     * Declares BAR {@code index} with a power-of-two {@code size} (memory >= 16 bytes, I/O >= 4 bytes),
     * 32-bit and non-prefetchable.
     */
    public synchronized void defineBar(int index, long size, boolean io) {
        if (index < 0 || index >= BAR_COUNT || Long.bitCount(size) != 1 || size < (io ? 4 : 16) || size > 1L << 31)
            throw new IllegalArgumentException("bad BAR " + index + " size 0x" + Long.toHexString(size));
        barSize[index] = size;
        barIo[index] = io;
        setDword(BAR0 + 4 * index, io ? BAR_IO : 0);
        setWritable(BAR0 + 4 * index, 4, (int) ~(size - 1) & (io ? ~0x3 : ~0xf));
    }

    public synchronized int readByte(int off) { return data[off & 0xff] & 0xff; }

    /** Little-endian read of 1, 2 or 4 bytes; bytes past 0xff read as ones. */
    public synchronized int read(int off, int size) {
        int v = 0;
        for (int i = 0; i < size; i++) v |= (off + i < SIZE ? data[off + i] & 0xff : 0xff) << (8 * i);
        return v;
    }

    /** Masked write of 1, 2 or 4 bytes; bytes past 0xff are dropped. */
    public synchronized void write(int off, int size, int value) {
        for (int i = 0; i < size && off + i < SIZE; i++) {
            int m = wmask[off + i] & 0xff;
            data[off + i] = (byte) ((data[off + i] & ~m) | ((value >>> (8 * i)) & m));
        }
    }

    public synchronized long barSize(int index) { return barSize[index]; }

    public synchronized boolean barIsIo(int index) { return barIo[index]; }

    /**
     * Where BAR {@code index} currently decodes, or {@link #UNMAPPED}: decode disabled in COMMAND, the BAR
     * zero, a memory range reaching 4 GiB - 1 (which is what a BAR mid-sizing looks like, QEMU
     * pci_bar_address), or an I/O range beyond the 64 KiB port space.
     */
    public synchronized long barAddress(int index) {
        long size = barSize[index];
        if (size == 0) return UNMAPPED;
        int cmd = read(COMMAND, 2);
        long raw = Integer.toUnsignedLong(read(BAR0 + 4 * index, 4));
        long addr = raw & ~(size - 1) & (barIo[index] ? ~0x3L : ~0xfL);
        long last = addr + size - 1;
        boolean enabled = (cmd & (barIo[index] ? CMD_IO : CMD_MEMORY)) != 0;
        boolean fits = barIo[index] ? last <= 0xffffL : last < 0xffffffffL;
        if (!enabled || addr == 0 || !fits) return UNMAPPED;
        return addr;
    }
}
