package dev.vmscope.devices.pci;

/**
 * Identity of the Intel 440FX host bridge at 00:00.0 (8086:1237 rev 02, class 0600 host bridge), the
 * north bridge SeaBIOS and Linux expect on QEMU's "pc" machine (QEMU hw/pci-host/i440fx.c). SMRAM (0x72)
 * resets to 0x02 as in QEMU and is plain storage.
 *
 * <p>The PAM registers 0x59-0x5f (Intel 82441FX PMC datasheet, 3.2.18 "PAM - Programmable Attribute Map
 * Registers") decide whether reads and writes in 0xc0000-0xfffff reach DRAM or the PCI/ROM side. Each
 * register holds two 2-bit fields (bit 0 RE: reads from DRAM, bit 1 WE: writes to DRAM): PAM0 bits 5:4 cover
 * 0xf0000-0xfffff (its low nibble is reserved); PAMn (n = 1..6) covers 0xc0000 + (n - 1) * 32 KiB, the low
 * nibble its first 16 KiB and the high nibble the second. A listener hears every change so the machine can
 * remap memory (QEMU hw/pci-host/pam.c does the same with memory regions).
 */
public final class I440fxHost implements PciDevice {
    public static final int VENDOR_INTEL = 0x8086, DEVICE_ID = 0x1237, REVISION = 0x02;
    public static final int CLASS_HOST_BRIDGE = 0x060000;
    static final int SMRAM = 0x72, SMRAM_DEFAULT = 0x02;
    public static final int PAM0 = 0x59, PAM_REGISTERS = 7;
    /** PAM field bits. */
    public static final int PAM_RE = 1, PAM_WE = 2;
    public static final long PAM_START = 0xc0000, PAM_END = 0x100000, PAM_SEGMENT = 0x4000, PAM_F_SEGMENT = 0xf0000;

    private final PciConfigSpace config = new PciConfigSpace(VENDOR_INTEL, DEVICE_ID, REVISION, CLASS_HOST_BRIDGE, 0x00);
    private volatile Runnable pamListener = () -> { };

    public I440fxHost() { config.setByte(SMRAM, SMRAM_DEFAULT); }

    @Override public PciConfigSpace config() { return config; }

    /** Called (on the writing vCPU's thread, under the host bridge lock) after any write touching 0x59-0x5f. */
    public void setPamListener(Runnable l) { pamListener = l; }

    @Override public void configWrite(int offset, int size, int value) {
        config.write(offset, size, value);
        if (offset < PAM0 + PAM_REGISTERS && offset + size > PAM0) pamListener.run();
    }

    /** The PAM field (PAM_RE | PAM_WE bits) governing {@code addr}, or 0 outside 0xc0000-0xfffff. */
    public int pamAttribute(long addr) {
        if (addr < PAM_START || addr >= PAM_END) return 0;
        if (addr >= PAM_F_SEGMENT) return config.readByte(PAM0) >>> 4 & 3;
        long rel = addr - PAM_START;
        int reg = config.readByte(PAM0 + 1 + (int) (rel / 0x8000));
        return (rel % 0x8000 < PAM_SEGMENT ? reg : reg >>> 4) & 3;
    }
}
