package dev.vmscope.explain.parse;

import java.util.Locale;
import java.util.Optional;

/** The text formats vmscope explain understands; {@link #id} is the name used with --format. */
public enum Format {
    BHYVECTL_GET_ALL("bhyvectl", Hypervisor.BHYVE, "bhyvectl --get-all (usr.sbin/bhyvectl/bhyvectl.c, amd64/bhyvectl_machdep.c)"),
    BHYVE_STATS("bhyve-stats", Hypervisor.BHYVE, "bhyvectl --get-stats (usr.sbin/bhyvectl/bhyvectl.c, \"%-40s\\t%ld\")"),
    BHYVE_EXIT("bhyve-exit", Hypervisor.BHYVE, "bhyve unhandled-exit report (usr.sbin/bhyve/amd64/vmexit.c vmexit_svm/vmexit_vmx)"),
    KVM_TRACE("kvm-trace", Hypervisor.KVM, "KVM tracepoints via trace-cmd report / perf script (linux arch/x86/kvm/trace.h)"),
    PERF_KVM_STAT("perf-kvm-stat", Hypervisor.KVM, "perf kvm stat report table (linux tools/perf/builtin-kvm.c)"),
    EXIT_COUNTS("exit-counts", Hypervisor.KVM, "exit counts per reason from bcc kvmexit.py, SystemTap kvm_service_time.stp or"
            + " DTrace 'SVM code' scripts"),
    QEMU_REGS("qemu", Hypervisor.KVM, "QEMU register dump (qemu target/i386/cpu-dump.c x86_cpu_dump_state, accel/kvm/kvm-all.c)"),
    VMSCOPE_CRASH("vmscope-crash", Hypervisor.VMSCOPE, "vmscope crash report, JSON (\"format\": \"vmscope-crash-v1\") or text"
            + " (dev.vmscope.debug.CrashReport, CrashSections)");

    public final String id;
    public final Hypervisor hypervisor;
    /** Where the format comes from, named in reports. */
    public final String source;

    Format(String id, Hypervisor hypervisor, String source) {
        this.id = id;
        this.hypervisor = hypervisor;
        this.source = source;
    }

    public static Optional<Format> byId(String id) {
        String k = id.toLowerCase(Locale.ROOT);
        for (Format f : values()) if (f.id.equals(k)) return Optional.of(f);
        return Optional.empty();
    }

    public static String ids() {
        StringBuilder sb = new StringBuilder();
        for (Format f : values()) sb.append(sb.isEmpty() ? "" : ", ").append(f.id);
        return sb.toString();
    }

    public enum Hypervisor {
        BHYVE("bhyve"), KVM("kvm"), VMSCOPE("vmscope on KVM");

        public final String label;

        Hypervisor(String label) { this.label = label; }
    }
}
