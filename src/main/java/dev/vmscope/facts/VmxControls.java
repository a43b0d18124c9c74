package dev.vmscope.facts;

import static dev.vmscope.facts.Field.flag;
import static dev.vmscope.facts.Field.reserved;

import java.util.Locale;
import java.util.Optional;

/**
 * VMCS VM-execution, VM-exit and VM-entry control words. Bit positions: {@value #SDM}. Names: {@value #LINUX}
 * (PIN_BASED_*, CPU_BASED_*, SECONDARY_EXEC_*, VM_EXIT_*, VM_ENTRY_*); bits the SDM defines but that header does
 * not name carry an SDM-derived name in the same style and say so. "default1" bits are reserved bits that must be
 * 1 (SDM appendix A.2 and the *_ALWAYSON_WITHOUT_TRUE_MSR masks of the same header); other undefined bits must
 * be 0. The uapi vmx.h in /usr/include has exit reasons only, so these names are not cross-checked against it.
 */
public final class VmxControls {
    private VmxControls() {}

    static final String SDM = "Intel SDM vol. 3C, 25.6.1 (pin-based), 25.6.2 (processor-based, primary and secondary),"
            + " 25.7.1 (VM-exit) and 25.8.1 (VM-entry controls); 24.6.1/24.6.2/24.7.1/24.8.1 in editions before 2023";
    static final String LINUX = "Linux arch/x86/include/asm/vmx.h with arch/x86/include/asm/vmxfeatures.h";
    private static final String S = SDM + "; " + LINUX;
    private static final String SDM_ONLY = " (SDM name; not in the cited vmx.h)";

    /** The five control words bhyvectl prints (pinbased_ctls, procbased_ctls, procbased_ctls2, exit_ctls, entry_ctls). */
    public enum Word {
        PIN("pin", "pinbased_ctls"), PROC("proc", "procbased_ctls"), PROC2("proc2", "procbased_ctls2"),
        EXIT("exit", "exit_ctls"), ENTRY("entry", "entry_ctls");

        public final String id, bhyvectlName;

        Word(String id, String bhyvectlName) {
            this.id = id;
            this.bhyvectlName = bhyvectlName;
        }

        public static Optional<Word> parse(String s) {
            for (Word w : values()) if (w.id.equals(s.toLowerCase(Locale.ROOT))) return Optional.of(w);
            return Optional.empty();
        }
    }

    private static Field default1(int bit) {
        return new Field(bit, bit, "default1", "reserved, must be 1 (default1 class, SDM appendix A.2)",
                Field.Kind.RESERVED, 1, null);
    }

    public static final BitLayout PIN = BitLayout.of("VMX pin-based VM-execution controls", 32, S,
            flag(0, "PIN_BASED_EXT_INTR_MASK", "external-interrupt exiting: host interrupts cause VM exits"),
            default1(1), default1(2),
            flag(3, "PIN_BASED_NMI_EXITING", "NMIs cause VM exits"),
            default1(4),
            flag(5, "PIN_BASED_VIRTUAL_NMIS", "virtual NMIs: NMI blocking is tracked per guest, enables NMI-window exiting"),
            flag(6, "PIN_BASED_VMX_PREEMPTION_TIMER", "VMX-preemption timer counts down in the guest and exits at 0"),
            flag(7, "PIN_BASED_POSTED_INTR", "process posted interrupts (posted-interrupt descriptor)"),
            reserved(8, 31));

    public static final BitLayout PROC = BitLayout.of("VMX primary processor-based VM-execution controls", 32, S,
            reserved(0, 0), default1(1),
            flag(2, "CPU_BASED_INTR_WINDOW_EXITING", "exit as soon as the guest can take an interrupt (RFLAGS.IF=1, no blocking)"),
            flag(3, "CPU_BASED_USE_TSC_OFFSETTING", "RDTSC/RDTSCP/TSC MSR reads add the TSC offset"),
            default1(4), default1(5), default1(6),
            flag(7, "CPU_BASED_HLT_EXITING", "HLT exits"),
            default1(8),
            flag(9, "CPU_BASED_INVLPG_EXITING", "INVLPG exits"),
            flag(10, "CPU_BASED_MWAIT_EXITING", "MWAIT exits"),
            flag(11, "CPU_BASED_RDPMC_EXITING", "RDPMC exits"),
            flag(12, "CPU_BASED_RDTSC_EXITING", "RDTSC/RDTSCP exit"),
            default1(13), default1(14),
            flag(15, "CPU_BASED_CR3_LOAD_EXITING", "MOV to CR3 exits (subject to the CR3-target values)"),
            flag(16, "CPU_BASED_CR3_STORE_EXITING", "MOV from CR3 exits"),
            flag(17, "CPU_BASED_ACTIVATE_TERTIARY_CONTROLS", "tertiary processor-based controls are used"),
            reserved(18, 18),
            flag(19, "CPU_BASED_CR8_LOAD_EXITING", "MOV to CR8 exits"),
            flag(20, "CPU_BASED_CR8_STORE_EXITING", "MOV from CR8 exits"),
            flag(21, "CPU_BASED_TPR_SHADOW", "TPR shadow: CR8 accesses use the virtual-APIC page"),
            flag(22, "CPU_BASED_NMI_WINDOW_EXITING", "exit as soon as there is no virtual-NMI blocking"),
            flag(23, "CPU_BASED_MOV_DR_EXITING", "MOV DR exits"),
            flag(24, "CPU_BASED_UNCOND_IO_EXITING", "every IN/OUT/INS/OUTS exits (ignored when I/O bitmaps are used)"),
            flag(25, "CPU_BASED_USE_IO_BITMAPS", "I/O bitmaps A/B decide which ports exit"),
            default1(26),
            flag(27, "CPU_BASED_MONITOR_TRAP_FLAG", "monitor trap flag: exit after each guest instruction"),
            flag(28, "CPU_BASED_USE_MSR_BITMAPS", "MSR bitmaps decide which RDMSR/WRMSR exit (else all exit)"),
            flag(29, "CPU_BASED_MONITOR_EXITING", "MONITOR exits"),
            flag(30, "CPU_BASED_PAUSE_EXITING", "PAUSE exits"),
            flag(31, "CPU_BASED_ACTIVATE_SECONDARY_CONTROLS", "secondary processor-based controls are used"));

