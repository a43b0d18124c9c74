package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.KvmEvent;
import dev.vmscope.explain.parse.QemuDump;
import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.ControlRegisters;
import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.Msrs;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A KVM paste: what each reported event means on this host (VMfail vs a failed VM entry vs SVM_EXIT_ERR, the
 * suberror and its data, rejected state, unhandled MSRs), the guest state around it, and what to do next.
 */
final class KvmEventExplainer {
    static final String WHAT = "What happened";

    private final QemuDump d;
    private final Report.Builder r;
    private final EnumSet<NextStep> steps = EnumSet.noneOf(NextStep.class);

    KvmEventExplainer(QemuDump d, Report.Builder r) {
        this.d = d;
        this.r = r;
    }

    void explain() {
        if (d.vendor() != Vendor.UNKNOWN) r.fact(WHAT, "host vendor: " + d.vendor().label + " (evidence: " + d.evidence() + ")",
                "vmscope explain: vendor inferred from the paste (rules in dev.vmscope.explain.parse.KvmVendor)", 0);
        else if (!d.events().isEmpty()) r.fact(WHAT, "host vendor: unknown (nothing in the paste proves VMX or SVM; a"
                + " guest-printed CPU vendor is no evidence)", "vmscope explain", 0);
        List<KvmEvent.InternalError> internals = new ArrayList<>();
        Map<Long, List<KvmEvent.UnhandledMsr>> msrs = new LinkedHashMap<>();
        for (KvmEvent e : d.events()) {
            switch (e) {
                case KvmEvent.EntryFailed f -> entryFailed(f);
                case KvmEvent.UnhandledExit u -> unhandledExit(u);
                case KvmEvent.InternalError i -> internals.add(i);
                case KvmEvent.RunErrno n -> {
                    r.fact(WHAT, "the KVM_RUN ioctl itself failed" + (n.errno() > 0 ? " with " + errno(n.errno()) + " (errno "
                            + n.errno() + ")" : "") + (n.text().isEmpty() ? "" : " ('" + n.text() + "')") + ": this is not a VM"
                            + " exit with a reason; KVM refused to run the vCPU and the VMM stopped", Cite.QEMU_KVM.replace(
                            "kvm_handle_internal_error()", "kvm_cpu_exec() (\"kvm run failed %s\")") + "; Linux"
                            + " include/uapi/asm-generic/errno-base.h", n.line());
                    NextStep.add(r, steps, NextStep.HOST_DMESG);
                }
                case KvmEvent.StateRejected s -> rejected(s);
                case KvmEvent.UnhandledMsr m -> msrs.computeIfAbsent(m.msr() << 1 | (m.write() ? 1 : 0), k -> new ArrayList<>()).add(m);
                case KvmEvent.VmcbDump v -> vmcb(v);
                case KvmEvent.VmcsDump v -> r.fact(WHAT, (v.printer().equals("Xen") ? "Xen's VMCS dump" : "the kernel's VMCS"
                        + " dump (dump_vmcs)") + " (\"*** Guest State ***\") follows:"
                        + " the guest state of the VMCS" + (v.cpu() == null ? "" : "; the last VM entry was attempted on host"
                        + " CPU " + v.cpu()), v.printer().equals("Linux") ? Cite.VMX_C + " dump_vmcs()" : "Xen"
                        + " xen/arch/x86/hvm/vmx/vmcs.c vmcs_dump_vcpu()", v.line());
                case KvmEvent.HostCpu h -> hostCpu(h);
            }
        }
        internals(internals);
        msrs.values().forEach(this::msr);
        GuestMode m = new GuestStateExplainer(d, r).explain();
        if (m != null && Boolean.FALSE.equals(m.paging())) stackGpa();
        if (d.recognized() > 0 && steps.isEmpty() && !d.events().isEmpty()) NextStep.add(r, steps, NextStep.TRACE_EXITS);
    }

