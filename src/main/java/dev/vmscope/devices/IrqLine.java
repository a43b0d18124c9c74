package dev.vmscope.devices;

/**
 * An interrupt line as a device sees it (vm-superio's Trigger): the device only says whether its line is
 * asserted. Who routes it (in-kernel irqchip via KVM_IRQ_LINE, or the Java PIC/IOAPIC) is the machine's job.
 */
public interface IrqLine {
    void set(boolean asserted);

    /** Edge-triggered devices raise and lower the line. */
    default void pulse() { set(true); set(false); }

    IrqLine NONE = asserted -> { };
}
