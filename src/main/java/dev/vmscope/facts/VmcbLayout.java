package dev.vmscope.facts;

import static dev.vmscope.facts.Field.field;
import static dev.vmscope.facts.Field.flag;
import static dev.vmscope.facts.Field.reserved;

import java.util.List;
import java.util.Optional;

/**
 * VMCB field offsets (control area 0x000-0x3ff, state save area from 0x400). Sources:
 * {@value Sources#APM_VMCB} and table B-2 (state save area); Linux arch/x86/include/asm/svm.h
 * (struct vmcb_control_area / vmcb_save_area, whose size asserts pin the offsets).
 */
public final class VmcbLayout {
    private VmcbLayout() {}

    /** @param offset byte offset in the 4 KiB VMCB; @param size in bytes */
    public record VmcbField(int offset, int size, String name, String meaning, String source) {
        public boolean contains(int off) { return off >= offset && off < offset + size; }
    }

    private static final String S = Sources.APM_VMCB + "; Linux arch/x86/include/asm/svm.h";
    private static final String SS = "AMD64 APM vol. 2, appendix B table B-2 (state save area, VMCB offset 0x400 + n); Linux arch/x86/include/asm/svm.h";

    private static VmcbField c(int off, int size, String name, String meaning) { return new VmcbField(off, size, name, meaning, S); }

    private static VmcbField s(int off, int size, String name, String meaning) { return new VmcbField(0x400 + off, size, name, meaning, SS); }

    private static final String SEG = "segment: selector +0 (2), attributes +2 (2, packed 12-bit), limit +4 (4), base +8 (8)";

    private static final List<VmcbField> FIELDS = List.of(
        c(0x000, 4, "intercept CR", "CR read (bits 0-15) / write (16-31) intercepts"),
        c(0x004, 4, "intercept DR", "DR read (bits 0-15) / write (16-31) intercepts"),
        c(0x008, 4, "intercept exceptions", "bit n intercepts exception vector n"),
        c(0x00c, 4, "intercept word 3 (inst1)", "INTR..SHUTDOWN instruction/event intercepts"),
        c(0x010, 4, "intercept word 4 (inst2)", "VMRUN..EFER/CR write traps"),
        c(0x014, 4, "intercept word 5 (inst3)", "INVLPGB..IDLE_HLT intercepts"),
        c(0x03c, 2, "PAUSE_FILTER_THRESHOLD", "pause filter threshold (cycles)"),
        c(0x03e, 2, "PAUSE_FILTER_COUNT", "PAUSEs before a PAUSE intercept"),
        c(0x040, 8, "IOPM_BASE_PA", "physical address of the I/O permission map"),
        c(0x048, 8, "MSRPM_BASE_PA", "physical address of the MSR permission map"),
        c(0x050, 8, "TSC_OFFSET", "added to the TSC the guest reads"),
        c(0x058, 4, "GUEST_ASID", "address space ID (0 is the host: VMRUN fails)"),
        c(0x05c, 1, "TLB_CONTROL", "0 nothing, 1 flush all, 3 flush this ASID, 7 flush this ASID's non-global entries"),
        c(0x060, 4, "INT_CTL (V_TPR, V_IRQ, ...)", "virtual interrupt control, see INT_CTL layout"),
        c(0x064, 4, "V_INTR_VECTOR", "vector of the virtual interrupt (bits 7:0)"),
        c(0x068, 4, "INTERRUPT_SHADOW", "bit 0 = guest in interrupt shadow, bit 1 = guest RFLAGS.IF (GUEST_INTERRUPT_MASK)"),
        c(0x070, 8, "EXITCODE", "SVM exit code"),
        c(0x078, 8, "EXITINFO1", "exit-specific information 1"),
        c(0x080, 8, "EXITINFO2", "exit-specific information 2"),
        c(0x088, 8, "EXITINTINFO", "event being delivered when the exit happened (EVENTINJ format)"),
        c(0x090, 8, "NP_ENABLE / misc", "bit 0 nested paging, bit 1 SEV, bit 2 SEV-ES"),
        c(0x098, 8, "AVIC_APIC_BAR", "AVIC guest APIC base"),
        c(0x0a0, 8, "GHCB_PA", "guest physical address of the GHCB (SEV-ES)"),
        c(0x0a8, 8, "EVENTINJ", "event to inject on VMRUN"),
        c(0x0b0, 8, "N_CR3", "nested page table root"),
        c(0x0b8, 8, "LBR_VIRTUALIZATION_ENABLE", "bit 0 LBR virtualization, bit 1 virtual VMLOAD/VMSAVE"),
        c(0x0c0, 4, "VMCB_CLEAN", "bits saying which VMCB areas are unchanged since the last VMRUN"),
        c(0x0c8, 8, "NRIP", "next sequential RIP (NRIP save)"),
        c(0x0d0, 1, "NUMBER_OF_BYTES_FETCHED", "count of valid guest instruction bytes (decode assists)"),
        c(0x0d1, 15, "GUEST_INSTRUCTION_BYTES", "bytes of the intercepted instruction (#NPF, #PF intercepts)"),
        c(0x0e0, 8, "AVIC_BACKING_PAGE", "AVIC backing page pointer"),
        c(0x0f0, 8, "AVIC_LOGICAL_TABLE", "AVIC logical APIC ID table pointer"),
        c(0x0f8, 8, "AVIC_PHYSICAL_TABLE", "AVIC physical APIC ID table pointer and max index"),
        c(0x108, 8, "VMSA_PA", "VMSA pointer (SEV-ES)"),
        c(0x120, 2, "BUS_LOCK_COUNTER", "bus lock threshold counter"),
        c(0x138, 8, "ALLOWED_SEV_FEATURES", "SEV features the guest may enable"),
        c(0x140, 8, "GUEST_SEV_FEATURES", "SEV features the guest enabled"),
        c(0x3e0, 32, "reserved for software", "host software use (e.g. Hyper-V enlightenments)"),
        s(0x000, 16, "ES", SEG), s(0x010, 16, "CS", SEG), s(0x020, 16, "SS", SEG), s(0x030, 16, "DS", SEG),
        s(0x040, 16, "FS", SEG), s(0x050, 16, "GS", SEG), s(0x060, 16, "GDTR", "limit +4, base +8"),
        s(0x070, 16, "LDTR", SEG), s(0x080, 16, "IDTR", "limit +4, base +8"), s(0x090, 16, "TR", SEG),
        s(0x0ca, 1, "VMPL", "SEV-SNP VM privilege level"),
        s(0x0cb, 1, "CPL", "guest current privilege level (use this, not a segment DPL)"),
        s(0x0d0, 8, "EFER", "guest EFER (SVME must be set)"),
        s(0x148, 8, "CR4", "guest CR4"), s(0x150, 8, "CR3", "guest CR3"), s(0x158, 8, "CR0", "guest CR0"),
        s(0x160, 8, "DR7", "guest DR7"), s(0x168, 8, "DR6", "guest DR6"),
        s(0x170, 8, "RFLAGS", "guest RFLAGS"), s(0x178, 8, "RIP", "guest RIP"),
        s(0x1d8, 8, "RSP", "guest RSP"), s(0x1e0, 8, "S_CET", "supervisor CET"), s(0x1e8, 8, "SSP", "shadow stack pointer"),
        s(0x1f0, 8, "ISST_ADDR", "interrupt SSP table"), s(0x1f8, 8, "RAX", "guest RAX (other GPRs are not in the VMCB)"),
        s(0x200, 8, "STAR", "STAR MSR"), s(0x208, 8, "LSTAR", "LSTAR MSR"), s(0x210, 8, "CSTAR", "CSTAR MSR"),
        s(0x218, 8, "SFMASK", "SFMASK MSR"), s(0x220, 8, "KernelGsBase", "KERNEL_GS_BASE MSR"),
        s(0x228, 8, "SYSENTER_CS", "SYSENTER_CS MSR"), s(0x230, 8, "SYSENTER_ESP", "SYSENTER_ESP MSR"),
        s(0x238, 8, "SYSENTER_EIP", "SYSENTER_EIP MSR"), s(0x240, 8, "CR2", "guest CR2"),
        s(0x268, 8, "G_PAT", "guest PAT (nested paging)"), s(0x270, 8, "DBGCTL", "guest DEBUGCTL"),
        s(0x278, 8, "BR_FROM", "last branch from"), s(0x280, 8, "BR_TO", "last branch to"),
        s(0x288, 8, "LASTEXCPFROM", "last exception from"), s(0x290, 8, "LASTEXCPTO", "last exception to"),
        s(0x2e0, 8, "SPEC_CTRL", "guest SPEC_CTRL"));

