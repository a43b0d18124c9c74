package dev.vmscope.explain.report;

import java.util.Map;
import java.util.Optional;

/**
 * What Linux KVM does with the common hardware exits, per its dispatch tables: kvm_vmx_exit_handlers[] in
 * arch/x86/kvm/vmx/vmx.c (VMX basic exit reasons, EXIT_REASON_* names) and svm_exit_handlers[] in
 * arch/x86/kvm/svm/svm.c (SVM_EXIT_* names). Each entry names the handler function it summarises.
 */
final class KvmHandling {
    private KvmHandling() {}

    /** One handler: what it does, and the source function. */
    record Handling(String text, String source) {}

    private static final String VMX = "Linux arch/x86/kvm/vmx/vmx.c ";
    private static final String SVM = "Linux arch/x86/kvm/svm/svm.c ";
    private static final String IO = "port I/O: string forms (INS/OUTS) go through KVM's instruction emulator, the others"
            + " through kvm_fast_pio(); ports of in-kernel devices (kvm_io_bus: PIC, PIT, ...) are handled in the kernel,"
            + " every other port reaches userspace as KVM_EXIT_IO";
    private static final String PAGING = "kvm_mmu_page_fault(): a guest-physical address backed by a memslot is mapped"
            + " (or the access-tracking/dirty-logging fault fixed) and the guest resumes; an address with no memslot is"
            + " MMIO: KVM emulates the instruction and hands the access to an in-kernel device or to userspace as"
            + " KVM_EXIT_MMIO";
    private static final String CPUID = "kvm_emulate_cpuid(): answered in the kernel from the table userspace set with"
            + " KVM_SET_CPUID2; never reaches userspace";
    private static final String HLT = "kvm_emulate_halt(): with the in-kernel local APIC the vCPU blocks in the kernel"
            + " until an interrupt is deliverable; without it the exit reaches userspace as KVM_EXIT_HLT";
    private static final String MSR = "kvm_get_msr()/kvm_set_msr() in the kernel; an MSR KVM does not know (or one an MSR"
            + " filter denies) injects #GP, or reaches userspace as KVM_EXIT_X86_RDMSR/WRMSR when"
            + " KVM_CAP_X86_USER_SPACE_MSR asks for it";
    private static final String HYPERCALL = "kvm_emulate_hypercall(): KVM's own hypercalls (KVM_HC_*, number in RAX) are"
            + " done in the kernel; unknown numbers return -KVM_ENOSYS in RAX; KVM_HC_MAP_GPA_RANGE reaches userspace as"
            + " KVM_EXIT_HYPERCALL when enabled";
    private static final String SHUTDOWN_VMX = "KVM_EXIT_SHUTDOWN to userspace: the VM cannot continue; the VMM"
            + " resets or stops it";
    private static final String UNEXPECTED = " (no entry in the table: KVM reports KVM_EXIT_INTERNAL_ERROR with suberror"
            + " KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON)";

    private static final Map<String, Handling> VMX_TABLE = Map.ofEntries(
            Map.entry("EXIT_REASON_IO_INSTRUCTION", new Handling(IO, VMX + "handle_io()")),
            Map.entry("EXIT_REASON_EPT_VIOLATION", new Handling(PAGING, VMX + "handle_ept_violation()")),
            Map.entry("EXIT_REASON_EPT_MISCONFIG", new Handling("MMIO fast path: the misconfigured EPT entry marks an"
                    + " MMIO page, so KVM emulates the access (in-kernel device or KVM_EXIT_MMIO)", VMX + "handle_ept_misconfig()")),
            Map.entry("EXIT_REASON_CPUID", new Handling(CPUID, VMX + "kvm_vmx_exit_handlers[] -> kvm_emulate_cpuid()")),
            Map.entry("EXIT_REASON_HLT", new Handling(HLT, VMX + "kvm_vmx_exit_handlers[] -> kvm_emulate_halt()")),
            Map.entry("EXIT_REASON_MSR_READ", new Handling(MSR, VMX + "kvm_vmx_exit_handlers[] -> kvm_emulate_rdmsr()")),
            Map.entry("EXIT_REASON_MSR_WRITE", new Handling(MSR, VMX + "kvm_vmx_exit_handlers[] -> kvm_emulate_wrmsr()")),
            Map.entry("EXIT_REASON_CR_ACCESS", new Handling("MOV to/from CR0/CR3/CR4/CR8, CLTS and LMSW are emulated in the"
                    + " kernel (kvm_set_cr0/cr3/cr4/cr8); an illegal value injects #GP", VMX + "handle_cr()")),
            Map.entry("EXIT_REASON_EXCEPTION_NMI", new Handling("NMIs go to the host; intercepted guest exceptions are"
                    + " handled by vector: #PF (shadow paging) via kvm_mmu_page_fault(), #UD via the emulator, #DB/#BP to"
                    + " userspace as KVM_EXIT_DEBUG when KVM_SET_GUEST_DEBUG asked for them, #MC to the host; others are"
                    + " reflected into the guest", VMX + "handle_exception_nmi()")),
            Map.entry("EXIT_REASON_EXTERNAL_INTERRUPT", new Handling("host interrupt: the host's handler already ran right"
                    + " after the exit (handle_external_interrupt_irqoff()); the exit is counted and the guest resumes",
                    VMX + "handle_external_interrupt()")),
            Map.entry("EXIT_REASON_TRIPLE_FAULT", new Handling(SHUTDOWN_VMX, VMX + "handle_triple_fault()")),
            Map.entry("EXIT_REASON_INIT_SIGNAL", new Handling("INIT and SIPI sent to a guest are emulated by KVM's local"
                    + " APIC without these exits; a physical INIT/SIPI exit is not expected outside nested VMX" + UNEXPECTED,
                    VMX + "kvm_vmx_exit_handlers[], __vmx_handle_exit()")),
            Map.entry("EXIT_REASON_SIPI_SIGNAL", new Handling("INIT and SIPI sent to a guest are emulated by KVM's local"
                    + " APIC without these exits" + UNEXPECTED, VMX + "kvm_vmx_exit_handlers[], __vmx_handle_exit()")),
            Map.entry("EXIT_REASON_VMCALL", new Handling(HYPERCALL, VMX + "kvm_vmx_exit_handlers[] -> kvm_emulate_hypercall()")));

