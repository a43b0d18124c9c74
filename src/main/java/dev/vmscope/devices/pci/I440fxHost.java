package dev.vmscope.devices.pci;

/**
 * Identity of the Intel 440FX host bridge at 00:00.0 (8086:1237 rev 02, class 0600 host bridge), the
 * north bridge SeaBIOS and Linux expect on QEMU's "pc" machine (QEMU hw/pci-host/i440fx.c). PAM and SMRAM
 * registers are plain storage (the device-specific area is writable); firmware can program them but
 * memory is not remapped. SMRAM (0x72) resets to 0x02 as in QEMU.
 */
public final class I440fxHost implements PciDevice {
    public static final int VENDOR_INTEL = 0x8086, DEVICE_ID = 0x1237, REVISION = 0x02;
    public static final int CLASS_HOST_BRIDGE = 0x060000;
    static final int SMRAM = 0x72, SMRAM_DEFAULT = 0x02;

    private final PciConfigSpace config = new PciConfigSpace(VENDOR_INTEL, DEVICE_ID, REVISION, CLASS_HOST_BRIDGE, 0x00);

    public I440fxHost() { config.setByte(SMRAM, SMRAM_DEFAULT); }

    @Override public PciConfigSpace config() { return config; }
}
