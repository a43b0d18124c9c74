package dev.vmscope.vcpu;

import dev.vmscope.hypervisor.ExitReason;
import dev.vmscope.util.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exit accounting for one vCPU: per KVM exit reason the count, time in the guest before the exit
 * (KVM_RUN duration) and time vmscope spent handling it; per port and per MMIO device the same.
 * Written only by the vCPU's own thread; read after the VM stops (or racily, for monitors).
 */
public final class ExitStats {
    /** Counters for one key. */
    public static final class Counter {
        public long count, guestNanos, handleNanos;

        void add(long guest, long handle) { count++; guestNanos += guest; handleNanos += handle; }
    }

    private static final int REASONS = 64;
    private final int vcpu;
    private final Counter[] byReason = new Counter[REASONS];
    /** Indexed by port << 1 | in: no key is built on the hot path. */
    private final Counter[] byPort = new Counter[0x20000];
    private final Map<String, Counter> byMmio = new TreeMap<>();
    private final Map<String, Counter> byIpi = new TreeMap<>();
    private long runNanos;
    private Map<String, Long> kernelCounters = Map.of();

    public ExitStats(int vcpu) {
        this.vcpu = vcpu;
        for (int i = 0; i < REASONS; i++) byReason[i] = new Counter();
    }

    public int vcpu() { return vcpu; }

    public void exit(int reason, long guestNanos, long handleNanos) {
        byReason[reason >= 0 && reason < REASONS ? reason : 0].add(guestNanos, handleNanos);
        runNanos += guestNanos;
    }

    public void port(int port, boolean in, long guest, long handle) {
        int i = (port & 0xffff) << 1 | (in ? 1 : 0);
        Counter c = byPort[i];
        if (c == null) byPort[i] = c = new Counter();
        c.add(guest, handle);
    }

    public void mmio(String device, long guest, long handle) {
        byMmio.computeIfAbsent(device, k -> new Counter()).add(guest, handle);
    }

    public void ipi(String deliveryMode) { byIpi.computeIfAbsent(deliveryMode, k -> new Counter()).add(0, 0); }

    public long total() {
        long n = 0;
        for (Counter c : byReason) n += c.count;
        return n;
    }

    public long count(int reason) { return byReason[reason].count; }

    /** "0x03f8 out" style key -> counter, only ports seen. */
    public Map<String, Counter> ports() {
        Map<String, Counter> m = new TreeMap<>();
        for (int i = 0; i < byPort.length; i++)
            if (byPort[i] != null) m.put(String.format("0x%04x %s", i >> 1, (i & 1) != 0 ? "in" : "out"), byPort[i]);
        return m;
    }

    public Map<String, Counter> mmio() { return byMmio; }

    public Map<String, Counter> ipis() { return byIpi; }

    public long runNanos() { return runNanos; }

    /** Reason name -> counter, only reasons seen. */
    public Map<String, Counter> reasons() {
        Map<String, Counter> m = new TreeMap<>();
        for (int i = 0; i < REASONS; i++) if (byReason[i].count > 0) m.put(ExitReason.name(i), byReason[i]);
        return m;
    }

    /** KVM's own counters for this vCPU (KVM_GET_STATS_FD) when the VM stopped; empty where unavailable. */
    public void setKernelCounters(Map<String, Long> c) { kernelCounters = Map.copyOf(c); }

    public Map<String, Long> kernelCounters() { return kernelCounters; }

    public Map<String, Object> toJson() {
        Map<String, Object> o = Json.obj();
        o.put("vcpu", vcpu);
        o.put("exits", total());
        o.put("guest_ns", runNanos);
        o.put("by_reason", table(reasons()));
        o.put("by_port", table(ports()));
        o.put("by_mmio", table(byMmio));
        if (!byIpi.isEmpty()) o.put("ipis", table(byIpi));
        if (!kernelCounters.isEmpty()) o.put("kvm_stats", new TreeMap<>(kernelCounters));
        return o;
    }

    private static List<Object> table(Map<String, Counter> m) {
        List<Object> l = new ArrayList<>();
        m.forEach((k, c) -> {
            Map<String, Object> r = Json.obj();
            r.put("key", k);
            r.put("count", c.count);
            r.put("guest_ns", c.guestNanos);
            r.put("handle_ns", c.handleNanos);
            l.add(r);
        });
        return l;
    }
}
