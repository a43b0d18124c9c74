package dev.vmscope.bus;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes accesses to registered devices (the role of KVM's kvm_io_bus and QEMU's memory regions).
 * Registration refuses overlap. Unclaimed reads return all ones of the access size and unclaimed writes
 * are dropped, as QEMU's unassigned_io_read does; both are counted. A device that throws is isolated:
 * the access behaves as unclaimed, the fault is counted per device and the first one of each device is
 * reported, so a device bug cannot kill a vCPU thread and does not go unseen.
 * <p>Lookups take no lock: the table is an immutable sorted snapshot replaced on every (re)registration
 * (copy-on-write, as KVM's kvm_io_bus is RCU-protected), so a vCPU never sees a half-moved PCI BAR.
 */
public final class Bus {
    /** One registered device: its range, model and name for traces and statistics. */
    public record Entry(BusRange range, BusDevice device, String name) {}

    /** Told once per device, on its first exception. */
    @FunctionalInterface
    public interface FaultReporter {
        void firstFault(String bus, Entry device, long offset, int size, boolean write, RuntimeException e);

        FaultReporter NONE = (b, d, o, s, w, e) -> { };
    }

    /** A snapshot: bases sorted unsigned, entries in the same order. */
    private record Table(long[] bases, Entry[] entries) {
        static final Table EMPTY = new Table(new long[0], new Entry[0]);
    }

    private final String kind;
    private final FaultReporter reporter;
    private volatile Table table = Table.EMPTY;
    private final LongAdder unclaimedReads = new LongAdder();
    private final LongAdder unclaimedWrites = new LongAdder();
    private final LongAdder deviceFaults = new LongAdder();
    private final Map<String, LongAdder> faultsByDevice = new ConcurrentHashMap<>();

    /** @param kind "pio" or "mmio", used in messages */
    public Bus(String kind) { this(kind, FaultReporter.NONE); }

    public Bus(String kind, FaultReporter reporter) {
        this.kind = kind;
        this.reporter = reporter;
    }

    public String kind() { return kind; }

    public synchronized void register(BusRange range, BusDevice device, String name) {
        Table t = table;
        for (Entry e : t.entries()) {
            if (e.range().overlaps(range))
                throw new IllegalStateException(kind + " range " + range + " (" + name + ") overlaps "
                        + e.range() + " (" + e.name() + ")");
        }
        TreeMap<Long, Entry> m = asMap(t);
        m.put(range.base(), new Entry(range, device, name));
        table = of(m);
    }

    /** Removes the registration starting at {@code base} (PCI BARs move); returns whether one was there. */
    public synchronized boolean unregister(long base) {
        TreeMap<Long, Entry> m = asMap(table);
        if (m.remove(base) == null) return false;
        table = of(m);
        return true;
    }

    private static TreeMap<Long, Entry> asMap(Table t) {
        TreeMap<Long, Entry> m = new TreeMap<>(Long::compareUnsigned);
        for (int i = 0; i < t.bases().length; i++) m.put(t.bases()[i], t.entries()[i]);
        return m;
    }

    private static Table of(TreeMap<Long, Entry> m) {
        long[] b = new long[m.size()];
        Entry[] e = new Entry[m.size()];
        int i = 0;
        for (Map.Entry<Long, Entry> x : m.entrySet()) { b[i] = x.getKey(); e[i++] = x.getValue(); }
        return new Table(b, e);
    }

    /** The entry whose range holds {@code addr}, or null. */
    public Entry lookup(long addr) {
        Table t = table;
        long[] b = t.bases();
        int lo = 0, hi = b.length - 1, found = -1;
        while (lo <= hi) {   // the last base <= addr, unsigned
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(b[mid], addr) <= 0) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (found < 0) return null;
        Entry e = t.entries()[found];
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
            fault(e, addr - e.range().base(), size, false, ex);
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
            fault(e, addr - e.range().base(), size, true, ex);
        }
    }

    private void fault(Entry e, long offset, int size, boolean write, RuntimeException ex) {
        deviceFaults.increment();
        LongAdder n = faultsByDevice.computeIfAbsent(e.name(), k -> new LongAdder());
        boolean first;
        synchronized (n) {
            first = n.sum() == 0;
            n.increment();
        }
        if (first) {
            try { reporter.firstFault(kind, e, offset, size, write, ex); } catch (RuntimeException ignored) { /* reporting must not fail the access */ }
        }
    }

    public List<Entry> entries() { return List.copyOf(Arrays.asList(table.entries())); }

    public long unclaimedReads() { return unclaimedReads.sum(); }

    public long unclaimedWrites() { return unclaimedWrites.sum(); }

    public long deviceFaults() { return deviceFaults.sum(); }

    /** Faults per device name, in name order (for the exit summary and stats JSON). */
    public Map<String, Long> faultsByDevice() {
        TreeMap<String, Long> m = new TreeMap<>();
        faultsByDevice.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
