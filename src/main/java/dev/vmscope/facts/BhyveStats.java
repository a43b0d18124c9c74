package dev.vmscope.facts;

import java.util.List;
import java.util.Optional;

/**
 * bhyve per-vCPU statistics (as printed by {@code bhyvectl --get-stats}) and what each really counts,
 * from reading where the counter is incremented. Each entry cites the file that defines it.
 */
public final class BhyveStats {
    private BhyveStats() {}

    /**
     * @param id          VMM_STAT identifier in the source
     * @param description the exact description string bhyvectl prints
     * @param counts      what increments it, in our words
     * @param scope       "any", "intel" or "amd" (VMM_STAT_INTEL/VMM_STAT_AMD are only registered on that CPU)
     * @param source      defining file
     */
    public record Stat(String id, String description, String counts, String scope, String source) {}

    private static final String STAT = "FreeBSD sys/amd64/vmm/vmm_stat.c";
    private static final String VMM = "FreeBSD sys/amd64/vmm/vmm.c";
    private static final String SVM = "FreeBSD sys/amd64/vmm/amd/svm.c";
    private static final String VMX = "FreeBSD sys/amd64/vmm/intel/vmx.c";
    private static final String VLAPIC = "FreeBSD sys/amd64/vmm/io/vlapic.c";

    private static Stat s(String id, String desc, String counts, String scope, String src) { return new Stat(id, desc, counts, scope, src); }

