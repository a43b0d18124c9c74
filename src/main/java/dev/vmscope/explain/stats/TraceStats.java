package dev.vmscope.explain.stats;

import java.util.Arrays;

/**
 * Aggregates KVM trace events: exits per reason and per vCPU, exit-to-entry latency (kvm_exit to the next
 * kvm_entry of the same vCPU), and the most frequent ports, MMIO addresses, MSRs and exit RIPs. Fed by
 * {@link TraceScanner}; memory is bounded regardless of trace size.
 */
public final class TraceStats {
    final NameTable reasons = new NameTable();
    long[] reasonCount = new long[64];
    long[] reasonTime = new long[64];
    LatencyHistogram[] reasonHist = new LatencyHistogram[64];

    final NameTable events = new NameTable();
    long[] eventCount = new long[64];

    final NameTable apicRegs = new NameTable();
    long[] apicCount = new long[32];
    final LongCounter cpuid = new LongCounter();

    final NameTable exceptions = new NameTable();
    long[] exceptionCount = new long[32];

    // vCPU slots, keyed by vcpu id (or by host thread id for kernels whose kvm_exit has no vcpu field).
    private long[] slotKey = new long[16];
    private boolean[] slotUsed = new boolean[16];
    private int[] slotVal = new int[16];
    int vcpus;
    long[] vcpuKey = new long[8];
    boolean[] vcpuByThread = new boolean[8];
    long[] vcpuExits = new long[8];
    long[] vcpuTime = new long[8];
    long[] pendingTs = new long[8];
    int[] pendingReason = new int[8];

    final LatencyHistogram latency = new LatencyHistogram();
    final LongCounter ports = new LongCounter();
    final LongCounter mmio = new LongCounter();
    final LongCounter msrs = new LongCounter();
    final LongCounter rips = new LongCounter();

    long firstTs = Long.MIN_VALUE, lastTs;
    long exits, entries, unmatchedExits, vmxNames, svmNames;
    /** Lines in vmscope's own --trace format (dev.vmscope.vcpu.ExitTrace) rather than KVM tracepoints. */
    long vmscopeLines;
    /** Integer timestamps were seen (trace-cmd's counter or x86-tsc clock): times are clock ticks, not ns. */
    boolean tickClock;

    void timestamp(long ts) {
        if (firstTs == Long.MIN_VALUE) firstTs = ts;
        lastTs = ts;
    }

    void event(int id) {
        if (id < 0) return;
        if (id >= eventCount.length) eventCount = Arrays.copyOf(eventCount, Math.max(id + 1, eventCount.length * 2));
        eventCount[id]++;
    }

    void exit(long key, boolean byThread, long ts, int reason, long rip, boolean hasRip) {
        exits++;
        int v = vcpu(key, byThread, true);
        if (reason >= 0) {
            ensureReason(reason);
            reasonCount[reason]++;
        }
        if (v >= 0) {
            vcpuExits[v]++;
            if (pendingReason[v] != -1) unmatchedExits++;
            pendingTs[v] = ts;
            pendingReason[v] = reason < 0 ? -2 : reason;
        }
        if (hasRip) rips.add(rip);
    }

    /**
     * An exit from a vmscope --trace line: the userspace exit as vmscope handled it. Such a trace has no entry
     * events, so the exit is counted but no latency is paired with it.
     */
    void userspaceExit(long vcpu, long ts, int reason) {
        exits++;
        int v = vcpu(vcpu, false, true);
        if (reason >= 0) {
            ensureReason(reason);
            reasonCount[reason]++;
        }
        if (v >= 0) vcpuExits[v]++;
    }

    /**
     * A kvm_entry. Older kernels print the vcpu in kvm_entry but not in kvm_exit; then the pending exit is found
     * under the host thread instead.
     */
    void entry(long vcpu, boolean hasVcpu, long tid, long ts) {
        entries++;
        int v = hasVcpu ? vcpu(vcpu, false, false) : -1;
        if (v < 0 || pendingReason[v] == -1) {
            int t = vcpu(tid, true, false);
            if (t >= 0 && pendingReason[t] != -1) v = t;
        }
        if (v < 0 || pendingReason[v] == -1) return;
        long d = Math.max(0, ts - pendingTs[v]);
        int r = pendingReason[v];
        pendingReason[v] = -1;
        latency.record(d);
        vcpuTime[v] += d;
        if (r >= 0) {
            reasonTime[r] += d;
            reasonHist[r].record(d);
        }
    }

    void apic(int id) {
        if (id < 0) return;
        if (id >= apicCount.length) apicCount = Arrays.copyOf(apicCount, Math.max(id + 1, apicCount.length * 2));
        apicCount[id]++;
    }

    void exception(int id) {
        if (id < 0) return;
        if (id >= exceptionCount.length) exceptionCount = Arrays.copyOf(exceptionCount, Math.max(id + 1, id * 2));
        exceptionCount[id]++;
    }

    private void ensureReason(int r) {
        if (r >= reasonCount.length) {
            int n = Math.max(r + 1, reasonCount.length * 2);
            reasonCount = Arrays.copyOf(reasonCount, n);
            reasonTime = Arrays.copyOf(reasonTime, n);
            reasonHist = Arrays.copyOf(reasonHist, n);
        }
        if (reasonHist[r] == null) reasonHist[r] = new LatencyHistogram();
    }

    /** Dense index of a vCPU key; -1 if absent and not {@code create}, or past 65536 distinct vCPUs. */
    private int vcpu(long key, boolean byThread, boolean create) {
        long k = byThread ? ~key : key;
        if (k == lastKey) return lastIdx;
        int mask = slotKey.length - 1;
        int i = (int) (k * 0x9E3779B97F4A7C15L >>> 40) & mask;
        while (slotUsed[i]) {
            if (slotKey[i] == k) return remember(k, slotVal[i]);
            i = (i + 1) & mask;
        }
        if (!create || vcpus >= 65536) return -1;
        int v = vcpus++;
        slotUsed[i] = true;
        slotKey[i] = k;
        slotVal[i] = v;
        if (v >= vcpuKey.length) {
            int n = vcpuKey.length * 2;
            vcpuKey = Arrays.copyOf(vcpuKey, n);
            vcpuByThread = Arrays.copyOf(vcpuByThread, n);
            vcpuExits = Arrays.copyOf(vcpuExits, n);
            vcpuTime = Arrays.copyOf(vcpuTime, n);
            pendingTs = Arrays.copyOf(pendingTs, n);
            pendingReason = Arrays.copyOf(pendingReason, n);
        }
        vcpuKey[v] = key;
        vcpuByThread[v] = byThread;
        pendingReason[v] = -1;
        if (vcpus * 2 > slotKey.length) rehashSlots();
        return remember(k, v);
    }

    private long lastKey = Long.MIN_VALUE;
    private int lastIdx = -1;

    private int remember(long k, int v) {
        lastKey = k;
        lastIdx = v;
        return v;
    }

    private void rehashSlots() {
        long[] ok = slotKey;
        int[] ov = slotVal;
        boolean[] ou = slotUsed;
        slotKey = new long[ok.length * 2];
        slotVal = new int[ok.length * 2];
        slotUsed = new boolean[ok.length * 2];
        int mask = slotKey.length - 1;
        for (int j = 0; j < ok.length; j++) {
            if (!ou[j]) continue;
            int i = (int) (ok[j] * 0x9E3779B97F4A7C15L >>> 40) & mask;
            while (slotUsed[i]) i = (i + 1) & mask;
            slotUsed[i] = true;
            slotKey[i] = ok[j];
            slotVal[i] = ov[j];
        }
    }
}
