package dev.vmscope.kvm;

/** KVM_EXIT_* codes (include/uapi/linux/kvm.h). Names for every code come from the explain tables. */
public final class ExitReason {
    private ExitReason() {}

    public static final int UNKNOWN = 0, EXCEPTION = 1, IO = 2, HYPERCALL = 3, DEBUG = 4, HLT = 5, MMIO = 6,
            IRQ_WINDOW_OPEN = 7, SHUTDOWN = 8, FAIL_ENTRY = 9, INTR = 10, SET_TPR = 11, TPR_ACCESS = 12,
            NMI = 16, INTERNAL_ERROR = 17, SYSTEM_EVENT = 24, IOAPIC_EOI = 26, X86_RDMSR = 29, X86_WRMSR = 30;

    private static final String[] NAMES = {"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO",
            "IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC",
            "S390_RESET", "DCR", "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG",
            "S390_TSCH", "EPR", "SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR",
            "X86_WRMSR", "DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR",
            "NOTIFY", "LOONGARCH_IOCSR", "MEMORY_FAULT", "TDX"};

    /** "KVM_EXIT_IO" style name, or "KVM_EXIT_<n>" for codes this table does not know. */
    public static String name(int code) {
        return "KVM_EXIT_" + (code >= 0 && code < NAMES.length ? NAMES[code] : Integer.toString(code));
    }

    /** Short lower-case name for tables and traces ("io", "mmio", "hlt"). */
    public static String shortName(int code) {
        return (code >= 0 && code < NAMES.length ? NAMES[code] : "exit" + code).toLowerCase();
    }
}
