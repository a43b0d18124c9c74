package dev.vmscope.facts;

import static dev.vmscope.facts.Sources.APM_EXITCODES;
import static dev.vmscope.facts.Sources.LINUX_SVM;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * AMD SVM EXITCODE values (VMCB offset 0x70). Names follow Linux's uapi svm.h where it defines one, else
 * the APM value spelled the same way. Sources: {@value Sources#APM_EXITCODES}; {@value Sources#LINUX_SVM}.
 */
public final class SvmExitCodes {
    private SvmExitCodes() {}

    private static final String SRC = APM_EXITCODES + "; " + LINUX_SVM;
    private static final String GHCB = "AMD GHCB specification (pub. 56421) 4.1.x \"SW_EXITCODE\"; " + LINUX_SVM;

    private static ExitCodeInfo e(long code, String name, String meaning, String cause) {
        return new ExitCodeInfo(code, name, meaning, cause, SRC);
    }

    private static final Object[][] SINGLE = {
        {0x60L, "SVM_EXIT_INTR", "physical maskable interrupt (INTR) arrived while the guest ran", "host device interrupt; routine, the host handles it and resumes"},
        {0x61L, "SVM_EXIT_NMI", "physical NMI arrived while the guest ran", "host NMI (perf counters, watchdog)"},
        {0x62L, "SVM_EXIT_SMI", "physical SMI arrived while the guest ran", "platform firmware SMM activity"},
        {0x63L, "SVM_EXIT_INIT", "physical INIT signal arrived", "host sent INIT to this CPU"},
        {0x64L, "SVM_EXIT_VINTR", "virtual interrupt window: guest can now take the V_IRQ the VMM queued", "VMM requested an interrupt-window exit to inject a pending interrupt"},
        {0x65L, "SVM_EXIT_CR0_SEL_WRITE", "write to CR0 that changed bits other than TS or MP (selective CR0 write intercept)", "guest toggling PG/PE/CD/NW etc."},
        {0x66L, "SVM_EXIT_IDTR_READ", "SIDT executed", "guest reading the IDT register (intercept is rarely enabled)"},
        {0x67L, "SVM_EXIT_GDTR_READ", "SGDT executed", "guest reading the GDT register"},
        {0x68L, "SVM_EXIT_LDTR_READ", "SLDT executed", "guest reading LDTR"},
        {0x69L, "SVM_EXIT_TR_READ", "STR executed", "guest reading TR"},
        {0x6aL, "SVM_EXIT_IDTR_WRITE", "LIDT executed", "guest loading an IDT"},
        {0x6bL, "SVM_EXIT_GDTR_WRITE", "LGDT executed", "guest loading a GDT"},
        {0x6cL, "SVM_EXIT_LDTR_WRITE", "LLDT executed", "guest loading an LDT"},
        {0x6dL, "SVM_EXIT_TR_WRITE", "LTR executed", "guest loading a TSS selector"},
        {0x6eL, "SVM_EXIT_RDTSC", "RDTSC executed", "time keeping with TSC intercept enabled"},
        {0x6fL, "SVM_EXIT_RDPMC", "RDPMC executed", "guest reading performance counters"},
        {0x70L, "SVM_EXIT_PUSHF", "PUSHF executed", "VMM tracking the guest's view of RFLAGS (e.g. single-step/TF shadowing)"},
        {0x71L, "SVM_EXIT_POPF", "POPF executed", "VMM tracking RFLAGS writes"},
        {0x72L, "SVM_EXIT_CPUID", "CPUID executed", "guest probing CPU features; routine"},
        {0x73L, "SVM_EXIT_RSM", "RSM executed", "guest leaving (virtual) SMM"},
        {0x74L, "SVM_EXIT_IRET", "IRET executed", "VMM waiting for the end of an NMI handler (NMI window)"},
        {0x75L, "SVM_EXIT_SWINT", "software interrupt INTn executed", "guest system call via INT n with intercept enabled"},
        {0x76L, "SVM_EXIT_INVD", "INVD executed", "firmware cache setup; VMMs intercept it so the guest cannot drop dirty lines"},
        {0x77L, "SVM_EXIT_PAUSE", "PAUSE executed (after the pause filter count ran out)", "guest spinning on a lock"},
        {0x78L, "SVM_EXIT_HLT", "HLT executed", "guest idle loop, or halting for good if RFLAGS.IF is clear"},
        {0x79L, "SVM_EXIT_INVLPG", "INVLPG executed", "guest TLB shootdown (only intercepted with shadow paging)"},
        {0x7aL, "SVM_EXIT_INVLPGA", "INVLPGA executed", "nested hypervisor in the guest"},
        {0x7bL, "SVM_EXIT_IOIO", "IN/OUT/INS/OUTS to a port intercepted by the I/O permission map; EXITINFO1 has the port and kind", "device emulation (serial, PIT, PCI config, ...)"},
        {0x7cL, "SVM_EXIT_MSR", "RDMSR (EXITINFO1=0) or WRMSR (EXITINFO1=1) to an MSR intercepted by the MSR permission map", "guest touching an emulated or unsupported MSR"},
        {0x7dL, "SVM_EXIT_TASK_SWITCH", "hardware task switch", "32-bit guest using TSS task gates (e.g. double-fault handler)"},
        {0x7eL, "SVM_EXIT_FERR_FREEZE", "processor froze on an x87 FERR (legacy FERR mode)", "legacy x87 error reporting with CR0.NE clear"},
        {0x7fL, "SVM_EXIT_SHUTDOWN", "shutdown condition, e.g. triple fault", "guest triple-faulted (bad IDT/GDT/page tables) or issued a shutdown"},
        {0x80L, "SVM_EXIT_VMRUN", "VMRUN executed by the guest", "nested virtualization; VMRUN must always be intercepted"},
        {0x81L, "SVM_EXIT_VMMCALL", "VMMCALL executed", "hypercall; #UD to the guest if the VMM does not handle it"},
        {0x82L, "SVM_EXIT_VMLOAD", "VMLOAD executed", "nested hypervisor in the guest"},
        {0x83L, "SVM_EXIT_VMSAVE", "VMSAVE executed", "nested hypervisor in the guest"},
        {0x84L, "SVM_EXIT_STGI", "STGI executed", "nested hypervisor in the guest"},
        {0x85L, "SVM_EXIT_CLGI", "CLGI executed", "nested hypervisor in the guest"},
        {0x86L, "SVM_EXIT_SKINIT", "SKINIT executed", "secure-launch attempt in the guest"},
        {0x87L, "SVM_EXIT_RDTSCP", "RDTSCP executed", "guest reading TSC and TSC_AUX (CPU number)"},
        {0x88L, "SVM_EXIT_ICEBP", "ICEBP intercept: the one-byte INT1 instruction (opcode F1) executed; not an I/O instruction", "debugger or test code using INT1; a stray 0xF1 byte executed as code (wrong RIP, corrupted code). bhyve intercepts it and injects #UD into the guest (sys/amd64/vmm/amd/svm.c)"},
        {0x89L, "SVM_EXIT_WBINVD", "WBINVD (or WBNOINVD) executed", "guest flushing caches (MTRR/PAT setup, device drivers)"},
        {0x8aL, "SVM_EXIT_MONITOR", "MONITOR/MONITORX executed", "guest idle loop using MONITOR/MWAIT"},
        {0x8bL, "SVM_EXIT_MWAIT", "MWAIT/MWAITX executed (unconditional intercept)", "guest idle loop"},
        {0x8cL, "SVM_EXIT_MWAIT_COND", "MWAIT executed while the monitor hardware was armed", "guest idle loop"},
        {0x8dL, "SVM_EXIT_XSETBV", "XSETBV executed", "guest OS enabling AVX/XSAVE state components"},
        {0x8eL, "SVM_EXIT_RDPRU", "RDPRU executed", "guest reading MPERF/APERF via RDPRU"},
        {0x8fL, "SVM_EXIT_EFER_WRITE_TRAP", "trap after the guest wrote EFER (SEV-ES); EXITINFO1 has the new value", "guest enabling long mode / NX under SEV-ES"},
        {0xa0L, "SVM_EXIT_INVLPGB", "INVLPGB executed", "guest broadcast TLB invalidation"},
        {0xa1L, "SVM_EXIT_INVLPGB_ILLEGAL", "INVLPGB with illegal operands", "guest misuse of INVLPGB"},
        {0xa2L, "SVM_EXIT_INVPCID", "INVPCID executed", "guest PCID TLB management"},
        {0xa3L, "SVM_EXIT_MCOMMIT", "MCOMMIT executed", "persistent-memory commit in the guest"},
        {0xa4L, "SVM_EXIT_TLBSYNC", "TLBSYNC executed", "guest completing INVLPGB"},
        {0xa5L, "SVM_EXIT_BUS_LOCK", "bus lock threshold reached (split-lock / locked access across cache lines)", "guest doing split locked accesses"},
        {0xa6L, "SVM_EXIT_IDLE_HLT", "HLT executed with no pending virtual interrupt (idle-HLT intercept)", "guest idle loop"},
        {0x400L, "SVM_EXIT_NPF", "nested page fault: guest-physical access not allowed by the nested page tables; EXITINFO1 = error code, EXITINFO2 = guest-physical address", "MMIO access to an emulated device, first touch of guest RAM, or a write to read-only/unmapped GPA"},
        {0x401L, "SVM_EXIT_AVIC_INCOMPLETE_IPI", "AVIC could not deliver an IPI fully", "IPI to a vCPU that is not running, or an invalid destination"},
        {0x402L, "SVM_EXIT_AVIC_UNACCELERATED_ACCESS", "guest access to an APIC register AVIC does not virtualize", "guest APIC programming outside the accelerated registers"},
        {0x403L, "SVM_EXIT_VMGEXIT", "VMGEXIT (SEV-ES/SNP guest asked the hypervisor for service via the GHCB)", "SEV-ES guest #VC handler"},
        {0xf0000000L, "SVM_EXIT_SW", "not a hardware code: Linux/KVM software marker for synthetic exits", "KVM internal bookkeeping"},
        {-1L, "SVM_EXIT_ERR", "VMEXIT_INVALID: VMRUN failed its consistency checks (invalid guest state in the VMCB)", "bad VMCB: e.g. EFER.SVME clear, illegal CR0/CR4/EFER combination, bad segment attributes, ASID 0"},
        {-2L, "SVM_EXIT_BUSY", "VMEXIT_BUSY: the VMSA of an SEV-SNP guest was busy", "SEV-SNP VMSA in use on another CPU"},
    };

    private static final Object[][] GHCB_CODES = {
        {0x80000001L, "SVM_VMGEXIT_MMIO_READ", "SEV-ES guest requested an MMIO read via the GHCB"},
        {0x80000002L, "SVM_VMGEXIT_MMIO_WRITE", "SEV-ES guest requested an MMIO write via the GHCB"},
        {0x80000003L, "SVM_VMGEXIT_NMI_COMPLETE", "SEV-ES guest signals end of its NMI handler"},
        {0x80000004L, "SVM_VMGEXIT_AP_HLT_LOOP", "SEV-ES AP parked in its HLT loop"},
        {0x80000005L, "SVM_VMGEXIT_AP_JUMP_TABLE", "SEV-ES guest set/get of the AP jump table address"},
        {0x80000010L, "SVM_VMGEXIT_PSC", "SEV-SNP page state change request"},
        {0x80000011L, "SVM_VMGEXIT_GUEST_REQUEST", "SEV-SNP guest message to the PSP firmware"},
        {0x80000012L, "SVM_VMGEXIT_EXT_GUEST_REQUEST", "SEV-SNP extended guest request (with certificates)"},
        {0x80000013L, "SVM_VMGEXIT_AP_CREATION", "SEV-SNP AP creation/destruction request"},
        {0x8000fffdL, "SVM_VMGEXIT_HV_FEATURES", "guest asks which GHCB features the hypervisor supports"},
        {0x8000fffeL, "SVM_VMGEXIT_TERM_REQUEST", "guest requests termination (reason in the GHCB)"},
        {0x8000ffffL, "SVM_VMGEXIT_UNSUPPORTED_EVENT", "guest reports an event it cannot handle"},
    };

    private static final CodeTable TABLE = build();

    private static CodeTable build() {
        List<ExitCodeInfo> l = new ArrayList<>();
        for (int n = 0; n < 16; n++) {
            l.add(e(n, "SVM_EXIT_READ_CR" + n, "read of CR" + n + " (MOV from CR" + n + ")", crCause(n, false)));
            l.add(e(0x10 + n, "SVM_EXIT_WRITE_CR" + n, "write of CR" + n + " (MOV to CR" + n + ")", crCause(n, true)));
            l.add(e(0x20 + n, "SVM_EXIT_READ_DR" + n, "read of DR" + n, "guest debugger reading debug registers"));
            l.add(e(0x30 + n, "SVM_EXIT_WRITE_DR" + n, "write of DR" + n, "guest debugger setting breakpoints"));
            l.add(e(0x90 + n, "SVM_EXIT_CR" + n + "_WRITE_TRAP", "trap after a write of CR" + n + " completed (SEV-ES); EXITINFO1 has the new value", "SEV-ES guest changing CR" + n));
        }
        for (int v = 0; v < 32; v++) {
            ExceptionVectors.Vector x = ExceptionVectors.lookup(v).orElseThrow();
            String label = x.mnemonic().isEmpty() ? "vector " + v + " (reserved)" : x.mnemonic() + " " + x.name();
            l.add(e(0x40 + v, "SVM_EXIT_EXCP_" + v, "exception vector " + v + " intercepted: " + label
                    + " (exception intercept bit " + v + ")", "guest raised " + label + "; VMM intercepts it to reflect, emulate or debug"));
        }
        for (Object[] r : SINGLE) l.add(e((Long) r[0], (String) r[1], (String) r[2], (String) r[3]));
        for (Object[] r : GHCB_CODES) {
            l.add(new ExitCodeInfo((Long) r[0], (String) r[1], (String) r[2] + " (GHCB software exit code, not hardware)",
                    "SEV-ES/SNP guest", GHCB));
        }
        return new CodeTable("AMD SVM exit codes", l);
    }

    private static String crCause(int n, boolean write) {
        return switch (n) {
            case 0 -> write ? "guest switching mode/paging (PE, PG, CD, WP...)" : "guest reading CR0";
            case 3 -> write ? "guest context switch (shadow paging only)" : "guest reading its page-table base (shadow paging only)";
            case 4 -> write ? "guest enabling PAE/PGE/OSXSAVE/SMEP..." : "guest reading CR4";
            case 8 -> "guest task-priority access via CR8 (64-bit)";
            case 2 -> "guest page-fault handler reading the faulting address";
            default -> "CR" + n + " does not exist: access raises #UD in the guest";
        };
    }

    public static CodeTable table() { return TABLE; }

    /** Looks up a 64-bit EXITCODE; a 32-bit 0xffffffff is also read as VMEXIT_INVALID (-1). */
    public static Optional<ExitCodeInfo> lookup(long code) {
        Optional<ExitCodeInfo> r = TABLE.lookup(code);
        if (r.isEmpty() && (code == 0xffffffffL || code == 0xfffffffeL)) r = TABLE.lookup((int) code);
        return r;
    }
}
