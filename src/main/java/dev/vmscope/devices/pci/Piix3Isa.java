package dev.vmscope.devices.pci;

/**
 * Identity of the PIIX3 PCI-to-ISA bridge at 00:01.0 (8086:7000, class 0601 ISA bridge, multi-function
 * header), with the reset values QEMU's piix3 reset gives its registers (hw/isa/piix.c). Firmware writes
 * the PIRQ route control registers 0x60..0x63 (Intel 82371SB datasheet 4.1.10: bit 7 = routing
 * disabled, bits 3:0 = ISA IRQ); {@link #pirqRoute(int)} tells the machine where PCI INTA..INTD go.
 */
public final class Piix3Isa implements PciDevice {
    public static final int VENDOR_INTEL = 0x8086, DEVICE_ID = 0x7000;
    public static final int CLASS_ISA_BRIDGE = 0x060100;
    static final int PIRQRC = 0x60, PIRQ_DISABLED = 0x80;
    /** Register reset values {offset, value} from QEMU piix3 reset. */
    private static final int[][] RESET = {
        {0x04, 0x07}, {0x07, 0x02}, {0x4c, 0x4d}, {0x4e, 0x03}, {0x60, 0x80}, {0x61, 0x80}, {0x62, 0x80},
        {0x63, 0x80}, {0x69, 0x02}, {0x70, 0x80}, {0x76, 0x0c}, {0x77, 0x0c}, {0x78, 0x02}, {0xa0, 0x08},
        {0xa8, 0x0f},
    };

    private final PciConfigSpace config = new PciConfigSpace(VENDOR_INTEL, DEVICE_ID, 0x00, CLASS_ISA_BRIDGE, 0x80);

    public Piix3Isa() {
        for (int[] r : RESET) config.setByte(r[0], r[1]);
    }

    @Override public PciConfigSpace config() { return config; }

    /** ISA IRQ that PCI interrupt pin {@code pirq} (0 = INTA .. 3 = INTD) is routed to, or -1. */
    public int pirqRoute(int pirq) {
        int v = config.readByte(PIRQRC + (pirq & 3));
        return (v & PIRQ_DISABLED) != 0 ? -1 : v & 0x0f;
    }
}
