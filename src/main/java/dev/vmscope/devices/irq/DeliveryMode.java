package dev.vmscope.devices.irq;

/**
 * The 3-bit delivery mode shared by the ICR, LVT entries, IOAPIC redirection entries and MSI data
 * (SDM vol. 3 section 11.6.1, ICR bits 10:8; 82093AA datasheet section 3.2.4, bits 10:8). 011 is reserved
 * everywhere; 111 is ExtINT in LVT/IOAPIC entries and reserved in the ICR.
 */
public enum DeliveryMode {
    FIXED, LOWEST_PRIORITY, SMI, RESERVED_3, NMI, INIT, STARTUP, EXTINT;

    private static final DeliveryMode[] BY_CODE = values();

    public static DeliveryMode of(int code) { return BY_CODE[code & 7]; }

    public int code() { return ordinal(); }

    /** Modes whose vector field selects an IDT entry (and so must be 16..255). */
    public boolean usesVector() { return this == FIXED || this == LOWEST_PRIORITY; }
}
