package dev.vmscope.explain.report;

/** Citations for facts the report itself establishes (relations and hypervisor behaviour). */
final class Cite {
    private Cite() {}

    static final String BHYVE_SVM = "FreeBSD sys/amd64/vmm/amd/svm.c svm_vmexit()";
    static final String BHYVE_VMX = "FreeBSD sys/amd64/vmm/intel/vmx.c vmx_exit_process()";
    static final String BHYVE_VMM = "FreeBSD sys/amd64/vmm/vmm.c";
    static final String BHYVECTL = "FreeBSD usr.sbin/bhyvectl/bhyvectl.c";
    static final String BHYVECTL_MD = "FreeBSD usr.sbin/bhyvectl/amd64/bhyvectl_machdep.c";
    static final String BHYVE_VMEXIT = "FreeBSD usr.sbin/bhyve/amd64/vmexit.c";
    static final String PAGING = "AMD64 APM vol. 2, 5.1 \"Page Translation Overview\"; Intel SDM vol. 3, 4.1";
    static final String NPT = "AMD64 APM vol. 2, 15.25 \"Nested Paging\"";
    static final String INTERRUPTS = "AMD64 APM vol. 2, 8.5 \"Interrupt Masking\" and 3.1.6 (RFLAGS.TF/IF)";
    static final String KVM_TRACE = "Linux arch/x86/kvm/trace.h";
    static final String PERF_KVM = "Linux tools/perf/builtin-kvm.c";
    static final String QEMU_DUMP = "QEMU target/i386/cpu-dump.c x86_cpu_dump_state()";
    static final String QEMU_KVM = "QEMU accel/kvm/kvm-all.c kvm_handle_internal_error()";
    static final String CRASH = "vmscope dev.vmscope.debug.CrashReport (crash report writer)";
    static final String RECORDER = "vmscope dev.vmscope.debug.FlightRecorder (last exits per vCPU)";
    static final String KVM_X86 = "Linux arch/x86/kvm/vmx/vmx.c __vmx_handle_exit() and arch/x86/kvm/svm/svm.c svm_handle_exit()";
    static final String MODES = "Intel SDM vol. 3A, 2.2 \"Modes of Operation\" and 5.2.1 (CS.L/CS.D); AMD64 APM vol. 2, 1.2"
            + " \"Operating Modes\" and 4.8.1 (code-segment L/D bits)";
    static final String DOUBLE_FAULT = "Intel SDM vol. 3A, 6.15 \"Exception and Interrupt Reference\", Interrupt 8 (#DF) and"
            + " table 6-5 (conditions for a double fault); AMD64 APM vol. 2, 8.2.9 (#DF)";
    static final String IDT = "Intel SDM vol. 3A, 6.10 \"Interrupt Descriptor Table\" (gate at base + 8*vector, #GP beyond the"
            + " limit) and 6.14.1 (16-byte gates in IA-32e mode); 20.1.4 (4-byte real-mode IVT entries)";
    static final String SHADOW = "Intel SDM vol. 3C, 25.6.6 \"Guest/Host Masks and Read Shadows for CR0 and CR4\"";
    static final String SEG = "Intel SDM vol. 3C, 25.4.1 table 25-2 (access rights: type 0-3, S 4, DPL 5-6, P 7, AVL 12, L 13,"
            + " D/B 14, G 15, unusable 16); QEMU target/i386/cpu-dump.c (flags = descriptor bits 8-23)";
    static final String ENTRY_CHECKS = "Intel SDM vol. 3C, 27.3.1.2 \"Checks on Guest Segment Registers\"";
    static final String VMX_C = "Linux arch/x86/kvm/vmx/vmx.c";
    static final String SVM_C = "Linux arch/x86/kvm/svm/svm.c";
    static final String X86_C = "Linux arch/x86/kvm/x86.c";
    static final String QEMU_DOC = "QEMU documentation, \"Invocation\" (-d, -no-reboot, -accel) and \"QEMU Monitor\"";
    static final String QEMU_I386_KVM = "QEMU target/i386/kvm/kvm.c kvm_arch_handle_exit()";
}