    public static List<VmcbField> fields() { return FIELDS; }

    /** The field containing byte {@code offset}. */
    public static Optional<VmcbField> at(int offset) { return FIELDS.stream().filter(f -> f.contains(offset)).findFirst(); }

    /** VMCB offset 0x60: virtual interrupt control. */
    public static final BitLayout INT_CTL = BitLayout.of("VMCB INT_CTL (offset 0x60)", 32, S,
            field(0, 7, "V_TPR", "virtual TPR (bits 3:0 used; mirrors guest CR8)"),
            flag(8, "V_IRQ", "a virtual interrupt is pending"),
            flag(9, "V_GIF", "virtual global interrupt flag"),
            reserved(10, 10),
            flag(11, "V_NMI_PENDING", "virtual NMI pending"),
            flag(12, "V_NMI_BLOCKING", "virtual NMI blocked (in NMI handler)"),
            reserved(13, 15),
            field(16, 19, "V_INTR_PRIO", "priority of the virtual interrupt"),
            flag(20, "V_IGN_TPR", "deliver the virtual interrupt regardless of V_TPR"),
            reserved(21, 23),
            flag(24, "V_INTR_MASKING", "virtualize interrupt masking: guest RFLAGS.IF/TPR do not mask host interrupts"),
            flag(25, "V_GIF_ENABLE", "virtual GIF enabled"),
            flag(26, "V_NMI_ENABLE", "virtual NMI enabled"),
            reserved(27, 29),
            flag(30, "X2AVIC_MODE", "x2AVIC mode"),
            flag(31, "AVIC_ENABLE", "AVIC enabled"));
}
