package dev.vmscope.debug;

import dev.vmscope.hypervisor.ExitReason;
import static dev.vmscope.hypervisor.ExitReason.*;

import dev.vmscope.util.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last exits of every vCPU, always on. Each vCPU owns a ring of parallel primitive arrays, so
 * {@link #record} stores six numbers and allocates nothing; text is made only when dumped. A vCPU's ring is
 * written only by that vCPU's thread; snapshots taken while it runs may show one entry mid-update.
 *
 * <p>Reason codes are the exit kinds of {@link ExitReason} (KVM_EXIT_* numbering). What a, b and c hold per
 * reason: UNKNOWN a = hardware exit reason; EXCEPTION a = vector, b = error code; IO a = port, b = size | OUT << 8,
 * c = data; HYPERCALL a = nr; DEBUG a = DR6, b = DR7, c = vector; MMIO a = gpa, b = size | WRITE << 8, c = data;
 * FAIL_ENTRY a = hardware entry failure reason, b = host CPU; INTERNAL_ERROR a = suberror, b = ndata, c = data[0];
 * SYSTEM_EVENT a = type; X86_RDMSR/X86_WRMSR a = index, c = data.
 */
public final class FlightRecorder {
    /** A decoded entry. */
    public record Entry(long nanos, int reason, long rip, long a, long b, long c) {
        public String reasonName() { return name(reason); }

        public String describe() {
            int size = (int) (b & 0xff);
            boolean out = (b >> 8 & 1) != 0;
            return switch (reason) {
                case IO -> String.format("IO %s port 0x%x size %d data 0x%x", out ? "out" : "in", a, size, c);
                case MMIO -> String.format("MMIO %s 0x%x size %d data 0x%x", out ? "write" : "read", a, size, c);
                case EXCEPTION -> String.format("EXCEPTION vector %d error 0x%x", a, b);
                case DEBUG -> String.format("DEBUG dr6 0x%x dr7 0x%x vector %d", a, b, c);
                case FAIL_ENTRY -> String.format("FAIL_ENTRY hardware reason 0x%x cpu %d", a, b);
                case INTERNAL_ERROR -> String.format("INTERNAL_ERROR suberror %d ndata %d data0 0x%x", a, b, c);
                case SYSTEM_EVENT -> String.format("SYSTEM_EVENT type %d", a);
                case X86_RDMSR, X86_WRMSR -> String.format("%s 0x%x data 0x%x", name(reason), a, c);
                case UNKNOWN -> String.format("UNKNOWN hardware reason 0x%x", a);
                case HYPERCALL -> String.format("HYPERCALL nr %d", a);
                default -> String.format("%s a=0x%x b=0x%x c=0x%x", name(reason), a, b, c);
            };
        }
    }

    private static final String[] NAMES = new String[34];
    static {
        String[][] n = {{"0", "UNKNOWN"}, {"1", "EXCEPTION"}, {"2", "IO"}, {"3", "HYPERCALL"}, {"4", "DEBUG"}, {"5", "HLT"},
                {"6", "MMIO"}, {"7", "IRQ_WINDOW_OPEN"}, {"8", "SHUTDOWN"}, {"9", "FAIL_ENTRY"}, {"10", "INTR"},
                {"11", "SET_TPR"}, {"12", "TPR_ACCESS"}, {"16", "NMI"}, {"17", "INTERNAL_ERROR"}, {"24", "SYSTEM_EVENT"},
                {"26", "IOAPIC_EOI"}, {"27", "HYPERV"}, {"29", "X86_RDMSR"}, {"30", "X86_WRMSR"}, {"31", "DIRTY_RING_FULL"},
                {"32", "AP_RESET_HOLD"}, {"33", "X86_BUS_LOCK"}};
        for (String[] e : n) NAMES[Integer.parseInt(e[0])] = e[1];
    }

    public static String name(int reason) {
        return reason >= 0 && reason < NAMES.length && NAMES[reason] != null ? NAMES[reason] : "EXIT_" + reason;
    }

    private final int vcpus;
    private final int capacity;
    private final long[] nanos, rip, a, b, c;
    private final int[] reason;
    private final long[] count;

    public FlightRecorder(int vcpus, int capacity) {
        if (vcpus < 1 || capacity < 1 || (long) vcpus * capacity > 1 << 24) throw new IllegalArgumentException("bad recorder size");
        this.vcpus = vcpus;
        this.capacity = capacity;
        int n = vcpus * capacity;
        nanos = new long[n]; rip = new long[n]; a = new long[n]; b = new long[n]; c = new long[n];
        reason = new int[n];
        count = new long[vcpus];
    }

    public FlightRecorder(int vcpus) { this(vcpus, 256); }

    public int vcpus() { return vcpus; }

    /** Hot path: one exit. Out-of-range vCPU numbers are ignored rather than thrown. */
    public void record(int vcpu, long timeNanos, int exitReason, long exitRip, long pa, long pb, long pc) {
        if (vcpu < 0 || vcpu >= vcpus) return;
        int i = vcpu * capacity + (int) (count[vcpu] % capacity);
        nanos[i] = timeNanos;
        reason[i] = exitReason;
        rip[i] = exitRip;
        a[i] = pa;
        b[i] = pb;
        c[i] = pc;
        count[vcpu]++;
    }

    /** Total exits recorded for a vCPU (including those overwritten). */
    public long total(int vcpu) { return vcpu >= 0 && vcpu < vcpus ? count[vcpu] : 0; }

    /** Oldest first. */
    public List<Entry> snapshot(int vcpu) {
        List<Entry> out = new ArrayList<>();
        if (vcpu < 0 || vcpu >= vcpus) return out;
        long n = count[vcpu];
        for (long k = Math.max(0, n - capacity); k < n; k++) {
            int i = vcpu * capacity + (int) (k % capacity);
            out.add(new Entry(nanos[i], reason[i], rip[i], a[i], b[i], c[i]));
        }
        return out;
    }

    public String dump() { return dump(capacity); }

    /** Text, at most {@code last} entries per vCPU. */
    public String dump(int last) {
        StringBuilder sb = new StringBuilder();
        for (int v = 0; v < vcpus; v++) {
            List<Entry> es = snapshot(v);
            es = es.subList(Math.max(0, es.size() - last), es.size());
            sb.append(String.format("vCPU %d: %d exits recorded, last %d:%n", v, count[v], es.size()));
            for (Entry e : es) sb.append(String.format("  t=%d rip=0x%x %s%n", e.nanos(), e.rip(), e.describe()));
        }
        return sb.toString();
    }

    /** JSON-ready form: one list of entries per vCPU. */
    public List<Object> toJson(int last) {
        List<Object> cpus = new ArrayList<>();
        for (int v = 0; v < vcpus; v++) {
            List<Entry> es = snapshot(v);
            List<Object> list = new ArrayList<>();
            for (Entry e : es.subList(Math.max(0, es.size() - last), es.size())) {
                Map<String, Object> m = Json.obj();
                m.put("nanos", e.nanos());
                m.put("reason", e.reasonName());
                m.put("exit_code", e.reason()); // KVM_EXIT_* number; a, b, c as documented on the constants
                m.put("rip", String.format("0x%x", e.rip()));
                m.put("a", String.format("0x%x", e.a()));
                m.put("b", String.format("0x%x", e.b()));
                m.put("c", String.format("0x%x", e.c()));
                m.put("detail", e.describe());
                list.add(m);
            }
            Map<String, Object> cpu = Json.obj();
            cpu.put("vcpu", v);
            cpu.put("total", count[v]);
            cpu.put("exits", list);
            cpus.add(cpu);
        }
        return cpus;
    }

    public String dumpJson() { return Json.write(toJson(capacity)); }
}
