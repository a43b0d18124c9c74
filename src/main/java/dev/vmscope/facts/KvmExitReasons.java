package dev.vmscope.facts;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * KVM_RUN exit reasons ({@code kvm_run.exit_reason}) and KVM_EXIT_INTERNAL_ERROR sub-errors
 * ({@code kvm_run.internal.suberror}). Source: {@value Sources#LINUX_KVM}; codes 38-40 from Linux 6.6-6.16.
 */
public final class KvmExitReasons {
    private KvmExitReasons() {}

    private static final String SRC = Sources.LINUX_KVM;

    private static final String[][] EXITS = {
        {"KVM_EXIT_UNKNOWN", "hardware exit KVM could not map; hardware_exit_reason holds the raw VMX/SVM code", "unhandled exit, often a VM-entry failure on old kernels"},
        {"KVM_EXIT_EXCEPTION", "guest exception reported to userspace (unused on x86 today)", "-"},
        {"KVM_EXIT_IO", "port I/O for userspace to emulate; run->io has direction, size, port, count, data offset", "device emulation; routine"},
        {"KVM_EXIT_HYPERCALL", "hypercall forwarded to userspace", "KVM_HC_MAP_GPA_RANGE etc. when enabled"},
        {"KVM_EXIT_DEBUG", "debug event (breakpoint, single step) for userspace", "KVM_SET_GUEST_DEBUG in use"},
        {"KVM_EXIT_HLT", "guest executed HLT and the in-kernel irqchip is not used", "idle guest; without an in-kernel APIC this is how HLT arrives"},
        {"KVM_EXIT_MMIO", "MMIO access for userspace to emulate; run->mmio has GPA, data, length, is_write", "device emulation"},
        {"KVM_EXIT_IRQ_WINDOW_OPEN", "guest can accept an interrupt (request_interrupt_window was set)", "userspace irqchip injecting an interrupt"},
        {"KVM_EXIT_SHUTDOWN", "guest shutdown: triple fault or SVM shutdown intercept", "broken IDT/GDT/page tables; the VM must be reset"},
        {"KVM_EXIT_FAIL_ENTRY", "VM entry failed; fail_entry.hardware_entry_failure_reason has the raw reason", "invalid guest state set by userspace (segments, CRs)"},
        {"KVM_EXIT_INTR", "KVM_RUN interrupted by a signal", "userspace kicked the vCPU thread; routine"},
        {"KVM_EXIT_SET_TPR", "TPR change for userspace (obsolete)", "-"},
        {"KVM_EXIT_TPR_ACCESS", "TPR access report (KVM_TPR_ACCESS_REPORTING)", "old QEMU kvmvapic"},
        {"KVM_EXIT_S390_SIEIC", "s390 intercept", "s390 only"},
        {"KVM_EXIT_S390_RESET", "s390 reset request", "s390 only"},
        {"KVM_EXIT_DCR", "PowerPC DCR access (deprecated)", "PowerPC only"},
        {"KVM_EXIT_NMI", "NMI exit (unused on x86)", "-"},
        {"KVM_EXIT_INTERNAL_ERROR", "KVM gave up; internal.suberror says why (emulation failure, double event, ...)", "instruction KVM cannot emulate (e.g. MMIO by an unsupported instruction) or event delivery faulting"},
        {"KVM_EXIT_OSI", "PowerPC OSI hypercall", "PowerPC only"},
        {"KVM_EXIT_PAPR_HCALL", "PowerPC PAPR hypercall", "PowerPC only"},
        {"KVM_EXIT_S390_UCONTROL", "s390 ucontrol fault", "s390 only"},
        {"KVM_EXIT_WATCHDOG", "PowerPC BookE watchdog", "PowerPC only"},
        {"KVM_EXIT_S390_TSCH", "s390 TEST SUBCHANNEL", "s390 only"},
        {"KVM_EXIT_EPR", "PowerPC external proxy", "PowerPC only"},
        {"KVM_EXIT_SYSTEM_EVENT", "system event; system_event.type = shutdown, reset, crash, wakeup, suspend, SEV term", "guest PSCI/ACPI poweroff/reset, or SEV-ES termination"},
        {"KVM_EXIT_S390_STSI", "s390 STSI", "s390 only"},
        {"KVM_EXIT_IOAPIC_EOI", "EOI for a level-triggered vector with split irqchip", "userspace IOAPIC"},
        {"KVM_EXIT_HYPERV", "Hyper-V SynIC/hypercall/syndbg event", "Hyper-V enlightenments"},
        {"KVM_EXIT_ARM_NISV", "arm64 data abort without valid syndrome", "arm64 only"},
        {"KVM_EXIT_X86_RDMSR", "RDMSR forwarded to userspace (KVM_CAP_X86_USER_SPACE_MSR)", "MSR filter or unknown MSR"},
        {"KVM_EXIT_X86_WRMSR", "WRMSR forwarded to userspace", "MSR filter or unknown MSR"},
        {"KVM_EXIT_DIRTY_RING_FULL", "dirty ring full; harvest it and rerun", "dirty-ring migration"},
        {"KVM_EXIT_AP_RESET_HOLD", "SEV-ES AP reset hold", "SEV-ES AP parking"},
        {"KVM_EXIT_X86_BUS_LOCK", "guest bus lock detected", "split lock in the guest with KVM_CAP_X86_BUS_LOCK_EXIT"},
        {"KVM_EXIT_XEN", "Xen hypercall for userspace", "Xen emulation"},
        {"KVM_EXIT_RISCV_SBI", "RISC-V SBI call", "RISC-V only"},
        {"KVM_EXIT_RISCV_CSR", "RISC-V CSR access", "RISC-V only"},
        {"KVM_EXIT_NOTIFY", "VMX notify window exit (guest stuck without event windows)", "guest in a microcode loop"},
        {"KVM_EXIT_LOONGARCH_IOCSR", "LoongArch IOCSR access", "LoongArch only"},
        {"KVM_EXIT_MEMORY_FAULT", "guest memory fault userspace must resolve (guest_memfd private/shared conversion)", "confidential VMs"},
        {"KVM_EXIT_TDX", "TDX TDVMCALL forwarded to userspace", "Intel TDX guests"},
    };

    private static final String[][] INTERNAL = {
        {"KVM_INTERNAL_ERROR_EMULATION", "instruction emulation failed; ndata/data may hold the instruction bytes", "MMIO or I/O by an instruction KVM's emulator does not support, or RIP pointing at garbage"},
        {"KVM_INTERNAL_ERROR_SIMUL_EX", "exception raised while another exception was being delivered (simultaneous exceptions)", "guest IDT/stack broken during event delivery"},
        {"KVM_INTERNAL_ERROR_DELIVERY_EV", "VM exit while delivering an event (e.g. EPT violation on MMIO during IDT vectoring)", "IDT or stack placed in MMIO/unmapped memory"},
        {"KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON", "hardware exit reason KVM does not handle; data[0] has it", "new CPU feature or KVM bug"},
    };

    private static final CodeTable EXIT_TABLE = build(EXITS, 0, "KVM_EXIT_*");
    private static final CodeTable INTERNAL_TABLE = build(INTERNAL, 1, "KVM_INTERNAL_ERROR_*");

    private static CodeTable build(String[][] rows, int first, String title) {
        List<ExitCodeInfo> l = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) l.add(new ExitCodeInfo(first + i, rows[i][0], rows[i][1], rows[i][2], SRC));
        return new CodeTable(title, l);
    }

    public static CodeTable table() { return EXIT_TABLE; }

    public static CodeTable internalErrors() { return INTERNAL_TABLE; }

    public static Optional<ExitCodeInfo> lookup(long code) { return EXIT_TABLE.lookup(code); }

    public static Optional<ExitCodeInfo> internalError(long suberror) { return INTERNAL_TABLE.lookup(suberror); }
}
