package dev.vmscope.explain;

import dev.vmscope.explain.report.Explainer;
import dev.vmscope.explain.report.Report;
import dev.vmscope.explain.report.ReportRenderer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vmscope explain over every sample format, and the relations that need specific field combinations. */
class ExplainFormatsTest {
    private static String explain(String sample, int status) {
        Samples.Run r = Samples.cli("explain", Samples.path(sample).toString());
        assertEquals(status, r.status(), r.out() + r.err());
        return r.out();
    }

    private static String explainText(String name, String text) {
        Report r = Explainer.explain(name, text.getBytes(StandardCharsets.UTF_8), Optional.empty());
        return ReportRenderer.text(r);
    }

    @Test
    void intelGetAll() {
        String t = explain("intel-getall.1.txt", 0);
        assertTrue(t.contains("vendor: Intel (VMX, VMCS)"), t);
        assertTrue(t.contains("exit_reason[1] = 0x30: EXIT_REASON_EPT_VIOLATION"), t);
        assertTrue(t.contains("exit qualification 0x0000000000000182 (VMX exit qualification (EPT violation)): write (bit 1)"), t);
        assertTrue(t.contains("pending (event that was being delivered at the last exit, to be re-injected): exception"
                + " vector 14 = #PF (page fault), error code 0x2"), t);
        // VMCS control words decoded with the VmxControls tables, and bhyve's Intel exit handling.
        assertTrue(t.contains("pinbased_ctls 0x000000000000007f (VMX pin-based VM-execution controls): set"
                + " PIN_BASED_EXT_INTR_MASK, PIN_BASED_NMI_EXITING, PIN_BASED_VIRTUAL_NMIS, PIN_BASED_VMX_PREEMPTION_TIMER;"
                + " reserved bits as required"), t);
        assertTrue(t.contains("procbased_ctls2 0x00000000000010aa (VMX secondary processor-based VM-execution controls): set"
                + " SECONDARY_EXEC_ENABLE_EPT, SECONDARY_EXEC_ENABLE_RDTSCP, SECONDARY_EXEC_ENABLE_VPID,"
                + " SECONDARY_EXEC_UNRESTRICTED_GUEST, SECONDARY_EXEC_ENABLE_INVPCID"), t);
        assertTrue(t.contains("entry_ctls 0x000000000000d3ff"), t);
        assertTrue(t.contains("VM_ENTRY_IA32E_MODE"), t);
        assertTrue(t.contains("bhyve handling of EXIT_REASON_EPT_VIOLATION: a GPA inside guest memory"), t);
        assertTrue(t.contains("source: FreeBSD sys/amd64/vmm/intel/vmx.c vmx_exit_process()"), t);
        assertFalse(t.contains("Other fields:\n  - pinbased_ctls"), t);
    }

    @Test
    void bhyveExitReports() {
        String svm = explain("bhyve-exit-svm.txt", 0);
        assertTrue(svm.contains("vm exit[1] exitcode = 0x8e: SVM_EXIT_RDPRU"), svm);
        assertTrue(svm.contains("reach bhyve userspace as VM_EXITCODE_SVM"), svm);
        String vmx = explain("bhyve-exit-vmx.txt", 0);
        assertTrue(vmx.contains("exit_reason = 0x21: EXIT_REASON_INVALID_STATE"), vmx);
        assertTrue(vmx.contains("instruction emulation failed for bytes [0f01f9] at rip 0xffffffff8103bc1a"), vmx);
        assertTrue(vmx.contains("no device is registered at guest-physical 0xfed40000"), vmx);
        assertTrue(vmx.contains("the port is PCI configuration address"), vmx);
    }

