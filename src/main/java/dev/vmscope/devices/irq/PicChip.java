package dev.vmscope.devices.irq;

/**
 * One 8259A (Intel 8259A datasheet: ICW1-ICW4, OCW1-OCW3, fully nested and rotating priority, special mask,
 * poll, auto-EOI). The register logic follows the datasheet; the edge/level input model with ELCR is the
 * PIIX one that QEMU's hw/intc/i8259.c also implements. Guarded by the owning {@link Pic8259}'s lock.
 */
final class PicChip {
    final boolean master;
    final int elcrMask;
    int irr, imr, isr, lastIrr, elcr;
    int priorityAdd, irqBase;
    boolean readIsr, poll, specialMask, autoEoi, rotateOnAutoEoi, specialFullyNested, icw4Needed, single;
    int initState;   // 0 ready, 1 expect ICW2, 2 expect ICW3, 3 expect ICW4

    /** ELCR: IRQ 0, 1, 2 and 8, 13 are always edge on PIIX (ports 0x4d0/0x4d1). */
    PicChip(boolean master) {
        this.master = master;
        this.elcrMask = master ? 0xf8 : 0xde;
    }

    void reset() {
        irr = imr = isr = lastIrr = priorityAdd = irqBase = initState = 0;
        readIsr = poll = specialMask = autoEoi = rotateOnAutoEoi = specialFullyNested = icw4Needed = single = false;
    }

    /** The master's IR2 follows the slave's INT as a level, so a request the slave withdraws before INTA
     *  does not leave a stale cascade request behind. */
    void setCascade(boolean level) {
        if (level) irr |= 1 << 2; else irr &= ~(1 << 2);
    }

    /** An input line change; edge inputs latch IRR on the rising edge only. */
    void setInput(int irq, boolean level) {
        int mask = 1 << irq;
        if ((elcr & mask) != 0) {
            if (level) { irr |= mask; lastIrr |= mask; } else { irr &= ~mask; lastIrr &= ~mask; }
        } else if (level) {
            if ((lastIrr & mask) == 0) irr |= mask;
            lastIrr |= mask;
        } else {
            lastIrr &= ~mask;
        }
    }

    /** Priority rank of the best bit in {@code mask} (0 highest), 8 when empty. */
    private int priority(int mask) {
        if ((mask & 0xff) == 0) return 8;
        int p = 0;
        while ((mask & 1 << ((p + priorityAdd) & 7)) == 0) p++;
        return p;
    }

    /** The IRQ the chip would raise INT for now, or -1. */
    int pending() {
        int p = priority(irr & ~imr);
        if (p == 8) return -1;
        int inService = isr;
        if (specialMask) inService &= ~imr;                       // special mask mode (OCW3 SMM)
        if (specialFullyNested && master) inService &= ~(1 << 2); // SFNM: the slave may nest on itself
        return p < priority(inService) ? (p + priorityAdd) & 7 : -1;
    }

    /** INTA for {@code irq}: set ISR (unless auto-EOI) and clear an edge request. */
    void ack(int irq) {
        if (autoEoi) {
            if (rotateOnAutoEoi) priorityAdd = (irq + 1) & 7;
        } else {
            isr |= 1 << irq;
        }
        if ((elcr & 1 << irq) == 0) irr &= ~(1 << irq);
    }

    void writeCommand(int v) {
        if ((v & 0x10) != 0) {   // ICW1: D4 set. D0 IC4, D1 SNGL, D3 LTIM (level mode, handled via ELCR)
            int levelRequests = irr & elcr;   // level inputs still asserted stay requested (QEMU does the same)
            reset();
            irr = levelRequests;
            initState = 1;
            icw4Needed = (v & 1) != 0;
            single = (v & 2) != 0;
        } else if ((v & 0x08) != 0) {   // OCW3: D3 set. D2 poll, D1 RR/D0 RIS read select, D6 ESMM/D5 SMM
            if ((v & 0x04) != 0) poll = true;
            if ((v & 0x02) != 0) readIsr = (v & 1) != 0;
            if ((v & 0x40) != 0) specialMask = (v & 0x20) != 0;
        } else {   // OCW2: D7 R, D6 SL, D5 EOI; D2-D0 level
            int cmd = v >>> 5;
            switch (cmd) {
                case 0, 4 -> rotateOnAutoEoi = cmd == 4;          // clear / set rotate in auto-EOI
                case 1, 5 -> {                                     // non-specific EOI (with rotation)
                    int p = priority(isr);
                    if (p != 8) {
                        int irq = (p + priorityAdd) & 7;
                        isr &= ~(1 << irq);
                        if (cmd == 5) priorityAdd = (irq + 1) & 7;
                    }
                }
                case 3 -> isr &= ~(1 << (v & 7));                  // specific EOI
                case 6 -> priorityAdd = (v + 1) & 7;               // set priority: level v is lowest
                case 7 -> { isr &= ~(1 << (v & 7)); priorityAdd = (v + 1) & 7; }   // rotate on specific EOI
                default -> { }                                     // 2: no operation
            }
        }
    }

    void writeData(int v) {
        switch (initState) {
            case 1 -> { irqBase = v & 0xf8; initState = single ? (icw4Needed ? 3 : 0) : 2; }   // ICW2
            case 2 -> initState = icw4Needed ? 3 : 0;                                            // ICW3
            case 3 -> {                                                                           // ICW4
                specialFullyNested = (v & 0x10) != 0;
                autoEoi = (v & 0x02) != 0;
                initState = 0;
            }
            default -> imr = v & 0xff;                                                            // OCW1
        }
    }

    /** Poll command read (OCW3 P): acknowledges the best request, returns 0x80 | level, or 0. */
    int pollRead() {
        poll = false;
        int irq = pending();
        if (irq < 0) return 0;
        ack(irq);
        return 0x80 | irq;
    }

    int readCommand() { return readIsr ? isr : irr; }

    String describe(String name) {
        return String.format("%s: irr=0x%02x imr=0x%02x isr=0x%02x elcr=0x%02x base=0x%02x prio+%d%s%s%s%s%n", name, irr,
                imr, isr, elcr, irqBase, priorityAdd, autoEoi ? " auto-eoi" : "", specialMask ? " special-mask" : "",
                specialFullyNested ? " sfnm" : "", initState != 0 ? " init-state=" + initState : "");
    }
}
