package dev.vmscope.explain.report;

import java.util.EnumSet;

/**
 * What to run or change next for a cause explain found, each with the source that documents it. Every explained
 * failure ends with at least one of these (section {@link #SECTION}).
 */
enum NextStep {
    DUMP_VMCS("load kvm_intel with dump_invalid_vmcs=1 (echo Y > /sys/module/kvm_intel/parameters/dump_invalid_vmcs) and"
            + " reproduce: the kernel log then shows the whole VMCS (dump_vmcs) that VM entry refused",
            Cite.VMX_C + " module_param(dump_invalid_vmcs) and dump_vmcs()"),
    UNRESTRICTED("check that the host has unrestricted guest (cat /sys/module/kvm_intel/parameters/unrestricted_guest must"
            + " be Y; it needs EPT): without it, real-mode and big-real-mode guest states are invalid for VMX; with"
            + " emulate_invalid_guest_state=1 KVM emulates such code instead of entering it",
            Cite.VMX_C + " module_param(unrestricted_guest, emulate_invalid_guest_state); Intel SDM vol. 3C, 27.3.1"),
    XEN_VMCS("Xen printed the VMCS with the failure (xl dmesg): check its guest state against the VM-entry checks (SDM"
            + " vol. 3C 27.3.1), and what last changed it (the device model or an introspection tool writing registers)",
            "Xen xen/arch/x86/hvm/vmx/vmx.c vmx_failed_vmentry(), xen/arch/x86/hvm/vmx/vmcs.c vmcs_dump_vcpu()"),
    TDP_MMU("on older Intel CPUs with Linux 5.15 and later, the Proxmox VE developers report this failure fixed by"
            + " firmware/microcode updates or by booting the host with kvm.tdp_mmu=N",
            "Proxmox VE forum, \"KVM: entry failed, hardware error 0x80000021\" (Linux arch/x86/kvm/mmu/mmu.c tdp_mmu)"),
    DUMP_VMCB("load kvm_amd with dump_invalid_vmcb=1 (echo Y > /sys/module/kvm_amd/parameters/dump_invalid_vmcb): the"
            + " kernel then prints the VMCB VMRUN refused; compare it with the VMRUN consistency checks",
            Cite.SVM_C + " module_param(dump_invalid_vmcb) and dump_vmcb(); AMD64 APM vol. 2, 15.5.1 \"Basic Operation\""
            + " (VMRUN checks)"),
    TRACE_EMULATION("record what KVM tried to emulate: trace-cmd record -e kvm:kvm_exit -e kvm:kvm_emulate_insn -e"
            + " kvm:kvm_mmio -e kvm:kvm_page_fault, then trace-cmd report (and vmscope explain on its output)",
            Cite.KVM_TRACE + " (kvm_emulate_insn, kvm_mmio, kvm_page_fault tracepoints)"),
    QEMU_MTREE("in the QEMU monitor, 'info mtree' shows what (if anything) is mapped at the guest-physical address and"
            + " 'x/8i $pc' (or 'xp' for physical memory) the code there", Cite.QEMU_DOC),
    TCG_INT("reproduce under TCG to see the exception chain: qemu-system-x86_64 -accel tcg -d int,cpu_reset -no-reboot"
            + " (-d int logs every interrupt and exception; it works only with TCG, not KVM)", Cite.QEMU_DOC),
    IGNORE_MSRS("if the guest must survive the access: boot the host with kvm.ignore_msrs=1 (KVM then ignores the write or"
            + " returns 0) and kvm.report_ignored_msrs=0 to silence the log; with libvirt, <msrs unknown='ignore'/> in"
            + " <features>; otherwise give the guest a CPU model that does not make it touch this MSR",
            "Linux Documentation/admin-guide/kernel-parameters.txt (kvm.ignore_msrs, kvm.report_ignored_msrs); "
            + Cite.X86_C + " kvm_msr_ignored_check(); libvirt formatdomain \"Hypervisor features\" (msrs)"),
    NESTED("if this host is itself a virtual machine (nested virtualization, e.g. a cloud instance), the failing VM entry"
            + " is emulated by the outer hypervisor: reproduce on bare metal before suspecting the guest",
            Cite.VMX_C + " (nested VMX is emulated by L0: arch/x86/kvm/vmx/nested.c)"),
    STRACE_SET("find which KVM_SET_* ioctl fails: strace -f -e trace=ioctl -e signal=none on the VMM shows the request"
            + " and EINVAL; KVM_SET_SREGS refuses inconsistent CR0/CR4/EFER combinations (kvm_is_valid_sregs())",
            "strace(1) manual; " + Cite.X86_C + " kvm_is_valid_sregs(), kvm_arch_vcpu_ioctl_set_sregs()"),
    HOST_DMESG("read the host kernel log (dmesg) right after the failure: KVM and its vendor modules log why KVM_RUN"
            + " returned an error (for SEV/SNP guests, e.g. failed page-state or RMP checks), then record the exits before"
            + " it with trace-cmd record -e kvm", Cite.X86_C + " kvm_arch_vcpu_ioctl_run(); " + Cite.KVM_TRACE),
    TRACE_EXITS("record the exits before the failure: trace-cmd record -e kvm:kvm_exit -e kvm:kvm_entry -e"
            + " kvm:kvm_userspace_exit -p <VMM pid>, then trace-cmd report", Cite.KVM_TRACE),
    SUBERROR("get the suberror and extra data: they are in kvm_run.internal (QEMU prints them as 'KVM internal error."
            + " Suberror: N' and 'extra data[i]'); run the guest under QEMU or raise the VMM's log level",
            Cite.QEMU_KVM + "; " + dev.vmscope.facts.Sources.LINUX_KVM + " (struct kvm_run, internal)"),
    BHYVE_STATE("dump the vCPU with bhyvectl --vm=NAME --cpu=N --get-all (registers, VMCS/VMCB fields, exit reason)"
            + " while the VM still exists (before bhyvectl --destroy)", Cite.BHYVECTL),
    BHYVE_EMULATION("bhyve emulates only the instructions its decoder knows for MMIO (vmm_instruction_emul.c); check a newer"
            + " FreeBSD release for support of this instruction, or keep the guest from using it on device memory",
            "FreeBSD sys/amd64/vmm/vmm_instruction_emul.c vmm_decode_instruction()/vmm_emulate_instruction()"),
    BHYVE_DEVICES("find which device the guest expects there: bhyve's ports and MMIO ranges are its own (no ISA"
            + " device is present unless configured): add the device with -s slot,emulation (or -l for LPC devices), or"
            + " make the guest not probe it", "bhyve(8) (-s, -l options); FreeBSD usr.sbin/bhyve/inout.c and mem.c (register_inout,"
            + " register_mem)"),
    TRIPLE_FAULT("the guest took an exception while delivering a double fault: run it under TCG with -d"
            + " int,cpu_reset -no-reboot to see the #GP/#PF -> #DF -> shutdown chain, or attach gdb (-s -S) and break"
            + " before the faulting instruction", Cite.QEMU_DOC + "; Intel SDM vol. 3A, 6.15 (Interrupt 8, #DF)");

    static final String SECTION = "Next steps";

    final String text;
    final String source;

    NextStep(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /** Adds the steps not added before (a paste with several failures names each step once). */
    static void add(Report.Builder r, EnumSet<NextStep> done, NextStep... steps) {
        for (NextStep s : steps) {
            if (done.add(s)) r.fact(SECTION, "next step: " + s.text, s.source, 0);
        }
    }
}
