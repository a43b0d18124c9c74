package dev.vmscope.devices.legacy;

import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * QEMU firmware configuration device, x86 I/O-port flavour (hw/nvram/fw_cfg.c, fw_cfg_io; item keys and
 * structures from include/standard-headers/linux/qemu_fw_cfg.h; guest side in docs/specs/fw_cfg.rst).
 *
 * <p>Register ONE range: 0x510 on a PC, length {@link #IO_LENGTH} 12 (0x510..0x51b). Offsets:
 * 0 = selector (16-bit write) and data (8-bit read; QEMU's "comb" region 0x510-0x511 treats any byte
 * read as a data read and a 16-bit write as a select; other widths there read 0 and write nothing);
 * 2..3 unused (all ones); 4..11 = DMA address
 * register (QEMU FW_CFG_DMA_IO_BASE 0x514), big-endian: a 32-bit write at 4 sets the high half, a 32-bit
 * write at 8 sets the low half and starts the transfer, a 64-bit write at 4 does both. Reading it yields
 * the "QEMU CFG" DMA signature. Writes through the data port are ignored (QEMU >= 2.4).
 */
public final class FwCfg implements BusDevice {
    public static final int IO_LENGTH = 12;
    static final int OFF_DMA = 4;

    // Item keys (qemu_fw_cfg.h).
    public static final int SIGNATURE = 0x00, ID = 0x01, UUID = 0x02, RAM_SIZE = 0x03, NOGRAPHIC = 0x04,
            NB_CPUS = 0x05, MACHINE_ID = 0x06, KERNEL_ADDR = 0x07, KERNEL_SIZE = 0x08, KERNEL_CMDLINE = 0x09,
            INITRD_ADDR = 0x0a, INITRD_SIZE = 0x0b, BOOT_DEVICE = 0x0c, NUMA = 0x0d, BOOT_MENU = 0x0e,
            MAX_CPUS = 0x0f, KERNEL_ENTRY = 0x10, KERNEL_DATA = 0x11, INITRD_DATA = 0x12, CMDLINE_ADDR = 0x13,
            CMDLINE_SIZE = 0x14, CMDLINE_DATA = 0x15, SETUP_ADDR = 0x16, SETUP_SIZE = 0x17, SETUP_DATA = 0x18,
            FILE_DIR = 0x19, FILE_FIRST = 0x20;
    /** Key bits: 0x4000 write channel (ignored on select), 0x8000 arch-local items, 0x3fff the index. */
    static final int WRITE_CHANNEL = 0x4000, ARCH_LOCAL = 0x8000, ENTRY_MASK = 0x3fff;
    /** ID bits: traditional interface, DMA interface (FW_CFG_VERSION, FW_CFG_VERSION_DMA). */
    public static final int ID_TRADITIONAL = 0x1, ID_DMA = 0x2;
    /** File directory entry name length including NUL (FW_CFG_MAX_FILE_PATH). */
    public static final int MAX_FILE_PATH = 56;
    /** File slots; QEMU's default fw_cfg "file_slots" is 0x20, we allow more for ACPI/SMBIOS blobs. */
    public static final int FILE_SLOTS = 0x100;
    static final int INVALID = -1;
    /** "QEMU CFG", the value read from the DMA register (FW_CFG_DMA_SIGNATURE). */
    static final byte[] DMA_SIGNATURE = "QEMU CFG".getBytes(StandardCharsets.US_ASCII);

    /** One e820 map entry as QEMU's "etc/e820" file holds it (struct e820_entry, little-endian, packed). */
    public record E820Entry(long address, long length, int type) {
        public static final int RAM = 1, RESERVED = 2, ACPI = 3, NVS = 4;
        static final int BYTES = 20;
    }

    private final Map<Integer, byte[]> items = new HashMap<>();
    private final TreeMap<String, Integer> files = new TreeMap<>(); // name -> key, directory sorted by name
    private final FwCfgDma dma;
    private int current = INVALID;
    private int offset;
    private long dmaAddress;

    /**
     * @param memory guest RAM for DMA transfers
     * @param ramSize total guest RAM in bytes (FW_CFG_RAM_SIZE)
     * @param cpus boot CPUs (NB_CPUS and MAX_CPUS)
     */
    public FwCfg(GuestMemory memory, long ramSize, int cpus) {
        this.dma = new FwCfgDma(this, Objects.requireNonNull(memory, "memory"));
        setItem(SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        setItem(ID, le(ID_TRADITIONAL | ID_DMA, 4));
        setItem(UUID, new byte[16]);
        setItem(RAM_SIZE, le(ramSize, 8));
        setItem(NOGRAPHIC, le(0, 2));
        setItem(BOOT_MENU, le(0, 2));
        setItem(NB_CPUS, le(cpus, 2));
        setItem(MAX_CPUS, le(cpus, 2));
        rebuildDirectory();
    }

    /** {@code value} as {@code n} little-endian bytes (fw_cfg integers are little-endian, fw_cfg_add_i16/i32/i64). */
    public static byte[] le(long value, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (value >>> (8 * i));
        return b;
    }

    private static int normalize(int key) { return key & (ARCH_LOCAL | ENTRY_MASK); }

    private static boolean inRange(int key) { return (key & ENTRY_MASK) < FILE_FIRST + FILE_SLOTS; }

    /** Sets item {@code key} (a fixed key below 0x20, an arch-local 0x8000+ key, or an existing file's). */
    public synchronized void setItem(int key, byte[] data) {
        if (key < 0 || key > 0xffff || !inRange(key) || key == FILE_DIR)
            throw new IllegalArgumentException("bad fw_cfg key 0x" + Integer.toHexString(key));
        items.put(normalize(key), data.clone());
    }

    /** Adds (or replaces) a named file and returns its selector (0x20 upwards, in order of addition). */
    public synchronized int addFile(String name, byte[] data) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length == 0 || n.length >= MAX_FILE_PATH)
            throw new IllegalArgumentException("fw_cfg file name must be 1.." + (MAX_FILE_PATH - 1) + " bytes: " + name);
        Integer key = files.get(name);
        if (key == null) {
            if (files.size() >= FILE_SLOTS) throw new IllegalStateException("fw_cfg file slots exhausted at " + name);
            key = FILE_FIRST + files.size();
            files.put(name, key);
        }
        items.put(key, data.clone());
        rebuildDirectory();
        return key;
    }

    /** Selector of a file, or -1. */
    public synchronized int fileSelector(String name) { return files.getOrDefault(name, -1); }

    /** FILE_DIR: be32 count, then per file {be32 size, be16 select, be16 reserved, char name[56]}. */
    private void rebuildDirectory() {
        ByteBuffer b = ByteBuffer.allocate(4 + files.size() * (8 + MAX_FILE_PATH)).order(ByteOrder.BIG_ENDIAN);
        b.putInt(files.size());
        files.forEach((name, key) -> {
            b.putInt(items.get(key).length).putShort((short) (int) key).putShort((short) 0);
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            b.put(n).put(new byte[MAX_FILE_PATH - n.length]);
        });
        items.put(FILE_DIR, b.array());
    }

    /** Linux boot protocol items as QEMU's x86_load_linux provides them for the option ROM. */
    public void setKernel(long loadAddr, byte[] kernel) { setBlob(KERNEL_ADDR, KERNEL_SIZE, KERNEL_DATA, loadAddr, kernel); }

    public void setSetup(long loadAddr, byte[] setup) { setBlob(SETUP_ADDR, SETUP_SIZE, SETUP_DATA, loadAddr, setup); }

    public void setInitrd(long loadAddr, byte[] initrd) { setBlob(INITRD_ADDR, INITRD_SIZE, INITRD_DATA, loadAddr, initrd); }

    /** The command line, NUL-terminated; CMDLINE_SIZE counts the NUL as QEMU does. */
    public void setCmdline(long loadAddr, String cmdline) {
        byte[] s = cmdline.getBytes(StandardCharsets.UTF_8);
        setBlob(CMDLINE_ADDR, CMDLINE_SIZE, CMDLINE_DATA, loadAddr, java.util.Arrays.copyOf(s, s.length + 1));
    }

    private synchronized void setBlob(int addrKey, int sizeKey, int dataKey, long addr, byte[] data) {
        setItem(addrKey, le(addr, 4));
        setItem(sizeKey, le(data.length, 4));
        setItem(dataKey, data);
    }

    public void setUuid(java.util.UUID uuid) {
        setItem(UUID, ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array());
    }

    /** Publishes the memory map as file "etc/e820" (what SeaBIOS and OVMF read). */
    public int setE820(List<E820Entry> map) {
        ByteBuffer b = ByteBuffer.allocate(map.size() * E820Entry.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (E820Entry e : map) b.putLong(e.address()).putLong(e.length()).putInt(e.type());
        return addFile("etc/e820", b.array());
    }

    // ---- state shared with the DMA engine ----

    /** Selects {@code key}: offset back to 0; out-of-range keys select nothing (fw_cfg_select). */
    synchronized void select(int key) {
        offset = 0;
        current = inRange(key) ? normalize(key) : INVALID;
    }

    /** The selected item's bytes, or null when nothing (or an absent key) is selected. */
    synchronized byte[] currentItem() { return current == INVALID ? null : items.get(current); }

    synchronized int offset() { return offset; }

    synchronized void advance(int n) { offset += n; }

    // ---- bus interface ----

    @Override
    public synchronized long read(long off, int size) {
        if (off == 0 || off == 1) {
            if (size != 1) return 0;
            byte[] item = currentItem();
            if (item == null || offset >= item.length) return 0; // past the end reads 0
            return item[offset++] & 0xff;
        }
        if (off >= OFF_DMA && off < IO_LENGTH && size >= 1 && size <= 8 && off - OFF_DMA + size <= 8) {
            long v = 0; // the signature in memory order, so an x86 load sees its bytes in sequence
            for (int i = 0; i < size; i++) v |= (long) (DMA_SIGNATURE[(int) (off - OFF_DMA) + i] & 0xff) << (8 * i);
            return v;
        }
        return Bus.ones(size);
    }

    @Override
    public synchronized void write(long off, int size, long value) {
        if ((off == 0 || off == 1) && size == 2) {
            select((int) (value & 0xffff));
        } else if (off == OFF_DMA && size == 4) {
            // The register is big-endian: the guest's little-endian store holds the bytes swapped.
            dmaAddress = (long) Integer.reverseBytes((int) value) << 32;
        } else if (off == OFF_DMA + 4 && size == 4) {
            startDma(dmaAddress | Integer.toUnsignedLong(Integer.reverseBytes((int) value)));
        } else if (off == OFF_DMA && size == 8) {
            startDma(Long.reverseBytes(value));
        }
    }

    private void startDma(long descriptor) {
        dmaAddress = 0; // QEMU clears the register once a transfer starts
        dma.run(descriptor);
    }

    /** DMA transfers that ended with the error bit set. */
    public synchronized long dmaErrors() { return dma.errors(); }

    /** Parses a FILE_DIR blob back into name -> selector (for tests and tools). */
    public static Map<String, Integer> parseDirectory(byte[] dir) {
        ByteBuffer b = ByteBuffer.wrap(dir).order(ByteOrder.BIG_ENDIAN);
        int count = b.getInt();
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            b.getInt();
            int select = Short.toUnsignedInt(b.getShort());
            b.getShort();
            byte[] n = new byte[MAX_FILE_PATH];
            b.get(n);
            int len = 0;
            while (len < n.length && n[len] != 0) len++;
            String name = new String(n, 0, len, StandardCharsets.UTF_8);
            out.put(name, select);
        }
        return out;
    }
}
