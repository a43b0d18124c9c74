package dev.vmscope.devices.irq;

/**
 * Receives the EOI broadcast a local APIC sends when the guest EOIs a level-triggered vector (SDM vol. 3
 * section 11.8.5; the IOAPIC clears Remote IRR of entries with that vector). Called with no LAPIC lock held.
 */
public interface EoiListener {
    void eoi(int vector);
}
