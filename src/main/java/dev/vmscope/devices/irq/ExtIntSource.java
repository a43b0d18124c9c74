package dev.vmscope.devices.irq;

/** The 8259 side of an ExtINT delivery: the local APIC runs the INTA cycle through it (Pic8259). */
public interface ExtIntSource {
    /** Whether the PIC's INT output is asserted now. */
    boolean hasInterrupt();

    /** The INTA cycle: returns the vector to inject (the spurious IRQ 7/15 vector when nothing is left). */
    int acknowledge();
}