    private static final List<Stat> STATS = List.of(
        s("VCPU_MIGRATIONS", "vcpu migration across host cpus", "times the vCPU thread resumed on a different host CPU than last time", "any", STAT),
        s("VMEXIT_COUNT", "total number of vm exits", "every hardware VM exit (VMX or SVM), handled in the kernel or not", "any", STAT),
        s("VMEXIT_EXTINT", "vm exits due to external interrupt", "exits because a host interrupt arrived (VMX external interrupt / SVM INTR); not guest activity", "any", STAT),
        s("VMEXIT_HLT", "number of times hlt was intercepted", "guest HLT instructions", "any", STAT),
        s("VMEXIT_CR_ACCESS", "number of times %cr access was intercepted", "intercepted MOV to/from control registers (VMX CR-access exits; on SVM CR0/CR3/CR4/CR8 are not intercepted)", "any", STAT),
        s("VMEXIT_RDMSR", "number of times rdmsr was intercepted", "RDMSR exits (emulated in the kernel or passed to userspace)", "any", STAT),
        s("VMEXIT_WRMSR", "number of times wrmsr was intercepted", "WRMSR exits", "any", STAT),
        s("VMEXIT_MTRAP", "number of monitor trap exits", "single-step (monitor trap flag) exits requested by a debugger", "any", STAT),
        s("VMEXIT_PAUSE", "number of times pause was intercepted", "PAUSE exits (spin loops), only when PAUSE exiting is enabled", "any", STAT),
        s("VMEXIT_INTR_WINDOW", "vm exits due to interrupt window opening", "exits bhyve requested so it could inject a pending interrupt once the guest re-enabled interrupts (VMX)", "any", STAT),
        s("VMEXIT_NMI_WINDOW", "vm exits due to nmi window opening", "exits requested to inject a pending NMI", "any", STAT),
        s("VMEXIT_INOUT", "number of times in/out was intercepted", "port I/O instructions (IN/OUT/INS/OUTS), whether the kernel or userspace emulated them", "any", STAT),
        s("VMEXIT_CPUID", "number of times cpuid was intercepted", "guest CPUID instructions", "any", STAT),
        s("VMEXIT_NESTED_FAULT", "vm exits due to nested page fault", "EPT/NPT faults on guest RAM (GPA backed by memory): demand paging of guest memory, not MMIO", "any", STAT),
        s("VMEXIT_INST_EMUL", "vm exits for instruction emulation", "EPT/NPT faults on a GPA with no RAM behind it, so the faulting instruction is decoded and emulated as MMIO (VM_EXITCODE_INST_EMUL): local APIC, IOAPIC, HPET, PCI BARs. Not privileged-instruction traps", "any", STAT),
        s("VMEXIT_UNKNOWN", "number of vm exits for unknown reason", "exit codes the kernel's switch has no case for; these reach userspace as VM_EXITCODE_VMX/SVM", "any", STAT),
        s("VMEXIT_ASTPENDING", "number of times astpending at exit", "returns to the host because a signal/AST was pending for the vCPU thread (no guest cause)", "any", STAT),
        s("VMEXIT_REQIDLE", "number of times idle requested at exit", "returns because another thread asked the vCPU to go idle (e.g. bhyvectl, suspend)", "any", STAT),
        s("VMEXIT_USERSPACE", "number of vm exits handled in userspace", "exits that returned from VM_RUN to bhyve userspace (device emulation etc.)", "any", STAT),
        s("VMEXIT_RENDEZVOUS", "number of times rendezvous pending at exit", "returns because a VM-wide rendezvous was pending", "any", STAT),
        s("VMEXIT_EXCEPTION", "number of vm exits due to exceptions", "intercepted guest exceptions (by default only #MC; all vectors with hw.vmm.trace_guest_exceptions=1)", "any", STAT),
        s("VCPU_TOTAL_RUNTIME", "vcpu total runtime", "TSC ticks spent inside VMRUN/VMLAUNCH for this vCPU", "any", VMM),
        s("VCPU_IDLE_TICKS", "number of ticks vcpu was idle", "host clock ticks the vCPU slept in HLT emulation", "any", VMM),
        s("VMM_MEM_RESIDENT", "Resident memory", "bytes of guest memory resident in host RAM (reported on vCPU 0 only)", "any", VMM),
        s("VMM_MEM_WIRED", "Wired memory", "bytes of guest memory wired in host RAM (vCPU 0 only)", "any", VMM),
        s("VCPU_EXITINTINFO", "VM exits during event delivery", "SVM exits whose EXITINTINFO was valid: the exit interrupted delivery of an interrupt/exception, which bhyve re-injects", "amd", SVM),
        s("VCPU_INTINFO_INJECTED", "Events pending at VM entry", "events (from EXITINTINFO or injected exceptions) bhyve injected through EVENTINJ on VM entry", "amd", SVM),
        s("VMEXIT_VINTR", "VM exits due to interrupt window", "SVM VINTR exits bhyve requested to inject a pending interrupt", "amd", SVM),
        s("VCPU_INVVPID_SAVED", "Number of vpid invalidations saved", "VM entries where a VPID flush was skipped because the TLB was already clean", "intel", VMX),
        s("VCPU_INVVPID_DONE", "Number of vpid invalidations done", "INVVPID single-context flushes performed", "intel", VMX),
        s("VLAPIC_INTR_ERROR", "error interrupts generated by vlapic", "LVT error interrupts delivered by the virtual local APIC", "any", VLAPIC),
        s("VLAPIC_INTR_TIMER", "timer interrupts generated by vlapic", "LAPIC timer interrupts delivered to the guest", "any", VLAPIC),
        s("VLAPIC_INTR_CMC", "corrected machine check interrupts generated by vlapic", "CMCI interrupts delivered", "any", VLAPIC),
        s("IPIS_SENT", "ipis sent to vcpu", "array: IPIs this vCPU sent, indexed by destination vCPU ([n])", "any", VLAPIC),
        s("LVTS_TRIGGERRED", "lvts triggered", "array: LVT entries fired through vlapic_trigger_lvt (e.g. LINT0/LINT1 injected by bhyve), indexed by LVT (id misspelt as in the source)", "any", VLAPIC));

    public static List<Stat> all() { return STATS; }

    /** Looks a statistic up by its printed description; a trailing array index "[3]" is ignored. */
    public static Optional<Stat> byDescription(String description) {
        String d = description.strip().replaceFirst("\\[\\d+\\]$", "");
        return STATS.stream().filter(x -> x.description().equalsIgnoreCase(d)).findFirst();
    }

    public static Optional<Stat> byId(String id) { return STATS.stream().filter(x -> x.id().equals(id)).findFirst(); }
}
