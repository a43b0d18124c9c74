package dev.vmscope.explain.report;

import java.util.Map;
import java.util.Optional;

/**
 * What bhyve's kernel does with an exit: SVM codes per the switch in FreeBSD sys/amd64/vmm/amd/svm.c svm_vmexit(),
 * VMX basic exit reasons per the switch in sys/amd64/vmm/intel/vmx.c vmx_exit_process(). Keyed by the SVM_EXIT_* /
 * EXIT_REASON_* names of the tables; reasons not listed fall to the default branch.
 */
final class BhyveHandling {
    private BhyveHandling() {}

    private static final String INJECT_UD = "handled in the kernel: bhyve injects #UD (vector 6) into the guest"
            + " (vm_inject_ud) and marks the exit handled, so it never reaches bhyve userspace; the guest sees #UD,"
            + " not #DB";

    private static final Map<String, String> SVM = Map.ofEntries(
            Map.entry("SVM_EXIT_ICEBP", INJECT_UD),
            Map.entry("SVM_EXIT_SHUTDOWN", INJECT_UD),
            Map.entry("SVM_EXIT_VMRUN", INJECT_UD),
            Map.entry("SVM_EXIT_VMMCALL", INJECT_UD),
            Map.entry("SVM_EXIT_VMLOAD", INJECT_UD),
            Map.entry("SVM_EXIT_VMSAVE", INJECT_UD),
            Map.entry("SVM_EXIT_STGI", INJECT_UD),
            Map.entry("SVM_EXIT_CLGI", INJECT_UD),
            Map.entry("SVM_EXIT_SKINIT", INJECT_UD),
            Map.entry("SVM_EXIT_INVLPGA", INJECT_UD),
            Map.entry("SVM_EXIT_INVD", "handled in the kernel: ignored (the instruction is skipped)"),
            Map.entry("SVM_EXIT_WBINVD", "handled in the kernel: ignored (the instruction is skipped)"),
            Map.entry("SVM_EXIT_MONITOR", "passed to bhyve userspace as VM_EXITCODE_MONITOR"),
            Map.entry("SVM_EXIT_MWAIT", "passed to bhyve userspace as VM_EXITCODE_MWAIT"),
            Map.entry("SVM_EXIT_IOIO", "svm_handle_io() makes it VM_EXITCODE_INOUT (INOUT_STR for INS/OUTS; without DecodeAssist a string"
                    + " instruction falls through to VM_EXITCODE_SVM); vm_run() emulates in-kernel device ports, bhyve's"
                    + " vmexit_inout() the rest"),
            Map.entry("SVM_EXIT_NPF", "a GPA inside guest memory becomes VM_EXITCODE_PAGING (mapped in the kernel); an"
                    + " emulatable fault elsewhere becomes VM_EXITCODE_INST_EMUL (MMIO: in-kernel local APIC/IO-APIC/HPET, else"
                    + " bhyve's device models); a fault with reserved bits set is left unhandled"),
            Map.entry("SVM_EXIT_CPUID", "handled in the kernel by x86_emulate_cpuid()"),
            Map.entry("SVM_EXIT_HLT", "becomes VM_EXITCODE_HLT; vm_handle_hlt() in sys/amd64/vmm/vmm.c sleeps the vCPU until"
                    + " an interrupt is pending"),
            Map.entry("SVM_EXIT_MSR", "emulate_rdmsr()/emulate_wrmsr() in the kernel (local APIC MSRs, EFER, svm_rdmsr/"
                    + "svm_wrmsr); otherwise VM_EXITCODE_RDMSR/WRMSR to bhyve's vmexit_rdmsr()/vmexit_wrmsr()"),
            Map.entry("SVM_EXIT_INTR", "handled: counted (VMEXIT_EXTINT) and the guest resumes; the host takes the interrupt"),
            Map.entry("SVM_EXIT_NMI", "handled: the guest resumes; the host takes the NMI"),
            Map.entry("SVM_EXIT_VINTR", "handled: the interrupt window is open, the pending interrupt is injected on entry"),
            Map.entry("SVM_EXIT_IRET", "handled: NMI blocking is cleared and IRET re-executed without the intercept"),
            Map.entry("SVM_EXIT_PAUSE", "becomes VM_EXITCODE_PAUSE"));

    /** Handling of an SVM exit by name; unknown names get the default branch's behaviour. */
    static String svm(String name) {
        if (name.startsWith("SVM_EXIT_EXCP_")) return "intercepted exception: #MC goes to the host's handler, every other"
                + " vector is reflected into the guest with vm_inject_exception() (CR2 set from EXITINFO2 for #PF)";
        return Optional.ofNullable(SVM.get(name)).orElse("not one of the instruction intercepts handled inline;"
                + " intercepts without a case count VMEXIT_UNKNOWN and reach bhyve userspace as VM_EXITCODE_SVM,"
                + " where vmexit_svm() prints a 'vm exit[N]' block and stops the VM (usr.sbin/bhyve/amd64/vmexit.c)");
    }