    private void entryFailed(KvmEvent.EntryFailed f) {
        String who = switch (f.printer()) {
            case "QEMU" -> Cite.QEMU_I386_KVM + " (\"KVM: entry failed, hardware error 0x%x\")";
            case "cloud-hypervisor" -> "cloud-hypervisor hypervisor/src/kvm (VmExit FailEntry(hardware reason, cpu))";
            case "Xen" -> "Xen xen/arch/x86/hvm/vmx/vmx.c vmx_failed_vmentry()";
            default -> "KVM_EXIT_FAIL_ENTRY, " + dev.vmscope.facts.Sources.LINUX_KVM + " (kvm_run.fail_entry)";
        };
        String cpu = f.cpu() == null ? "" : "; the last VM entry was attempted on host CPU " + f.cpu();
        if (f.reason() == null) {
            r.fact(WHAT, "KVM_EXIT_FAIL_ENTRY: the VM entry failed; the hardware reason is not in the paste, so why is"
                    + " unknown" + cpu, who, f.line());
            NextStep.add(r, steps, NextStep.DUMP_VMCS, NextStep.DUMP_VMCB);
            return;
        }
        long hw = f.reason();
        if (hw == 0xffffffffL && d.vendor() != Vendor.INTEL) {
            r.fact(WHAT, "hardware error 0xffffffff is SVM_EXIT_ERR (VMEXIT_INVALID): VMRUN refused the VMCB (an invalid"
                    + " guest state or control) before running any guest instruction; svm.c reports it as"
                    + " KVM_EXIT_FAIL_ENTRY" + cpu, Cite.SVM_C + " svm_handle_exit(); "
                    + dev.vmscope.facts.Sources.APM_EXITCODES, f.line());
            NextStep.add(r, steps, NextStep.DUMP_VMCB);
            return;
        }
        if ((hw & 0x80000000L) != 0 && hw < 0x100000000L) {
            Optional<ExitCodeInfo> e = Knowledge.exit(Vendor.INTEL, hw & 0xffff);
            r.fact(WHAT, "hardware error 0x" + Long.toHexString(hw) + ": bit 31 set = VM-entry failure, reported like a VM"
                    + " exit; basic exit reason " + (hw & 0xffff) + e.map(x -> " = " + x.name() + " - " + x.meaning())
                    .orElse(" (not in the table)") + cpu, dev.vmscope.facts.Sources.SDM_EXIT + "; " + who, f.line());
            if (f.printer().equals("Xen")) {
                NextStep.add(r, steps, NextStep.XEN_VMCS);
            } else if ((hw & 0xffff) == 33) {
                r.fact(WHAT, "VM-entry failure due to invalid guest state: the guest registers failed the checks of Intel"
                        + " SDM vol. 3C 27.3.1; without unrestricted guest, real mode and 'big real mode' are such states",
                        "Intel SDM vol. 3C, 27.3.1 and 27.8 (VM-entry failures during or after loading guest state)", f.line());
                NextStep.add(r, steps, NextStep.DUMP_VMCS, NextStep.UNRESTRICTED);
                if (f.printer().equals("QEMU")) NextStep.add(r, steps, NextStep.TDP_MMU);
            } else {
                NextStep.add(r, steps, NextStep.DUMP_VMCS);
            }
            return;
        }
        Optional<ExitCodeInfo> ie = Knowledge.vmxInstructionError(hw);
        r.fact(WHAT, "hardware error 0x" + Long.toHexString(hw) + " has bit 31 clear, so it is not an exit reason: the"
                + " VMLAUNCH/VMRESUME instruction itself failed (VMfail) and KVM passed on the VM-instruction error field"
                + (hw == 0 ? " (0: no error number was recorded - VMfailInvalid, or the field was never written)"
                : ie.map(x -> " = error " + hw + ": " + x.meaning()).orElse(" (error number " + hw + " is not in the table)"))
                + cpu, Cite.VMX_C + " __vmx_handle_exit() (vmx->fail: hardware_entry_failure_reason ="
                + " vmcs_read32(VM_INSTRUCTION_ERROR)); Intel SDM vol. 3C, 31.4 \"VM Instruction Error Numbers\"; " + who,
                f.line());
        NextStep.add(r, steps, NextStep.DUMP_VMCS, NextStep.NESTED);
    }