    @Test
    void kvmTracesAndPerfAndQemu() {
        String tc = explain("trace-cmd-intel.txt", 0);
        assertTrue(tc.contains("HLT: 1 exits (9.09% of exits, 98.94% of handling time"), tc);
        assertTrue(tc.contains("IA32_TSC_DEADLINE"), tc);
        assertTrue(tc.contains("KVM handling of EXIT_REASON_HLT: kvm_emulate_halt()"), tc);
        assertTrue(tc.contains("source: Linux arch/x86/kvm/vmx/vmx.c kvm_vmx_exit_handlers[] -> kvm_emulate_halt()"), tc);
        String ps = explain("perf-script-amd.txt", 0);
        assertTrue(ps.contains("vendor: AMD"), ps);
        assertTrue(ps.contains("npf: 1 exits"), ps);
        assertTrue(ps.contains("KVM handling of SVM_EXIT_NPF: kvm_mmu_page_fault()"), ps);
        assertTrue(ps.contains("source: Linux arch/x86/kvm/svm/svm.c npf_interception()"), ps);
        String perf = explain("perf-kvm-stat-intel.txt", 0);
        assertTrue(perf.contains("VM-EXIT HLT: 1830 samples (17.55%), 98.87% of handling time"), perf);
        assertTrue(perf.contains("total samples 10430 (rows add up)"), perf);
        String q = explain("qemu-internal-error.txt", 0);
        assertTrue(q.contains("suberror 1 = KVM_INTERNAL_ERROR_EMULATION"), q);
        assertTrue(q.contains("RIP 0xffffffff81051c29 is guest-virtual"), q);
        assertTrue(q.contains("paging: on (evidence: CR0.PG=1)"), q);
        String e = explain("qemu-entry-failed.txt", 0);
        assertTrue(e.contains("basic exit reason 33 = EXIT_REASON_INVALID_STATE"), e);
        assertTrue(e.contains("CS.base 0xffff0000 + IP 0xfff0 = linear 0xfffffff0, which is the guest-physical address"), e);
        assertTrue(e.contains("next step: load kvm_intel with dump_invalid_vmcs=1"), e);
        String st = explain("bhyve-stats.2.txt", 0);
        assertTrue(st.contains("vcpu2 number of times hlt was intercepted [VMEXIT_HLT]: 100000 (50.00% of 200000 exits)"), st);
    }

    /** bhyve on AMD handles the common exits in svm_vmexit() itself; only exits without a case reach VM_EXITCODE_SVM. */
    @Test
    void bhyveSvmHandlingOfCommonExits() {
        String base = new String(Samples.bytes("0x88.0.txt"), StandardCharsets.UTF_8);
        String io = explainText("io", base.replace("exit_reason[0]\t0x88", "exit_reason[0]\t0x7b"));
        assertTrue(io.contains("bhyve handling of SVM_EXIT_IOIO: svm_handle_io() makes it VM_EXITCODE_INOUT"), io);
        String pf = explainText("pf", base.replace("exit_reason[0]\t0x88", "exit_reason[0]\t0x4e"));
        assertTrue(pf.contains("bhyve handling of SVM_EXIT_EXCP_14: intercepted exception"), pf);
        String cr = explainText("cr", base.replace("exit_reason[0]\t0x88", "exit_reason[0]\t0x10"));
        assertTrue(cr.contains("bhyve handling of SVM_EXIT_WRITE_CR0: not one of the instruction intercepts"), cr);
    }

    @Test
    void relationsForOtherFieldCombinations() {
        String base = new String(Samples.bytes("0x88.0.txt"), StandardCharsets.UTF_8);
        String t = explainText("x", base
                .replace("exitintinfo[0]\t0x0000000000000000", "exitintinfo[0]\t0x0000000280000b0e")
                .replace("cr0[0]\t\t0x0000000080050031", "cr0[0]\t\t0x0000000000000011")
                .replace("suspended cpus:\t 0, 1", "suspended cpus:\t 1")
                .replace("rflags[0]\t0x0000000000040193", "rflags[0]\t0x0000000000000002"));
        assertTrue(t.contains("EXITINTINFO is valid: the exit interrupted the delivery of vector 14 (#PF"), t);
        assertTrue(t.contains("type (bits 8-10) = 3 exception"), t);
        assertTrue(t.contains("paging is off (CR0.PG=0), so CS.base + rip is guest-physical"), t);
        assertTrue(t.contains("suspended vCPUs [1] of active [0, 1]"), t);
        assertTrue(t.contains("IF clear: maskable interrupts are blocked"), t);
        String bad = explainText("y", base.replace("rflags[0]\t0x0000000000040193", "rflags[0]\t0x4019Z"));
        assertTrue(bad.contains("y:38: rflags value '0x4019Z' is not a number"), bad);
    }
}
