package dev.vmscope.facts;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * VM-instruction error numbers (VMCS field 0x4400), e.g. bhyve's VM_EXITCODE_VMX with status != 0
 * reports one as {@code inst_error}. Source: Intel SDM vol. 3, 31.4 "VM Instruction Error Numbers".
 */
public final class VmxInstructionErrors {
    private VmxInstructionErrors() {}

    private static final String SRC = "Intel SDM vol. 3, 31.4 \"VM Instruction Error Numbers\" table 31-1";

    private static final Object[][] ROWS = {
        {1, "VMCALL executed in VMX root operation"},
        {2, "VMCLEAR with invalid physical address"},
        {3, "VMCLEAR with VMXON pointer"},
        {4, "VMLAUNCH with non-clear VMCS"},
        {5, "VMRESUME with non-launched VMCS"},
        {6, "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)"},
        {7, "VM entry with invalid control field(s)"},
        {8, "VM entry with invalid host-state field(s)"},
        {9, "VMPTRLD with invalid physical address"},
        {10, "VMPTRLD with VMXON pointer"},
        {11, "VMPTRLD with incorrect VMCS revision identifier"},
        {12, "VMREAD/VMWRITE from/to unsupported VMCS component"},
        {13, "VMWRITE to read-only VMCS component"},
        {15, "VMXON executed in VMX root operation"},
        {16, "VM entry with invalid executive-VMCS pointer"},
        {17, "VM entry with non-launched executive VMCS"},
        {18, "VM entry with executive-VMCS pointer not VMXON pointer"},
        {19, "VMCALL with non-clear VMCS"},
        {20, "VMCALL with invalid VM-exit control fields"},
        {22, "VMCALL with incorrect MSEG revision identifier"},
        {23, "VMXOFF under dual-monitor treatment of SMIs and SMM"},
        {24, "VMCALL with invalid SMM-monitor features"},
        {25, "VM entry with invalid VM-execution control fields in executive VMCS"},
        {26, "VM entry with events blocked by MOV SS"},
        {28, "invalid operand to INVEPT/INVVPID"},
    };

    private static final CodeTable TABLE = build();

    private static CodeTable build() {
        List<ExitCodeInfo> l = new ArrayList<>();
        for (Object[] r : ROWS) {
            int n = (Integer) r[0];
            String cause = n == 7 || n == 8 ? "hypervisor programmed the VMCS inconsistently with the VMX capability MSRs"
                    : n == 26 ? "entry right after MOV SS/POP SS with an event to inject" : "hypervisor bug or nested-VMX guest";
            l.add(new ExitCodeInfo(n, "VMXERR_" + n, (String) r[1], cause, SRC));
        }
        return new CodeTable("VMX VM-instruction error numbers", l);
    }

    public static CodeTable table() { return TABLE; }

    public static Optional<ExitCodeInfo> lookup(long n) { return TABLE.lookup(n); }
}
