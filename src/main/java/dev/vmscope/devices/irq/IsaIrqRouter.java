package dev.vmscope.devices.irq;

import dev.vmscope.devices.IrqLine;

/**
 * Fans an ISA IRQ line out to both legacy controllers, as on a PC with PIC and IOAPIC: PIC IRQ n, and
 * IOAPIC pin n except IRQ 0, which reaches pin 2 (the interrupt source override the MADT and MP table
 * publish; pin 0 is the 8259's ExtINT input). IRQ 2 is the PIC cascade and goes to neither.
 * Either controller may be null (e.g. with an in-kernel irqchip only one side exists). Holds no lock.
 */
public final class IsaIrqRouter {
    public static final int IRQS = 16;

    private final Pic8259 pic;
    private final IoApic ioapic;
    private final IrqLine[] lines = new IrqLine[IRQS];

    public IsaIrqRouter(Pic8259 pic, IoApic ioapic) {
        this.pic = pic;
        this.ioapic = ioapic;
        for (int irq = 0; irq < IRQS; irq++) {
            int n = irq;
            lines[irq] = asserted -> set(n, asserted);
        }
    }

    /** The IOAPIC input pin (GSI) of ISA IRQ {@code irq}. */
    public static int gsi(int irq) { return irq == 0 ? 2 : irq; }

    public void set(int irq, boolean asserted) {
        if (irq < 0 || irq >= IRQS || irq == 2) return;
        if (pic != null) pic.setIrq(irq, asserted);
        if (ioapic != null) ioapic.setPin(gsi(irq), asserted);
    }

    /** The line a device on ISA IRQ {@code irq} drives; IrqLine.NONE for numbers outside 0..15. */
    public IrqLine line(int irq) { return irq >= 0 && irq < IRQS ? lines[irq] : IrqLine.NONE; }
}
