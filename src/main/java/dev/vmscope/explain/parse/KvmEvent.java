package dev.vmscope.explain.parse;

import java.util.List;

/**
 * One thing KVM, QEMU or another VMM on KVM reported, as read from a paste (line = where it was printed). The texts
 * come from QEMU accel/kvm/kvm-all.c and target/i386/kvm/kvm.c, old qemu-kvm's qemu-kvm.c, Linux
 * arch/x86/kvm/{x86.c,vmx/vmx.c,svm/svm.c} (dump_vmcs, dump_vmcb, unhandled MSR messages), cloud-hypervisor's
 * VmExit errors, firecracker's vCPU log and Xen's vmx.c.
 */
public sealed interface KvmEvent {
    int line();

    /**
     * KVM_EXIT_FAIL_ENTRY: {@code reason} is kvm_run.fail_entry.hardware_entry_failure_reason (null when the printer
     * did not show it), {@code cpu} the host CPU of the last entry when printed.
     */
    record EntryFailed(Long reason, Integer cpu, String printer, int line) implements KvmEvent {}

    /** KVM_EXIT_INTERNAL_ERROR with its suberror (null: not printed) and the extra data words QEMU printed. */
    record InternalError(Integer suberror, List<Long> data, int line) implements KvmEvent {}

    /** Old qemu-kvm's "kvm: unhandled exit %llx": a hardware exit reason or entry-failure reason it had no handler for. */
    record UnhandledExit(long value, int line) implements KvmEvent {}

    /**
     * KVM_RUN itself failed: "kvm_run returned -22" (old qemu-kvm) or "error: kvm run failed Invalid argument" (QEMU
     * accel/kvm/kvm-all.c kvm_cpu_exec()); errno is positive, 0 when only the text was printed.
     */
    record RunErrno(long errno, String text, int line) implements KvmEvent {}

    /** A KVM_SET_* ioctl refused the state the VMM wanted to load ("Failed to put registers after init: ..."). */
    record StateRejected(String what, String error, int line) implements KvmEvent {}

    /** The kernel's "unhandled rdmsr/wrmsr" warning: the guest touched an MSR KVM does not emulate. */
    record UnhandledMsr(boolean write, long msr, Long data, Integer vcpu, Long rip, int line) implements KvmEvent {}

    /** "KVM: FAILED VMRUN WITH VMCB:" (svm.c dump_vmcb after SVM_EXIT_ERR). */
    record VmcbDump(int line) implements KvmEvent {}

    /** "*** Guest State ***" (vmx.c dump_vmcs, or Xen's vmcs_dump_vcpu); cpu from "last attempted VM-entry on CPU n". */
    record VmcsDump(Integer cpu, String printer, int line) implements KvmEvent {}

    /** /proc/cpuinfo lines of the host: vendor_id and flags. */
    record HostCpu(String vendorId, String flags, int line) implements KvmEvent {}
}
