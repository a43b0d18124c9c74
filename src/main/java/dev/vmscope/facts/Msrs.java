package dev.vmscope.facts;

import java.util.List;
import java.util.Optional;

/** Common model-specific registers. Sources: {@value Sources#SDM_MSR}; {@value Sources#APM_MSR}. */
public final class Msrs {
    private Msrs() {}

    /** @param first first MSR, @param last last MSR (inclusive; == first for one register) */
    public record Msr(long first, long last, String name, String meaning, String source) {
        public boolean contains(long msr) { return msr >= first && msr <= last; }
    }

    private static final String I = Sources.SDM_MSR;
    private static final String A = Sources.APM_MSR;
    private static final String B = I + "; " + A;
    /** Model-specific (not architectural) Intel MSRs: the SDM's per-family tables; names as in Linux. */
    private static final String M = "Intel SDM vol. 4, chapter 2 (model-specific tables); Linux arch/x86/include/asm/msr-index.h";

    private static Msr m(long n, String name, String meaning, String src) { return new Msr(n, n, name, meaning, src); }

    private static Msr m(long first, long last, String name, String meaning, String src) { return new Msr(first, last, name, meaning, src); }

    private static final List<Msr> MSRS = List.of(
        m(0x10, "IA32_TIME_STAMP_COUNTER", "TSC", B),
        m(0x17, "IA32_PLATFORM_ID", "platform ID (microcode matching)", I),
        m(0x1b, "IA32_APIC_BASE", "APIC base: bit 8 BSP, bit 10 x2APIC enable, bit 11 global enable, bits 12+ base (default 0xfee00000)", B),
        m(0x3a, "IA32_FEATURE_CONTROL", "lock bit and VMX enable in/out of SMX", I),
        m(0x3b, "IA32_TSC_ADJUST", "TSC adjust", I),
        m(0x48, "IA32_SPEC_CTRL", "speculation control: IBRS, STIBP, SSBD", B),
        m(0x49, "IA32_PRED_CMD", "prediction command: IBPB (write-only)", B),
        m(0x79, "IA32_BIOS_UPDT_TRIG", "microcode update trigger", I),
        m(0x8b, "IA32_BIOS_SIGN_ID", "microcode revision", I),
        m(0xe7, "IA32_MPERF", "maximum-performance frequency clock count", B),
        m(0xe8, "IA32_APERF", "actual-performance frequency clock count", B),
        m(0xfe, "IA32_MTRRCAP", "MTRR capabilities (count of variable MTRRs, fixed/WC support)", B),
        m(0x10a, "IA32_ARCH_CAPABILITIES", "enumerates speculative-execution immunities", I),
        m(0x174, "IA32_SYSENTER_CS", "SYSENTER code segment", B),
        m(0x175, "IA32_SYSENTER_ESP", "SYSENTER stack pointer", B),
        m(0x176, "IA32_SYSENTER_EIP", "SYSENTER entry point", B),
        m(0x34, "MSR_SMI_COUNT", "count of SMIs since reset (model-specific)", M),
        m(0xc1, 0xc8, "IA32_PMC0..7", "general-purpose performance counters", I),
        m(0x186, 0x18d, "IA32_PERFEVTSEL0..7", "performance event select for IA32_PMCx", I),
        m(0x1a6, "MSR_OFFCORE_RSP_0", "off-core response event select (model-specific performance monitoring)", M),
        m(0x1a7, "MSR_OFFCORE_RSP_1", "off-core response event select (model-specific performance monitoring)", M),
        m(0x1c9, "MSR_LASTBRANCH_TOS", "last-branch-record stack top-of-stack index (model-specific)", M),
        m(0x309, 0x30b, "IA32_FIXED_CTR0..2", "fixed-function performance counters", I),
        m(0x345, "IA32_PERF_CAPABILITIES", "performance-monitoring capabilities", I),
        m(0x38d, "IA32_FIXED_CTR_CTRL", "fixed-function performance counter control", I),
        m(0x38e, "IA32_PERF_GLOBAL_STATUS", "performance counter overflow status", I),
        m(0x38f, "IA32_PERF_GLOBAL_CTRL", "performance counter global enable", I),
        m(0x390, "IA32_PERF_GLOBAL_OVF_CTRL", "performance counter overflow clear", I),
        m(0x3f1, "IA32_PEBS_ENABLE", "precise event-based sampling enable", I),
        m(0x3f6, "MSR_PEBS_LD_LAT", "PEBS load-latency threshold (model-specific)", M),
        m(0x606, "MSR_RAPL_POWER_UNIT", "RAPL power, energy and time units (model-specific)", M),
        m(0x610, "MSR_PKG_POWER_LIMIT", "RAPL package power limit (model-specific)", M),
        m(0x611, "MSR_PKG_ENERGY_STATUS", "RAPL package energy counter (model-specific)", M),
        m(0x64e, "MSR_PPERF", "productive performance count (model-specific)", M),
        m(0x179, "IA32_MCG_CAP", "machine-check capabilities", B),
        m(0x17a, "IA32_MCG_STATUS", "machine-check status", B),
        m(0x17b, "IA32_MCG_CTL", "machine-check global control", B),
        m(0x1a0, "IA32_MISC_ENABLE", "misc feature enables (fast strings, MONITOR/MWAIT, XD disable, ...)", I),
        m(0x1d9, "IA32_DEBUGCTL", "debug control: LBR, BTF", B),
        m(0x200, 0x20f, "IA32_MTRR_PHYSBASE0..7 / PHYSMASK0..7", "variable-range MTRRs (even = base, odd = mask)", B),
        m(0x250, "IA32_MTRR_FIX64K_00000", "fixed-range MTRR 0-512 KiB", B),
        m(0x258, 0x259, "IA32_MTRR_FIX16K_80000/A0000", "fixed-range MTRRs 512-768 KiB", B),
        m(0x268, 0x26f, "IA32_MTRR_FIX4K_C0000..F8000", "fixed-range MTRRs 768 KiB-1 MiB", B),
        m(0x277, "IA32_PAT", "page attribute table", B),
        m(0x2ff, "IA32_MTRR_DEF_TYPE", "default memory type, fixed/variable MTRR enable", B),
        m(0x400, 0x47f, "IA32_MCi_CTL/STATUS/ADDR/MISC", "machine-check bank registers (4 per bank)", B),
        m(0x480, 0x493, "IA32_VMX_BASIC..", "VMX capability reporting MSRs", I),
        m(0x6e0, "IA32_TSC_DEADLINE", "TSC-deadline timer", I),
        m(0x800, 0x8ff, "x2APIC registers", "x2APIC MSR range: MSR 0x800 + (xAPIC offset >> 4); 0x830 = ICR", Sources.SDM_X2APIC),
        m(0xc0000080L, "EFER", "extended feature enable: SCE, LME, LMA, NXE, SVME", B),
        m(0xc0000081L, "STAR", "SYSCALL/SYSRET segment selectors and legacy EIP", B),
        m(0xc0000082L, "LSTAR", "SYSCALL entry RIP (64-bit mode)", B),
        m(0xc0000083L, "CSTAR", "SYSCALL entry RIP (compatibility mode)", B),
        m(0xc0000084L, "SFMASK (FMASK)", "RFLAGS bits cleared on SYSCALL", B),
        m(0xc0000100L, "FS_BASE", "FS segment base", B),
        m(0xc0000101L, "GS_BASE", "GS segment base", B),
        m(0xc0000102L, "KERNEL_GS_BASE", "value swapped into GS_BASE by SWAPGS", B),
        m(0xc0000103L, "TSC_AUX", "value returned in ECX by RDTSCP/RDPID", B),
        m(0xc0010010L, "SYSCFG", "AMD system configuration (MtrrFixDramEn, SMEE...)", A),
        m(0xc0010000L, 0xc0010003L, "PerfEvtSel0..3 (MSR_K7_EVNTSEL0..3)", "AMD performance event select", A),
        m(0xc0010004L, 0xc0010007L, "PerfCtr0..3 (MSR_K7_PERFCTR0..3)", "AMD performance counters", A),
        m(0xc0010015L, "HWCR", "AMD hardware configuration", A),
        m(0xc001001fL, "NB_CFG", "AMD northbridge configuration (model-specific)", A),
        m(0xc0010114L, "VM_CR", "AMD SVM control: SVMDIS, LOCK, R_INIT", A),
        m(0xc0010115L, "IGNNE", "AMD IGNNE# signal control (legacy x87 error handling)", A),
        m(0xc0010116L, "SMM_CTL", "AMD SMM control (write-only)", A),
        m(0xc0010117L, "VM_HSAVE_PA", "AMD host save area physical address for VMRUN", A),
        m(0xc0011029L, "DE_CFG", "AMD decode configuration (LFENCE serializing bit 1)", A),
        m(0x4b564d00L, 0x4b564dffL, "KVM paravirtual MSRs", "kvmclock, async PF, steal time, PV EOI (KVM only)", "Linux arch/x86/include/uapi/asm/kvm_para.h"),
        m(0x40000000L, 0x400000ffL, "Hyper-V synthetic MSRs", "Hyper-V enlightenment range", "Microsoft Hypervisor TLFS"));

    public static List<Msr> all() { return MSRS; }

    public static Optional<Msr> lookup(long msr) {
        return MSRS.stream().filter(x -> x.contains(msr)).min(java.util.Comparator.comparingLong(x -> x.last() - x.first()));
    }

    /** Value layouts for MSRs whose bits we decode. */
    public static Optional<BitLayout> layout(long msr) {
        if (msr == 0xc0000080L) return Optional.of(ControlRegisters.EFER);
        if (msr == 0x1b) return Optional.of(APIC_BASE);
        return Optional.empty();
    }

    public static final BitLayout APIC_BASE = BitLayout.of("IA32_APIC_BASE (MSR 0x1b)", 64, I,
            Field.reserved(0, 7),
            Field.flag(8, "BSP", "this processor is the bootstrap processor"),
            Field.reserved(9, 9),
            Field.flag(10, "EXTD", "x2APIC mode enable"),
            Field.flag(11, "EN", "APIC global enable"),
            Field.field(12, 51, "base", "APIC base physical address >> 12 (usually 0xfee00)"),
            Field.reserved(52, 63));
}
