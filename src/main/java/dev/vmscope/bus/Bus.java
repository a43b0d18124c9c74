package dev.vmscope.bus;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes accesses to registered devices (the role of KVM's kvm_io_bus and QEMU's memory regions).
 * Registration refuses overlap. Unclaimed reads return all ones of the access size and unclaimed writes
 * are dropped, as QEMU's unassigned_io_read does; both are counted. A device that throws is isolated:
 * the access behaves as unclaimed and the fault is counted, so a device bug cannot kill a vCPU thread.
 */
public final class Bus {
    /** One registered device: its range, model and name for traces and statistics. */
    public record Entry(BusRange range, BusDevice device, String name) {}

    private final String kind;
    private final TreeMap<Long, Entry> entries = new TreeMap<>(Long::compareUnsigned);
    private final LongAdder unclaimedReads = new LongAdder();
    private final LongAdder unclaimedWrites = new LongAdder();
    private final LongAdder deviceFaults = new LongAdder();

    /** @param kind "pio" or "mmio", used in messages */
    public Bus(String kind) { this.kind = kind; }

    public String kind() { return kind; }

    public synchronized void register(BusRange range, BusDevice device, String name) {
        for (Entry e : entries.values()) {
            if (e.range().overlaps(range))
                throw new IllegalStateException(kind + " range " + range + " (" + name + ") overlaps "
                        + e.range() + " (" + e.name() + ")");
        }
        entries.put(range.base(), new Entry(range, device, name));
    }

    /** Removes the registration starting at {@code base} (PCI BARs move); returns whether one was there. */
    public synchronized boolean unregister(long base) { return entries.remove(base) != null; }

    /** The entry whose range holds {@code addr}, or null. */
    public Entry lookup(long addr) {
        Map.Entry<Long, Entry> fl = entries.floorEntry(addr);
        if (fl == null) return null;
        Entry e = fl.getValue();
        return e.range().contains(addr) ? e : null;
    }

    public static long ones(int size) { return size >= 8 ? -1L : (1L << (size * 8)) - 1; }

    /** Reads {@code size} bytes at {@code addr}; all ones when nothing claims it. */
    public long read(long addr, int size) {
        Entry e = lookup(addr);
        if (e == null) { unclaimedReads.increment(); return ones(size); }
        try {
            return e.device().read(addr - e.range().base(), size) & ones(size);
        } catch (RuntimeException ex) {
            deviceFaults.increment();
            return ones(size);
        }
    }

    /** Writes {@code size} bytes at {@code addr}; dropped when nothing claims it. */
    public void write(long addr, int size, long value) {
        Entry e = lookup(addr);
        if (e == null) { unclaimedWrites.increment(); return; }
        try {
            e.device().write(addr - e.range().base(), size, value & ones(size));
        } catch (RuntimeException ex) {
            deviceFaults.increment();
        }
    }

    public synchronized java.util.List<Entry> entries() { return java.util.List.copyOf(entries.values()); }

    public long unclaimedReads() { return unclaimedReads.sum(); }

    public long unclaimedWrites() { return unclaimedWrites.sum(); }

    public long deviceFaults() { return deviceFaults.sum(); }
}