    public static final BitLayout PROC2 = BitLayout.of("VMX secondary processor-based VM-execution controls", 32, S,
            flag(0, "SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES", "accesses to the APIC-access page are virtualized (APIC-access exits)"),
            flag(1, "SECONDARY_EXEC_ENABLE_EPT", "extended page tables: guest-physical addresses go through EPT"),
            flag(2, "SECONDARY_EXEC_DESC", "descriptor-table exiting: LGDT/LIDT/LLDT/LTR/SGDT/SIDT/SLDT/STR exit"),
            flag(3, "SECONDARY_EXEC_ENABLE_RDTSCP", "RDTSCP allowed (else #UD)"),
            flag(4, "SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE", "x2APIC MSR accesses are virtualized"),
            flag(5, "SECONDARY_EXEC_ENABLE_VPID", "VPID tags TLB entries (no flush on entry/exit)"),
            flag(6, "SECONDARY_EXEC_WBINVD_EXITING", "WBINVD/WBNOINVD exit"),
            flag(7, "SECONDARY_EXEC_UNRESTRICTED_GUEST", "unrestricted guest: real mode and paging-off protected mode run natively"),
            flag(8, "SECONDARY_EXEC_APIC_REGISTER_VIRT", "APIC-register virtualization"),
            flag(9, "SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY", "virtual-interrupt delivery"),
            flag(10, "SECONDARY_EXEC_PAUSE_LOOP_EXITING", "PAUSE-loop exiting (spinning detected by PLE_GAP/PLE_WINDOW)"),
            flag(11, "SECONDARY_EXEC_RDRAND_EXITING", "RDRAND exits"),
            flag(12, "SECONDARY_EXEC_ENABLE_INVPCID", "INVPCID allowed (else #UD)"),
            flag(13, "SECONDARY_EXEC_ENABLE_VMFUNC", "VMFUNC allowed"),
            flag(14, "SECONDARY_EXEC_SHADOW_VMCS", "VMCS shadowing for guest VMREAD/VMWRITE"),
            flag(15, "SECONDARY_EXEC_ENCLS_EXITING", "ENCLS exits per the ENCLS-exiting bitmap"),
            flag(16, "SECONDARY_EXEC_RDSEED_EXITING", "RDSEED exits"),
            flag(17, "SECONDARY_EXEC_ENABLE_PML", "page-modification logging"),
            flag(18, "SECONDARY_EXEC_EPT_VIOLATION_VE", "EPT violations may become #VE in the guest"),
            flag(19, "SECONDARY_EXEC_PT_CONCEAL_VMX", "conceal VMX from Intel Processor Trace"),
            flag(20, "SECONDARY_EXEC_ENABLE_XSAVES", "XSAVES/XRSTORS allowed (else #UD)"),
            flag(22, "SECONDARY_EXEC_MODE_BASED_EPT_EXEC", "mode-based execute control for EPT (separate user/supervisor X)"),
            flag(23, "SECONDARY_EXEC_EPT_SUBPAGE_WRITE", "sub-page write permissions for EPT" + SDM_ONLY),
            flag(24, "SECONDARY_EXEC_PT_USE_GPA", "Intel PT outputs guest-physical addresses"),
            flag(25, "SECONDARY_EXEC_TSC_SCALING", "TSC scaling by the TSC multiplier"),
            flag(26, "SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE", "TPAUSE/UMONITOR/UMWAIT allowed"),
            flag(27, "SECONDARY_EXEC_ENABLE_PCONFIG", "PCONFIG allowed" + SDM_ONLY),
            flag(28, "SECONDARY_EXEC_ENCLV_EXITING", "ENCLV exits per the ENCLV-exiting bitmap" + SDM_ONLY),
            flag(30, "SECONDARY_EXEC_BUS_LOCK_DETECTION", "VMM bus-lock detection: bus locks cause exits"),
            flag(31, "SECONDARY_EXEC_NOTIFY_VM_EXITING", "instruction timeout: exit when no event window opens for too long"));

