package dev.vmscope.hypervisor;

import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.KvmExitReasons;

/** KVM_EXIT_* codes (include/uapi/linux/kvm.h). Names for every code come from the explain tables. */
public final class ExitReason {
    private ExitReason() {}

    public static final int UNKNOWN = 0, EXCEPTION = 1, IO = 2, HYPERCALL = 3, DEBUG = 4, HLT = 5, MMIO = 6,
            IRQ_WINDOW_OPEN = 7, SHUTDOWN = 8, FAIL_ENTRY = 9, INTR = 10, SET_TPR = 11, TPR_ACCESS = 12,
            NMI = 16, INTERNAL_ERROR = 17, SYSTEM_EVENT = 24, IOAPIC_EOI = 26, X86_RDMSR = 29, X86_WRMSR = 30;

    /** "KVM_EXIT_IO" style name, or "KVM_EXIT_<n>" for codes this table does not know. */
    public static String name(int code) {
        return KvmExitReasons.lookup(code).map(ExitCodeInfo::name).orElse("KVM_EXIT_" + code);
    }

    /** Short lower-case name for tables and traces ("io", "mmio", "hlt"). */
    public static String shortName(int code) {
        String n = name(code);
        return (n.startsWith("KVM_EXIT_") ? n.substring(9) : n).toLowerCase();
    }
}