    private void unhandledExit(KvmEvent.UnhandledExit u) {
        r.fact(WHAT, "old qemu-kvm printed 'kvm: unhandled exit " + Long.toHexString(u.value()) + "': the hardware reason of"
                + " an exit it has no handler for (kvm_run.hw.hardware_exit_reason, or fail_entry's reason)",
                "qemu-kvm 0.x qemu-kvm.c handle_unhandled()", u.line());
        entryFailed(new KvmEvent.EntryFailed(u.value(), null, "qemu-kvm", u.line()));
    }

    private void rejected(KvmEvent.StateRejected s) {
        r.fact(WHAT, "a KVM_SET_* ioctl refused the vCPU state the VMM loaded (" + s.what() + ": " + s.error() + ", i.e. "
                + (s.error().toLowerCase().contains("invalid argument") ? "EINVAL" : s.error()) + "): this is not a VM exit;"
                + " the guest did not run with this state. The registers below are what the VMM tried to load",
                Cite.QEMU_KVM.replace("kvm_handle_internal_error()", "kvm_cpu_exec() (\"Failed to put registers after init\")")
                + "; " + Cite.X86_C + " kvm_arch_vcpu_ioctl_set_sregs()", s.line());
        NextStep.add(r, steps, NextStep.STRACE_SET);
    }

    private void internals(List<KvmEvent.InternalError> all) {
        if (all.isEmpty()) return;
        if (all.size() > 1) {
            long distinct = all.stream().map(i -> i.suberror() + ":" + i.data()).distinct().count();
            r.fact(WHAT, all.size() + " internal errors are in the paste (" + distinct + " distinct): QEMU prints one per"
                    + " failing vCPU exit, so several vCPUs (or several runs) failed", Cite.QEMU_KVM, all.getFirst().line());
        }
        List<String> seen = new ArrayList<>();
        for (KvmEvent.InternalError i : all) {
            String key = i.suberror() + ":" + i.data();
            if (seen.contains(key)) continue;
            seen.add(key);
            if (i.suberror() == null) {
                r.fact(WHAT, "KVM_EXIT_INTERNAL_ERROR: KVM gave up on this exit; the suberror is not in the paste, so the"
                        + " cause is unknown (1 emulation failure, 2 simultaneous exceptions, 3 event delivery, 4"
                        + " unexpected exit reason)", dev.vmscope.facts.Sources.LINUX_KVM, i.line());
                NextStep.add(r, steps, NextStep.SUBERROR, NextStep.TRACE_EXITS);
                continue;
            }
            Optional<ExitCodeInfo> e = Knowledge.kvmInternalError(i.suberror());
            r.fact(WHAT, "KVM internal error, suberror " + i.suberror() + e.map(x -> " = " + x.name() + ": " + x.meaning())
                    .orElse(" (unknown suberror)"), e.map(ExitCodeInfo::source).orElse(dev.vmscope.facts.Sources.LINUX_KVM)
                    + "; " + Cite.QEMU_KVM, i.line());
            InternalErrorData data = new InternalErrorData(r, d.vendor(), i.line(), WHAT);
            data.explain(i.suberror(), i.data());
            if (data.gpa != null) gpa = data.gpa;
            NextStep.add(r, steps, switch (i.suberror()) {
                case 1 -> NextStep.TRACE_EMULATION;
                case 2, 3 -> NextStep.TCG_INT;
                default -> NextStep.TRACE_EXITS;
            });
            if (i.suberror() == 1 || i.suberror() == 3) NextStep.add(r, steps, NextStep.QEMU_MTREE);
        }
    }

    private Long gpa;

    /** A guest-physical address from the error next to the stack pointer: delivery pushed onto unbacked memory. */
    private void stackGpa() {
        Long sp = d.registers().containsKey("RSP") ? d.registers().get("RSP") : d.registers().get("ESP");
        if (gpa == null || sp == null || Math.abs(sp - gpa) > 64) return;
        r.fact(WHAT, "the guest-physical address 0x" + Long.toHexString(gpa) + " is " + Math.abs(sp - gpa) + " bytes from"
                + " ESP/RSP 0x" + Long.toHexString(sp) + " (paging is off, so the stack address is physical): pushing the"
                + " exception frame onto the stack hit memory that is not RAM", "Intel SDM vol. 3A, 6.12.1 (exception"
                + " frame pushed on the stack)", 0);
    }

