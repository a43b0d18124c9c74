package dev.vmscope.facts;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Intel VMX basic exit reasons (exit-reason bits 15:0) and the exit-reason flag bits. Names follow Linux
 * uapi vmx.h where it has one. Sources: {@value Sources#SDM_EXIT}; {@value Sources#LINUX_VMX}.
 */
public final class VmxExitReasons {
    private VmxExitReasons() {}

    private static final String SRC = Sources.SDM_EXIT + "; " + Sources.LINUX_VMX;

    private static final Object[][] ROWS = {
        {0, "EXIT_REASON_EXCEPTION_NMI", "exception or NMI; VM-exit interruption info says which vector", "guest fault the VMM intercepts (#PF with shadow paging, #UD, #DB, #MC...) or an NMI"},
        {1, "EXIT_REASON_EXTERNAL_INTERRUPT", "external interrupt arrived", "host device interrupt; routine"},
        {2, "EXIT_REASON_TRIPLE_FAULT", "triple fault", "guest could not deliver a double fault: broken IDT/GDT/page tables/stack"},
        {3, "EXIT_REASON_INIT_SIGNAL", "INIT signal arrived", "INIT IPI to this vCPU's physical CPU"},
        {4, "EXIT_REASON_SIPI_SIGNAL", "start-up IPI arrived in wait-for-SIPI state", "AP bring-up"},
        {5, "EXIT_REASON_IO_SMI", "I/O SMI (SMM monitor only)", "dual-monitor SMM treatment"},
        {6, "EXIT_REASON_OTHER_SMI", "other SMI (SMM monitor only)", "dual-monitor SMM treatment"},
        {7, "EXIT_REASON_INTERRUPT_WINDOW", "interrupt window open: guest can accept an interrupt", "VMM waiting to inject a pending interrupt"},
        {8, "EXIT_REASON_NMI_WINDOW", "NMI window open", "VMM waiting to inject a pending NMI"},
        {9, "EXIT_REASON_TASK_SWITCH", "hardware task switch", "32-bit guest using task gates"},
        {10, "EXIT_REASON_CPUID", "CPUID executed (always exits)", "feature probing; routine"},
        {11, "EXIT_REASON_GETSEC", "GETSEC executed", "TXT/SMX instructions in the guest"},
        {12, "EXIT_REASON_HLT", "HLT executed", "guest idle, or dead if RFLAGS.IF=0"},
        {13, "EXIT_REASON_INVD", "INVD executed (always exits)", "firmware cache-as-RAM teardown"},
        {14, "EXIT_REASON_INVLPG", "INVLPG executed", "shadow paging TLB maintenance"},
        {15, "EXIT_REASON_RDPMC", "RDPMC executed", "guest reading performance counters"},
        {16, "EXIT_REASON_RDTSC", "RDTSC executed", "TSC exiting enabled"},
        {17, "EXIT_REASON_RSM", "RSM in SMM", "guest leaving SMM"},
        {18, "EXIT_REASON_VMCALL", "VMCALL executed", "hypercall"},
        {19, "EXIT_REASON_VMCLEAR", "VMCLEAR executed", "nested VMX"},
        {20, "EXIT_REASON_VMLAUNCH", "VMLAUNCH executed", "nested VMX"},
        {21, "EXIT_REASON_VMPTRLD", "VMPTRLD executed", "nested VMX"},
        {22, "EXIT_REASON_VMPTRST", "VMPTRST executed", "nested VMX"},
        {23, "EXIT_REASON_VMREAD", "VMREAD executed", "nested VMX"},
        {24, "EXIT_REASON_VMRESUME", "VMRESUME executed", "nested VMX"},
        {25, "EXIT_REASON_VMWRITE", "VMWRITE executed", "nested VMX"},
        {26, "EXIT_REASON_VMOFF", "VMXOFF executed", "nested VMX"},
        {27, "EXIT_REASON_VMON", "VMXON executed", "nested VMX"},
        {28, "EXIT_REASON_CR_ACCESS", "control-register access; qualification gives CR, access type, GPR", "MOV to CR0/CR4 with guest/host mask bits, CR3 with shadow paging, CR8, CLTS, LMSW"},
        {29, "EXIT_REASON_DR_ACCESS", "MOV DR; qualification gives DR, direction, GPR", "guest debugger"},
        {30, "EXIT_REASON_IO_INSTRUCTION", "I/O instruction; qualification gives size, direction, string, rep, port", "device emulation"},
        {31, "EXIT_REASON_MSR_READ", "RDMSR (ECX = MSR)", "emulated or unknown MSR"},
        {32, "EXIT_REASON_MSR_WRITE", "WRMSR (ECX = MSR, EDX:EAX = value)", "emulated or unknown MSR"},
        {33, "EXIT_REASON_INVALID_STATE", "VM-entry failure: invalid guest state (flag bit 31 set)", "guest-state checks failed: segment AR, CR0/CR4 fixed bits, RFLAGS, activity state..."},
        {34, "EXIT_REASON_MSR_LOAD_FAIL", "VM-entry failure: MSR loading (flag bit 31 set)", "bad entry in the VM-entry MSR-load area"},
        {36, "EXIT_REASON_MWAIT_INSTRUCTION", "MWAIT executed", "guest idle loop"},
        {37, "EXIT_REASON_MONITOR_TRAP_FLAG", "monitor trap flag: one guest instruction completed", "VMM single-stepping the guest"},
        {39, "EXIT_REASON_MONITOR_INSTRUCTION", "MONITOR executed", "guest idle loop"},
        {40, "EXIT_REASON_PAUSE_INSTRUCTION", "PAUSE executed (or PAUSE-loop exiting)", "guest spinlock"},
        {41, "EXIT_REASON_MCE_DURING_VMENTRY", "VM-entry failure: machine check during entry", "hardware error"},
        {43, "EXIT_REASON_TPR_BELOW_THRESHOLD", "TPR dropped below the TPR threshold", "VMM waiting to deliver an interrupt masked by TPR"},
        {44, "EXIT_REASON_APIC_ACCESS", "access to the APIC-access page", "xAPIC MMIO without full APIC virtualization"},
        {45, "EXIT_REASON_EOI_INDUCED", "EOI for a vector in the EOI-exit bitmap", "level-triggered interrupt completion"},
        {46, "EXIT_REASON_GDTR_IDTR", "LGDT/LIDT/SGDT/SIDT executed", "descriptor-table exiting enabled"},
        {47, "EXIT_REASON_LDTR_TR", "LLDT/LTR/SLDT/STR executed", "descriptor-table exiting enabled"},
        {48, "EXIT_REASON_EPT_VIOLATION", "EPT violation; qualification gives access type and permissions, GPA in the VMCS", "MMIO to an emulated device, or access to unmapped/protected guest memory"},
        {49, "EXIT_REASON_EPT_MISCONFIG", "EPT misconfiguration (bad EPT entry)", "VMM bug in the EPT tables, or KVM's MMIO caching marker"},
        {50, "EXIT_REASON_INVEPT", "INVEPT executed", "nested VMX"},
        {51, "EXIT_REASON_RDTSCP", "RDTSCP executed", "TSC exiting enabled"},
        {52, "EXIT_REASON_PREEMPTION_TIMER", "VMX-preemption timer expired", "VMM time slicing"},
        {53, "EXIT_REASON_INVVPID", "INVVPID executed", "nested VMX"},
        {54, "EXIT_REASON_WBINVD", "WBINVD/WBNOINVD executed", "cache flush in the guest"},
        {55, "EXIT_REASON_XSETBV", "XSETBV executed (always exits)", "guest enabling XSAVE components"},
        {56, "EXIT_REASON_APIC_WRITE", "trap-like write to a virtualized APIC register", "APIC register virtualization"},
        {57, "EXIT_REASON_RDRAND", "RDRAND executed", "RDRAND exiting enabled"},
        {58, "EXIT_REASON_INVPCID", "INVPCID executed", "INVLPG exiting with INVPCID enabled"},
        {59, "EXIT_REASON_VMFUNC", "VMFUNC failed", "invalid VM function or EPTP index"},
        {60, "EXIT_REASON_ENCLS", "ENCLS executed", "SGX in the guest"},
        {61, "EXIT_REASON_RDSEED", "RDSEED executed", "RDSEED exiting enabled"},
        {62, "EXIT_REASON_PML_FULL", "page-modification log full", "dirty logging for live migration"},
        {63, "EXIT_REASON_XSAVES", "XSAVES executed", "XSS-exiting bitmap"},
        {64, "EXIT_REASON_XRSTORS", "XRSTORS executed", "XSS-exiting bitmap"},
        {65, "EXIT_REASON_PCONFIG", "PCONFIG executed", "memory encryption configuration"},
        {66, "EXIT_REASON_SPP", "sub-page write permission violation", "SPP-protected page"},
        {67, "EXIT_REASON_UMWAIT", "UMWAIT executed", "user-mode wait"},
        {68, "EXIT_REASON_TPAUSE", "TPAUSE executed", "user-mode wait"},
        {69, "EXIT_REASON_LOADIWKEY", "LOADIWKEY executed", "Key Locker"},
        {70, "EXIT_REASON_ENCLV", "ENCLV executed", "SGX oversubscription"},
        {72, "EXIT_REASON_ENQCMD_PASID", "ENQCMD PASID translation failure", "ENQCMD"},
        {73, "EXIT_REASON_ENQCMDS_PASID", "ENQCMDS PASID translation failure", "ENQCMDS"},
        {74, "EXIT_REASON_BUS_LOCK", "bus lock detected", "guest split-lock"},
        {75, "EXIT_REASON_NOTIFY", "notify window exceeded (no event window for too long)", "guest stuck in microcode, e.g. endless #AC/#DB loop"},
        {76, "EXIT_REASON_SEAMCALL", "SEAMCALL executed", "TDX"},
        {77, "EXIT_REASON_TDCALL", "TDCALL executed", "TDX"},
        {78, "EXIT_REASON_RDMSRLIST", "RDMSRLIST executed", "MSR-list instructions"},
        {79, "EXIT_REASON_WRMSRLIST", "WRMSRLIST executed", "MSR-list instructions"},
    };

    private static final CodeTable TABLE = build();

    private static CodeTable build() {
        List<ExitCodeInfo> l = new ArrayList<>();
        for (Object[] r : ROWS) {
            l.add(new ExitCodeInfo((Integer) r[0], (String) r[1], (String) r[2], (String) r[3], SRC));
        }
        return new CodeTable("Intel VMX basic exit reasons", l);
    }

    public static CodeTable table() { return TABLE; }

    /** Looks up the basic exit reason (bits 15:0 of {@code reason}; flag bits are ignored). */
    public static Optional<ExitCodeInfo> lookup(long reason) { return TABLE.lookup(reason & 0xffff); }

    /** Full 32-bit exit-reason field: basic reason in 15:0 plus flag bits. */
    public static final BitLayout EXIT_REASON = BitLayout.of("VMX exit reason", 32, Sources.SDM_EXIT + " (exit-reason field format)",
            Field.field(0, 15, "basic exit reason", "index into the basic exit reasons",
                    v -> TABLE.lookup(v).map(ExitCodeInfo::name).orElse(null)),
            Field.reserved(16, 16),
            Field.reserved(17, 25),
            Field.flag(26, "bus lock detected", "a bus lock was asserted while the exit was pending (KVM: arch/x86/kvm/vmx/vmx.h union vmx_exit_reason)"),
            Field.flag(27, "enclave", "exit happened while the logical processor was in enclave mode (SGX)"),
            Field.flag(28, "pending MTF", "SMM VM exit only: an MTF VM exit was pending"),
            Field.flag(29, "from VMX root", "exit came from VMX root operation (SMM dual-monitor only)"),
            Field.reserved(30, 30),
            Field.flag(31, "VM-entry failure", "VM entry failed; the basic reason says why (33, 34 or 41)"));
}
