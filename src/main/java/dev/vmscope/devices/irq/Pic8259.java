package dev.vmscope.devices.irq;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.IrqLine;

/**
 * The cascaded 8259A pair of a PC: master at ports 0x20/0x21, slave at 0xa0/0xa1 on master IRQ 2, ELCR at
 * 0x4d0/0x4d1. The master's INT output drives an {@link IrqLine} (wire it to the BSP's
 * {@code LocalApic.lint(0)}), and {@link #acknowledge()} is the INTA cycle for ExtINT delivery.
 * Register {@link #master()} at BusRange(0x20, 2), {@link #slave()} at BusRange(0xa0, 2) and
 * {@link #elcr()} at BusRange(0x4d0, 2). Lock order: Pic8259 before IoApic and LocalApic.
 */
public final class Pic8259 implements ExtIntSource {
    private final PicChip master = new PicChip(true), slave = new PicChip(false);
    private volatile IrqLine output = IrqLine.NONE;
    private boolean outputLevel;
    private long acks, spurious;

    public Pic8259() { }

    /** Connects INT to the BSP's LINT0 and registers as its ExtINT source. */
    public void connect(LocalApic bsp) {
        bsp.connectExtInt(this);
        setOutput(bsp.lint(0));
    }

    public synchronized void setOutput(IrqLine line) {
        this.output = line;
        line.set(outputLevel);
    }

    /** Machine reset: both chips and the ELCRs back to power-on state. */
    public synchronized void reset() {
        master.reset();
        slave.reset();
        master.elcr = slave.elcr = 0;
        update();
    }

    /** ISA IRQ 0..15 input; others are ignored. */
    public synchronized void setIrq(int irq, boolean level) {
        if (irq < 0 || irq > 15 || irq == 2) return;   // master IRQ 2 is the cascade input
        (irq < 8 ? master : slave).setInput(irq & 7, level);
        update();
    }

    /** Re-evaluates the slave's cascade output into master IRQ 2, then the master's INT. */
    private void update() {
        master.setCascade(slave.pending() >= 0);
        boolean level = master.pending() >= 0;
        if (level != outputLevel) {
            outputLevel = level;
            output.set(level);
        }
    }

    @Override public synchronized boolean hasInterrupt() { return master.pending() >= 0; }

    /** INTA: the vector of the highest-priority request; IRQ 7 (or 15) of the chip when spurious. */
    @Override public synchronized int acknowledge() {
        acks++;
        int irq = master.pending();
        int vector;
        if (irq < 0) {
            spurious++;
            vector = master.irqBase + 7;
        } else {
            if (irq == 2) {
                int irq2 = slave.pending();
                if (irq2 >= 0) slave.ack(irq2);
                else { irq2 = 7; spurious++; }
                vector = slave.irqBase + irq2;
            } else {
                vector = master.irqBase + irq;
            }
            master.ack(irq);
        }
        update();
        return vector & 0xff;
    }

    public BusDevice master() { return chipPorts(master); }

    public BusDevice slave() { return chipPorts(slave); }

    private BusDevice chipPorts(PicChip chip) {
        return new BusDevice() {
            @Override public long read(long offset, int size) {
                synchronized (Pic8259.this) {
                    if (chip.poll) {
                        int v = chip.pollRead();
                        update();
                        return v;
                    }
                    return offset == 0 ? chip.readCommand() : offset == 1 ? chip.imr : 0xff;
                }
            }

            @Override public void write(long offset, int size, long value) {
                synchronized (Pic8259.this) {
                    if (offset == 0) chip.writeCommand((int) value & 0xff);
                    else if (offset == 1) chip.writeData((int) value & 0xff);
                    else return;
                    update();
                }
            }
        };
    }

    /** Edge/Level Control Registers (PIIX ELCR1 at 0x4d0 for IRQ 0-7, ELCR2 at 0x4d1 for IRQ 8-15). */
    public BusDevice elcr() {
        return new BusDevice() {
            @Override public long read(long offset, int size) {
                synchronized (Pic8259.this) {
                    long v = 0;
                    for (int i = 0; i < size && offset >= 0 && offset + i < 2; i++)
                        v |= (long) (offset + i == 0 ? master.elcr : slave.elcr) << (8 * i);
                    return v;
                }
            }

            @Override public void write(long offset, int size, long value) {
                synchronized (Pic8259.this) {
                    for (int i = 0; i < size && offset >= 0 && offset + i < 2; i++) {
                        PicChip c = offset + i == 0 ? master : slave;
                        c.elcr = (int) (value >>> (8 * i)) & c.elcrMask;
                    }
                    update();
                }
            }
        };
    }

    public synchronized int imr(boolean ofSlave) { return (ofSlave ? slave : master).imr; }

    public synchronized String describe() {
        return master.describe("pic master") + slave.describe("pic slave ")
                + String.format("  int=%b acks=%d spurious=%d%n", outputLevel, acks, spurious);
    }
}