    private void msr(List<KvmEvent.UnhandledMsr> ms) {
        KvmEvent.UnhandledMsr m = ms.getFirst();
        Optional<Msrs.Msr> x = Knowledge.msr(m.msr());
        List<String> vcpus = ms.stream().map(e -> e.vcpu() == null ? "?" : "vcpu" + e.vcpu()).distinct().toList();
        r.fact(WHAT, (m.write() ? "WRMSR" : "RDMSR") + " of MSR 0x" + Long.toHexString(m.msr()) + x.map(y -> " = " + y.name()
                + " (" + y.meaning() + ")").orElse(" (not in vmscope's MSR table)") + (m.data() == null ? "" : ", value 0x"
                + Long.toHexString(m.data())) + " by " + String.join(", ", vcpus) + (m.rip() == null ? "" : " at guest RIP 0x"
                + Long.toHexString(m.rip()) + " (guest-virtual)") + ": KVM does not emulate this MSR, so it injected #GP"
                + " into the guest (unless kvm.ignore_msrs=1, which ignores the write or returns 0)",
                x.map(Msrs.Msr::source).orElse(dev.vmscope.facts.Sources.SDM_MSR) + "; " + Cite.X86_C
                + " kvm_msr_ignored_check(), kvm_get_msr_common()/kvm_set_msr_common()", m.line());
        if (m.msr() == 0xc0000080L && m.data() != null) {
            r.fact(WHAT, "the EFER value 0x" + Long.toHexString(m.data()) + ": " + ControlRegisters.EFER.decode(m.data())
                    .summary(), ControlRegisters.EFER.source(), m.line());
        }
        NextStep.add(r, steps, NextStep.IGNORE_MSRS);
    }

    private void vmcb(KvmEvent.VmcbDump v) {
        r.fact(WHAT, "\"FAILED VMRUN WITH VMCB\": svm.c printed the VMCB VMRUN refused (dump_vmcb)", Cite.SVM_C
                + " svm_handle_exit(), dump_vmcb()", v.line());
        Long efer = d.extra().get("VMCB.EFER"), cr0 = d.extra().get("VMCB.CR0");
        if (efer != null) r.fact(WHAT, "VMCB save-area EFER 0x" + Long.toHexString(efer) + ": "
                + ControlRegisters.EFER.decode(efer).summary() + ((efer & 1L << 12) != 0 ? " (SVME must be 1 in the guest"
                + " EFER for VMRUN)" : ""), ControlRegisters.EFER.source() + "; AMD64 APM vol. 2, 15.5.1", v.line());
        if (cr0 != null) r.fact(WHAT, "VMCB save-area CR0 0x" + Long.toHexString(cr0) + ": " + ControlRegisters.CR0.decode(cr0)
                .summary() + ((cr0 & 1L << 31) != 0 && (cr0 & 1) == 0 ? " - PG=1 with PE=0 is SVM's paged real mode, which"
                + " KVM uses for a real-mode guest when nested paging is off (shadow paging)" : ""), "AMD64 APM vol. 2, 15.19"
                + " \"Paged Real Mode\"; " + Cite.SVM_C + " svm_set_cr0()", v.line());
        NextStep.add(r, steps, NextStep.DUMP_VMCB);
    }

    private void hostCpu(KvmEvent.HostCpu h) {
        List<String> f = List.of(h.flags().split("\\s+"));
        boolean vmx = f.contains("vmx"), svm = f.contains("svm"), ept = f.contains("ept"), npt = f.contains("npt");
        if (!vmx && !svm) return;
        r.fact(WHAT, "host CPU flags: " + (vmx ? "vmx" : "svm") + (vmx ? ept ? ", ept" : ", no ept - so no unrestricted"
                + " guest (it requires EPT): real-mode and big-real-mode guest code cannot run natively"
                : npt ? ", npt" : ", no npt"), "Linux arch/x86/include/asm/cpufeatures.h (cpuinfo flags); Intel SDM vol. 3C,"
                + " 27.2.1.1 (unrestricted guest requires enable EPT)", h.line());
    }

    static String errno(long e) {
        return switch ((int) e) {
            case 1 -> "EPERM";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 12 -> "ENOMEM";
            case 14 -> "EFAULT";
            case 22 -> "EINVAL";
            default -> "errno " + e;
        };
    }
}
