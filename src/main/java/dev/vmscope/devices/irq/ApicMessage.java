package dev.vmscope.devices.irq;

/**
 * One interrupt message on the (virtual) APIC bus, as sent by an ICR write, an IOAPIC redirection entry or
 * an MSI. {@code destination} is 8 bits for xAPIC senders (IOAPIC, MSI, xAPIC ICR) and 32 bits for x2APIC
 * ICR writes ({@code x2apicDestination}).
 */
public record ApicMessage(DeliveryMode mode, int vector, boolean logical, int destination,
                          Shorthand shorthand, boolean levelTriggered, boolean x2apicDestination) {

    /** An xAPIC-format message without shorthand (IOAPIC, MSI). */
    public static ApicMessage of(DeliveryMode mode, int vector, boolean logical, int destination,
                                 boolean levelTriggered) {
        return new ApicMessage(mode, vector & 0xff, logical, destination & 0xff, Shorthand.NONE,
                levelTriggered, false);
    }

    /**
     * Decodes an MSI (SDM vol. 3 section 11.11: address 0xFEExxxxx with destination ID in bits 19:12 and
     * destination mode in bit 2; data with vector 7:0, delivery mode 10:8, trigger mode 15). Returns null
     * when the address is not in the interrupt window.
     */
    public static ApicMessage fromMsi(long address, int data) {
        if ((address >>> 20) != 0xfee) return null;
        return of(DeliveryMode.of(data >>> 8), data & 0xff, (address & 4) != 0, (int) (address >>> 12) & 0xff,
                (data & 0x8000) != 0);
    }

    /** The physical/logical broadcast destination for this message's width. */
    public boolean broadcast() {
        return x2apicDestination ? destination == -1 : (destination & 0xff) == 0xff;
    }
}