    private static final Map<String, Handling> SVM_TABLE = Map.ofEntries(
            Map.entry("SVM_EXIT_IOIO", new Handling(IO, SVM + "io_interception()")),
            Map.entry("SVM_EXIT_NPF", new Handling(PAGING, SVM + "npf_interception()")),
            Map.entry("SVM_EXIT_CPUID", new Handling(CPUID, SVM + "svm_exit_handlers[] -> kvm_emulate_cpuid()")),
            Map.entry("SVM_EXIT_HLT", new Handling(HLT, SVM + "svm_exit_handlers[] -> kvm_emulate_halt()")),
            Map.entry("SVM_EXIT_MSR", new Handling(MSR, SVM + "msr_interception()")),
            Map.entry("SVM_EXIT_READ_CR0", new Handling("CR accesses are emulated in the kernel (kvm_set_cr0/cr3/cr4/cr8)",
                    SVM + "cr_interception()")),
            Map.entry("SVM_EXIT_WRITE_CR0", new Handling("CR accesses are emulated in the kernel (kvm_set_cr0/cr3/cr4/cr8);"
                    + " an illegal value injects #GP", SVM + "cr_interception()")),
            Map.entry("SVM_EXIT_INTR", new Handling("host interrupt: counted, the guest resumes and the host takes the"
                    + " interrupt once GIF is set again", SVM + "intr_interception()")),
            Map.entry("SVM_EXIT_SHUTDOWN", new Handling("the VMCB is undefined after shutdown, so KVM re-initialises the"
                    + " vCPU and reports KVM_EXIT_SHUTDOWN to userspace", SVM + "shutdown_interception()")),
            Map.entry("SVM_EXIT_INIT", new Handling("ignored (emulated as a NOP); INIT sent to a guest is emulated by KVM's"
                    + " local APIC", SVM + "svm_exit_handlers[] -> kvm_emulate_as_nop()")),
            Map.entry("SVM_EXIT_VMMCALL", new Handling(HYPERCALL + "; from a nested guest whose L1 does not intercept"
                    + " VMMCALL, #UD is injected", SVM + "vmmcall_interception() / kvm_emulate_hypercall()")),
            Map.entry("SVM_EXIT_ICEBP", new Handling("KVM does not set the ICEBP intercept, so INT1 is delivered to the guest"
                    + " as #DB" + UNEXPECTED, SVM + "svm_exit_handlers[], svm_handle_invalid_exit()")));

    /** Exceptions: SVM_EXIT_EXCP_BASE + vector, one handler per intercepted vector. */
    private static final Handling SVM_EXCEPTION = new Handling("intercepted exception, handled by vector: #PF via"
            + " pf_interception() (shadow paging), #UD via the emulator, #DB/#BP to userspace as KVM_EXIT_DEBUG when guest"
            + " debugging is on, #MC to the host, #GP for the VMware backdoor / SVM instruction checks", SVM
            + "svm_exit_handlers[] (db_/bp_/ud_/pf_/mc_/ac_/gp_interception())");

    /** VMX: how INT1/ICEBP arrives (there is no ICEBP exit reason on Intel). */
    static final Handling VMX_ICEBP = new Handling("INT1 (ICEBP) is not an exit of its own on VMX: it exits only when #DB"
            + " is intercepted (guest debugging), as EXCEPTION_NMI with type 'privileged software exception'; KVM then"
            + " skips the instruction and queues #DB for the guest", VMX + "handle_exception_nmi()");

    static Optional<Handling> vmx(String name) { return Optional.ofNullable(VMX_TABLE.get(name)); }

    static Optional<Handling> svm(String name) {
        if (name.startsWith("SVM_EXIT_EXCP_")) return Optional.of(SVM_EXCEPTION);
        if (name.startsWith("SVM_EXIT_READ_CR")) return Optional.ofNullable(SVM_TABLE.get("SVM_EXIT_READ_CR0"));
        if (name.startsWith("SVM_EXIT_WRITE_CR")) return Optional.ofNullable(SVM_TABLE.get("SVM_EXIT_WRITE_CR0"));
        return Optional.ofNullable(SVM_TABLE.get(name));
    }
}
