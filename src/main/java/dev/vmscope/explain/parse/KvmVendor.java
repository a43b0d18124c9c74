package dev.vmscope.explain.parse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Which virtualization extension the host used, from what a KVM paste itself proves; never from a default. Each rule
 * names its source. Guest-printed CPU vendors are no evidence: QEMU's default qemu64 model says AuthenticAMD on
 * every host.
 */
final class KvmVendor {
    private KvmVendor() {}

    record Verdict(Vendor vendor, String evidence) {}

    static Verdict of(List<KvmEvent> events, Map<String, Long> extra, byte[] raw) {
        for (KvmEvent e : events) {
            Verdict v = switch (e) {
                case KvmEvent.EntryFailed f when f.reason() != null && f.reason() == 0xffffffffL -> new Verdict(Vendor.AMD,
                        "entry failure reason 0xffffffff is SVM_EXIT_ERR, the only reason svm.c reports with"
                        + " KVM_EXIT_FAIL_ENTRY (Linux arch/x86/kvm/svm/svm.c svm_handle_exit())");
                case KvmEvent.EntryFailed f when f.printer().equals("Xen") -> new Verdict(Vendor.INTEL,
                        "Xen's \"vmentry failure\" message comes from its VMX code (xen/arch/x86/hvm/vmx/vmx.c)");
                case KvmEvent.EntryFailed f when f.reason() != null -> new Verdict(Vendor.INTEL, "entry failure reason 0x"
                        + Long.toHexString(f.reason()) + " is not SVM_EXIT_ERR (0xffffffff), the only value svm.c reports;"
                        + " vmx.c reports the exit reason (bit 31 set) or the VM-instruction error (Linux"
                        + " arch/x86/kvm/vmx/vmx.c __vmx_handle_exit())");
                case KvmEvent.UnhandledExit u when (u.value() & 0x80000000L) != 0 && u.value() < 0x100000000L -> new Verdict(
                        Vendor.INTEL, "0x" + Long.toHexString(u.value()) + " has bit 31 set: a VMX exit reason for a failed"
                        + " VM entry (Intel SDM vol. 3C, 25.9.1 \"Basic VM-Exit Information\", exit reason bit 31)");
                case KvmEvent.InternalError i when i.suberror() != null && i.suberror() == 2 -> new Verdict(Vendor.INTEL,
                        "suberror 2 (KVM_INTERNAL_ERROR_SIMUL_EX) is raised only by vmx.c handle_exception_nmi()");
                case KvmEvent.InternalError i when i.suberror() != null && i.suberror() == 3 && i.data().size() > 1
                        && (i.data().get(1) & 0xffff) >= 9 && (i.data().get(1) & 0xffff) <= 0x40 -> new Verdict(Vendor.INTEL,
                        "suberror 3 with exit reason 0x" + Long.toHexString(i.data().get(1)) + " in extra data[1]: a VMX"
                        + " exit reason; on AMD this path reports SVM_EXIT_NPF (0x400) (Linux arch/x86/kvm/vmx/vmx.c"
                        + " __vmx_handle_exit(), arch/x86/kvm/x86.c kvm_prepare_event_vectoring_exit())");
                case KvmEvent.VmcsDump d -> new Verdict(Vendor.INTEL, "a VMCS guest-state dump (\"*** Guest State ***\","
                        + " Linux arch/x86/kvm/vmx/vmx.c dump_vmcs()) exists only on VMX");
                case KvmEvent.VmcbDump d -> new Verdict(Vendor.AMD, "\"FAILED VMRUN WITH VMCB\" is printed by"
                        + " arch/x86/kvm/svm/svm.c dump_vmcb() only");
                case KvmEvent.HostCpu h when h.vendorId() != null && h.vendorId().equals("GenuineIntel") -> new Verdict(
                        Vendor.INTEL, "the host's /proc/cpuinfo says vendor_id GenuineIntel");
                case KvmEvent.HostCpu h when h.vendorId() != null && h.vendorId().equals("AuthenticAMD") -> new Verdict(
                        Vendor.AMD, "the host's /proc/cpuinfo says vendor_id AuthenticAMD");
                default -> null;
            };
            if (v != null) return v;
        }
        Long efer = extra.get("VMCB.EFER");
        if (efer != null && (efer & 1L << 12) != 0) {
            return new Verdict(Vendor.AMD, "the VMCB's EFER has SVME (bit 12) set (AMD APM vol. 2, 15.5.1)");
        }
        String s = new String(raw, 0, Math.min(raw.length, 1 << 20), StandardCharsets.ISO_8859_1);
        if (s.contains("kvm_intel") || s.contains("kvm-intel")) {
            return new Verdict(Vendor.INTEL, "the messages come from the kvm_intel module (VMX)");
        }
        if (s.contains("kvm_amd") || s.contains("kvm-amd")) {
            return new Verdict(Vendor.AMD, "the messages come from the kvm_amd module (SVM)");
        }
        return new Verdict(Vendor.UNKNOWN, "");
    }
}