    public static final BitLayout EXIT = BitLayout.of("VMX VM-exit controls", 32, S,
            default1(0), default1(1),
            flag(2, "VM_EXIT_SAVE_DEBUG_CONTROLS", "save guest DR7 and IA32_DEBUGCTL on exit"),
            default1(3), default1(4), default1(5), default1(6), default1(7), default1(8),
            flag(9, "VM_EXIT_HOST_ADDR_SPACE_SIZE", "host address-space size: return to a 64-bit host"),
            default1(10), default1(11),
            flag(12, "VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL", "load host IA32_PERF_GLOBAL_CTRL"),
            default1(13), default1(14),
            flag(15, "VM_EXIT_ACK_INTR_ON_EXIT", "acknowledge the interrupt on exit: the vector is stored in the exit interruption info"),
            default1(16), default1(17),
            flag(18, "VM_EXIT_SAVE_IA32_PAT", "save guest IA32_PAT"),
            flag(19, "VM_EXIT_LOAD_IA32_PAT", "load host IA32_PAT"),
            flag(20, "VM_EXIT_SAVE_IA32_EFER", "save guest IA32_EFER"),
            flag(21, "VM_EXIT_LOAD_IA32_EFER", "load host IA32_EFER"),
            flag(22, "VM_EXIT_SAVE_VMX_PREEMPTION_TIMER", "save the VMX-preemption timer value"),
            flag(23, "VM_EXIT_CLEAR_BNDCFGS", "clear IA32_BNDCFGS"),
            flag(24, "VM_EXIT_PT_CONCEAL_PIP", "conceal VMX exits from Intel PT"),
            flag(25, "VM_EXIT_CLEAR_IA32_RTIT_CTL", "clear IA32_RTIT_CTL"),
            flag(26, "VM_EXIT_CLEAR_IA32_LBR_CTL", "clear IA32_LBR_CTL" + SDM_ONLY),
            flag(27, "VM_EXIT_CLEAR_UINV", "clear UINV" + SDM_ONLY),
            flag(28, "VM_EXIT_LOAD_CET_STATE", "load host CET state" + SDM_ONLY),
            flag(29, "VM_EXIT_LOAD_PKRS", "load host IA32_PKRS" + SDM_ONLY),
            flag(30, "VM_EXIT_SAVE_IA32_PERF_GLOBAL_CTL", "save guest IA32_PERF_GLOBAL_CTL" + SDM_ONLY),
            flag(31, "VM_EXIT_ACTIVATE_SECONDARY_CONTROLS", "secondary VM-exit controls are used" + SDM_ONLY));

    public static final BitLayout ENTRY = BitLayout.of("VMX VM-entry controls", 32, S,
            default1(0), default1(1),
            flag(2, "VM_ENTRY_LOAD_DEBUG_CONTROLS", "load guest DR7 and IA32_DEBUGCTL"),
            default1(3), default1(4), default1(5), default1(6), default1(7), default1(8),
            flag(9, "VM_ENTRY_IA32E_MODE", "IA-32e mode guest: the guest runs with EFER.LMA=1 after entry"),
            flag(10, "VM_ENTRY_SMM", "entry to SMM (dual-monitor treatment only)"),
            flag(11, "VM_ENTRY_DEACT_DUAL_MONITOR", "deactivate dual-monitor treatment"),
            default1(12),
            flag(13, "VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL", "load guest IA32_PERF_GLOBAL_CTRL"),
            flag(14, "VM_ENTRY_LOAD_IA32_PAT", "load guest IA32_PAT"),
            flag(15, "VM_ENTRY_LOAD_IA32_EFER", "load guest IA32_EFER"),
            flag(16, "VM_ENTRY_LOAD_BNDCFGS", "load guest IA32_BNDCFGS"),
            flag(17, "VM_ENTRY_PT_CONCEAL_PIP", "conceal VMX entries from Intel PT"),
            flag(18, "VM_ENTRY_LOAD_IA32_RTIT_CTL", "load guest IA32_RTIT_CTL"),
            flag(19, "VM_ENTRY_LOAD_UINV", "load guest UINV" + SDM_ONLY),
            flag(20, "VM_ENTRY_LOAD_CET_STATE", "load guest CET state" + SDM_ONLY),
            flag(21, "VM_ENTRY_LOAD_IA32_LBR_CTL", "load guest IA32_LBR_CTL" + SDM_ONLY),
            flag(22, "VM_ENTRY_LOAD_PKRS", "load guest IA32_PKRS" + SDM_ONLY));

    public static BitLayout layout(Word w) {
        return switch (w) {
            case PIN -> PIN;
            case PROC -> PROC;
            case PROC2 -> PROC2;
            case EXIT -> EXIT;
            case ENTRY -> ENTRY;
        };
    }

    public static Optional<Word> byBhyvectlName(String name) {
        for (Word w : Word.values()) if (w.bhyvectlName.equals(name)) return Optional.of(w);
        return Optional.empty();
    }
}
