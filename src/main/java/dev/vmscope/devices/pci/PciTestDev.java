package dev.vmscope.devices.pci;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.ByteRegisterDevice;
import java.nio.charset.StandardCharsets;

/**
 * QEMU's pci-testdev (hw/misc/pci-testdev.c), used by kvm-unit-tests to time and check ioeventfd paths:
 * 1b36:0005 rev 0, class word 0x00ff (QEMU writes PCI_CLASS_OTHERS = 0xff into the 16-bit class field,
 * so subclass 0xff, base class 0), no interrupt pin. BAR0: 4 KiB memory, BAR1: 256 ports; register
 * {@link #mmio()} and {@link #pio()} wherever the guest puts those BARs.
 *
 * <p>Writing n to offset 0 of either BAR starts test n of that BAR's type (0 no-eventfd, 1 wildcard,
 * 2 datamatch; type mmio via BAR0 and portio via BAR1; anything else stops testing). The running test's
 * header is readable from offset 0:
 * <pre>{u8 test, u8 width, u8 pad[2], le32 offset, u8 data, u8 pad[3], le32 count, char name[]}</pre>
 * (QEMU's PCITestDevHdr: data is one byte followed by padding, not a u32). A write at the test's
 * offset (memory size + test index, or port size + test index) increments count when, for the
 * datamatching kinds, the byte equals data (0xfa; wildcard uses 0xce and matches anything). The device
 * is byte-wide (QEMU impl.max_access_size = 1), so wider accesses act byte by byte. With no eventfds in
 * vmscope every matching write is counted; kvm-unit-tests accepts a count of 0 or of all its writes.
 */
public final class PciTestDev implements PciDevice {
    public static final int VENDOR_REDHAT = 0x1b36, DEVICE_TEST = 0x0005;
    public static final int CLASS_OTHERS = 0x00ff00;
    /** Per-type window sizes; BARs are twice that (IOTEST_MEMSIZE, IOTEST_IOSIZE). */
    static final int MEM_SIZE = 2048, IO_SIZE = 128;
    static final int DATAMATCH = 0xfa, NOMATCH = 0xce;
    static final String[] TESTS = {"no-eventfd", "wildcard-eventfd", "datamatch-eventfd"};
    static final String[] TYPES = {"mmio", "portio"};
    // Header layout.
    static final int HDR_TEST = 0, HDR_WIDTH = 1, HDR_OFFSET = 4, HDR_DATA = 8, HDR_COUNT = 12, HDR_NAME = 16;

    private final PciConfigSpace config = new PciConfigSpace(VENDOR_REDHAT, DEVICE_TEST, 0, CLASS_OTHERS, 0);
    private final BusDevice mmio = new Window(0), pio = new Window(1);
    private byte[] header;   // the running test's header, null if none
    private int testOffset;  // its trigger offset
    private boolean matchData;

    public PciTestDev() {
        config.defineBar(0, 2L * MEM_SIZE, false);
        config.defineBar(1, 2L * IO_SIZE, true);
    }

    @Override public PciConfigSpace config() { return config; }

    /** BAR0 contents (register 4 KiB at the BAR0 address). */
    public BusDevice mmio() { return mmio; }

    /** BAR1 contents (register 256 ports at the BAR1 address). */
    public BusDevice pio() { return pio; }

    /** Matching writes counted by the running test, or -1 if none runs. */
    public synchronized int count() { return header == null ? -1 : le32(HDR_COUNT); }

    private int le32(int at) {
        return (header[at] & 0xff) | (header[at + 1] & 0xff) << 8 | (header[at + 2] & 0xff) << 16 | (header[at + 3] & 0xff) << 24;
    }

    private void putLe32(int at, int v) {
        for (int i = 0; i < 4; i++) header[at + i] = (byte) (v >>> (8 * i));
    }

    private void start(int type, int test) {
        header = null;
        if (test < 0 || test >= TESTS.length) return;
        int index = type * TESTS.length + test;
        byte[] name = (TYPES[type] + "-" + TESTS[test]).getBytes(StandardCharsets.US_ASCII);
        header = new byte[HDR_NAME + name.length + 1];
        matchData = test != 1; // only the wildcard test accepts any value
        testOffset = (type == 0 ? MEM_SIZE : IO_SIZE) + index;
        header[HDR_TEST] = (byte) index;
        header[HDR_WIDTH] = 1;
        putLe32(HDR_OFFSET, testOffset);
        header[HDR_DATA] = (byte) (matchData ? DATAMATCH : NOMATCH);
        System.arraycopy(name, 0, header, HDR_NAME, name.length);
    }

    private int readHeader(long addr) {
        // QEMU returns 0 when addr + size >= bufsize, so the final NUL and beyond read 0.
        if (header == null || addr < 0 || addr + 1 >= header.length) return 0;
        return header[(int) addr] & 0xff;
    }

    private void windowWrite(int type, long addr, int value) {
        if (addr == HDR_TEST) {
            start(type, value);
            return;
        }
        if (header == null || addr != testOffset) return;
        if (matchData && value != (header[HDR_DATA] & 0xff)) return;
        putLe32(HDR_COUNT, le32(HDR_COUNT) + 1);
    }

    private final class Window extends ByteRegisterDevice {
        private final int type;

        Window(int type) { this.type = type; }

        @Override protected int readByte(long offset) {
            synchronized (PciTestDev.this) { return readHeader(offset); }
        }

        @Override protected void writeByte(long offset, int value) {
            synchronized (PciTestDev.this) { windowWrite(type, offset, value); }
        }
    }
}
