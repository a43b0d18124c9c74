package dev.vmscope.explain.report;

/** Citations for facts the report itself establishes (relations and hypervisor behaviour). */
final class Cite {
    private Cite() {}

    static final String BHYVE_SVM = "FreeBSD sys/amd64/vmm/amd/svm.c svm_vmexit()";
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
    static final String QEMU_I386_KVM = "QEMU target/i386/kvm/kvm.c kvm_arch_handle_exit()";
}