    private static final String USERSPACE = " (exit code handled in sys/amd64/vmm/vmm.c vm_run() or bhyve userspace"
            + " usr.sbin/bhyve/amd64/vmexit.c)";

    /** bhyve on Intel (FreeBSD sys/amd64/vmm/intel/vmx.c vmx_exit_process(), named helper per entry). */
    private static final Map<String, String> VMX = Map.ofEntries(
            Map.entry("EXIT_REASON_IO_INSTRUCTION", "becomes VM_EXITCODE_INOUT (VM_EXITCODE_INOUT_STR for INS/OUTS);"
                    + " vm_run() emulates the ports of in-kernel devices (8259, 8254, PM timer, RTC) and passes every other"
                    + " port to bhyve's vmexit_inout()" + USERSPACE),
            Map.entry("EXIT_REASON_EPT_VIOLATION", "a GPA inside guest memory (or the APIC page) becomes"
                    + " VM_EXITCODE_PAGING and vm_handle_paging() maps it in the kernel; any other GPA is MMIO:"
                    + " VM_EXITCODE_INST_EMUL (vmexit_inst_emul), emulated in the kernel for the local APIC/IO-APIC/HPET"
                    + " or by bhyve's device models" + USERSPACE),
            Map.entry("EXIT_REASON_CPUID", "handled in the kernel: vmx_handle_cpuid() -> x86_emulate_cpuid()"),
            Map.entry("EXIT_REASON_HLT", "becomes VM_EXITCODE_HLT; vm_handle_hlt() in sys/amd64/vmm/vmm.c sleeps the vCPU"
                    + " until an interrupt is pending (it stops the VM only when every vCPU halts with interrupts off)"),
            Map.entry("EXIT_REASON_MSR_READ", "emulate_rdmsr() in the kernel (local APIC and a few architectural MSRs);"
                    + " otherwise VM_EXITCODE_RDMSR goes to bhyve's vmexit_rdmsr()" + USERSPACE),
            Map.entry("EXIT_REASON_MSR_WRITE", "emulate_wrmsr() in the kernel; otherwise VM_EXITCODE_WRMSR goes to bhyve's"
                    + " vmexit_wrmsr()" + USERSPACE),
            Map.entry("EXIT_REASON_CR_ACCESS", "handled in the kernel for CR0 (vmx_emulate_cr0_access), CR4"
                    + " (vmx_emulate_cr4_access) and CR8 (vmx_emulate_cr8_access, via the virtual local APIC's TPR);"
                    + " other CR numbers fall through as an unhandled VM_EXITCODE_VMX"),
            Map.entry("EXIT_REASON_EXCEPTION_NMI", "NMIs are passed to the host (vmx_exit_handle_nmi); #MC is handed to"
                    + " the host's handler; #BP goes to userspace as VM_EXITCODE_BPT when VM_CAP_BPT_EXIT is set; every"
                    + " other intercepted exception is reflected into the guest with vm_inject_exception()"),
            Map.entry("EXIT_REASON_EXTERNAL_INTERRUPT", "handled in the kernel: vmx_trigger_hostintr() runs the host's"
                    + " handler for the vector, the guest resumes at the same RIP"),
            Map.entry("EXIT_REASON_TRIPLE_FAULT", "no case in vmx_exit_process(): counted as VMEXIT_UNKNOWN and returned"
                    + " as VM_EXITCODE_VMX, so bhyve's vmexit_vmx() prints a 'vm exit[N]' block and stops the VM"),
            Map.entry("EXIT_REASON_INIT_SIGNAL", "no case in vmx_exit_process(): VMEXIT_UNKNOWN, VM_EXITCODE_VMX,"
                    + " the VM stops; guest INIT/SIPI IPIs are emulated by bhyve's vlapic, not seen as these exits"),
            Map.entry("EXIT_REASON_SIPI_SIGNAL", "no case in vmx_exit_process(): VMEXIT_UNKNOWN, VM_EXITCODE_VMX,"
                    + " the VM stops; guest SIPIs are emulated by bhyve's vlapic"),
            Map.entry("EXIT_REASON_VMCALL", "becomes VM_EXITCODE_VMINSN (as do the other VMX instructions); vm_run() in"
                    + " sys/amd64/vmm/vmm.c injects #UD into the guest"),
            Map.entry("EXIT_REASON_INVD", "ignored: the instruction is skipped"),
            Map.entry("EXIT_REASON_WBINVD", "ignored: the instruction is skipped"));

    /** Handling of a VMX exit by name; reasons without a case get the default branch's behaviour. */
    static String vmx(String name) {
        return Optional.ofNullable(VMX.get(name)).orElse("no dedicated case found for it here: unclaimed exits are"
                + " counted as VMEXIT_UNKNOWN and reach bhyve userspace as VM_EXITCODE_VMX, where vmexit_vmx() prints a"
                + " 'vm exit[N]' block and stops the VM (usr.sbin/bhyve/amd64/vmexit.c)");
    }

    static boolean injectsUd(String name) { return INJECT_UD.equals(SVM.get(name)); }
}
