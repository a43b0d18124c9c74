package dev.vmscope.devices.irq;

import dev.vmscope.bus.BusDevice;

/**
 * The 82093AA I/O APIC (datasheet sections 3.0-3.2): indirect registers through IOREGSEL (offset 0x00) and
 * IOWIN (offset 0x10), 24 redirection entries, edge and level inputs with Remote IRR. Messages go out
 * through the {@link ApicBus}; level-triggered entries are re-armed by the local APICs' EOI broadcast.
 * Expected range: {@code new BusRange(0xfec00000, 0x20)} (the page is 4 KiB; only the first 0x20 bytes decode).
 *
 * <p>Inputs are logical levels (true = asserted), as QEMU's ioapic takes them: the polarity bit is stored
 * and reported but the board wiring has already applied it. Lock order: IoApic before LocalApic.
 */
public final class IoApic implements BusDevice, EoiListener {
    public static final int MMIO_SIZE = 0x20;
    public static final int PINS = 24;
    /** IOAPICVER: version 0x11, maximum redirection entry 23 in bits 23:16 (datasheet 3.2.2). */
    static final int VERSION = 0x11 | (PINS - 1) << 16;

    // Redirection entry bits (datasheet 3.2.4).
    private static final long POLARITY = 1 << 13, REMOTE_IRR = 1 << 14,
            LEVEL = 1 << 15, MASKED = 1 << 16;
    /** Writable: vector, delivery mode, dest mode, polarity, trigger, mask, destination 63:56. */
    private static final long WRITABLE = 0xff00_0000_0001_afffL;

    private final ApicBus bus;
    private int id;
    private int select;
    private final long[] redir = new long[PINS];
    private int irr;          // input pins currently asserted
    private long delivered;

    public IoApic(int id, ApicBus bus) {
        this.id = id & 0xf;
        this.bus = bus;
        reset();
        bus.addEoiListener(this);
    }

    public synchronized void reset() {
        java.util.Arrays.fill(redir, MASKED);
        select = 0;
        irr = 0;
    }

    public synchronized int id() { return id; }

    @Override public synchronized long read(long offset, int size) {
        if (offset == 0) return select;
        if (offset == 0x10 && size == 4) return readIndirect(select);
        return 0;
    }

    @Override public synchronized void write(long offset, int size, long value) {
        if (offset == 0) select = (int) value & 0xff;
        else if (offset == 0x10 && size == 4) writeIndirect(select, value & 0xffffffffL);
    }

    private long readIndirect(int index) {
        return switch (index) {
            case 0 -> (long) id << 24;          // IOAPICID bits 27:24
            case 1 -> VERSION;
            case 2 -> (long) id << 24;          // IOAPICARB: arbitration ID, read-only, loaded from the ID
            default -> {
                int pin = (index - 0x10) >> 1;
                if (index < 0x10 || pin >= PINS) yield 0;
                long e = redir[pin];
                yield (index & 1) == 0 ? e & 0xffffffffL : e >>> 32;
            }
        };
    }

    private void writeIndirect(int index, long v) {
        if (index == 0) { id = (int) (v >>> 24) & 0xf; return; }
        int pin = (index - 0x10) >> 1;
        if (index < 0x10 || pin >= PINS) return;
        long e = redir[pin];
        long nv = (index & 1) == 0 ? (e & ~0xffffffffL) | v : (e & 0xffffffffL) | v << 32;
        redir[pin] = (nv & WRITABLE) | (e & REMOTE_IRR);
        if ((redir[pin] & LEVEL) == 0) redir[pin] &= ~REMOTE_IRR;
        service(pin);   // unmasking an asserted level input delivers it now
    }

    /** Drives input pin {@code pin} (0..23); out-of-range pins are ignored. */
    public synchronized void setPin(int pin, boolean asserted) {
        if (pin < 0 || pin >= PINS) return;
        int bit = 1 << pin;
        boolean was = (irr & bit) != 0;
        if (asserted) irr |= bit; else irr &= ~bit;
        long e = redir[pin];
        if ((e & LEVEL) != 0) service(pin);
        else if (asserted && !was && (e & MASKED) == 0) send(pin);   // edge: masked edges are lost
    }

    /** Level entries: deliver while asserted, unmasked and not already awaiting EOI. */
    private void service(int pin) {
        long e = redir[pin];
        if ((e & LEVEL) == 0 || (irr & 1 << pin) == 0 || (e & MASKED) != 0 || (e & REMOTE_IRR) != 0) return;
        redir[pin] |= REMOTE_IRR;
        send(pin);
    }

    private void send(int pin) {
        long e = redir[pin];
        delivered++;
        bus.deliver(ApicMessage.of(DeliveryMode.of((int) (e >>> 8)), (int) e & 0xff, (e & (1 << 11)) != 0,
                (int) (e >>> 56), (e & LEVEL) != 0));
    }

    /** EOI broadcast from a local APIC: clear Remote IRR of level entries with this vector (3.2.4). */
    @Override public synchronized void eoi(int vector) {
        for (int pin = 0; pin < PINS; pin++) {
            long e = redir[pin];
            if ((e & REMOTE_IRR) != 0 && (e & 0xff) == vector) {
                redir[pin] = e & ~REMOTE_IRR;
                service(pin);
            }
        }
    }

    public synchronized long redirectionEntry(int pin) { return pin >= 0 && pin < PINS ? redir[pin] : 0; }

    public synchronized String describe() {
        StringBuilder sb = new StringBuilder(String.format("ioapic id=%d select=0x%02x inputs=0x%06x delivered=%d%n",
                id, select, irr, delivered));
        for (int pin = 0; pin < PINS; pin++) {
            long e = redir[pin];
            if ((e & MASKED) != 0 && (e & 0xff) == 0) continue;
            sb.append(String.format("  pin %2d: vec=0x%02x %s %s dest=%s:0x%02x %s %s%s%n", pin, e & 0xff,
                    DeliveryMode.of((int) (e >>> 8)), (e & LEVEL) != 0 ? "level" : "edge",
                    (e & (1 << 11)) != 0 ? "logical" : "phys", e >>> 56, (e & POLARITY) != 0 ? "active-low" : "active-high",
                    (e & MASKED) != 0 ? "masked" : "unmasked", (e & REMOTE_IRR) != 0 ? " remote-irr" : ""));
        }
        return sb.toString();
    }
}
