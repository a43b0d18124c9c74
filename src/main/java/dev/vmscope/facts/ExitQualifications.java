package dev.vmscope.facts;

import static dev.vmscope.facts.Field.field;
import static dev.vmscope.facts.Field.flag;
import static dev.vmscope.facts.Field.named;
import static dev.vmscope.facts.Field.reserved;

import java.util.Optional;

/** Exit-information decoders: SVM EXITINFO1 for IOIO and #NPF; VMX exit qualifications. */
public final class ExitQualifications {
    private ExitQualifications() {}

    private static final String[] SEGS = {"ES", "CS", "SS", "DS", "FS", "GS", null, null};
    private static final String[] GPRS = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
        "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"};

    /** SVM EXITINFO1 for exit 0x7b; EXITINFO2 holds the RIP of the next instruction. */
    public static final BitLayout SVM_IOIO = BitLayout.of("SVM EXITINFO1 (IOIO)", 64, Sources.APM_IOIO,
            named(0, 0, "TYPE", "direction", "OUT (write to port)", "IN (read from port)"),
            reserved(1, 1),
            flag(2, "STR", "string instruction (INS/OUTS)"),
            flag(3, "REP", "REP prefix present"),
            flag(4, "SZ8", "8-bit operand"),
            flag(5, "SZ16", "16-bit operand"),
            flag(6, "SZ32", "32-bit operand"),
            flag(7, "A16", "16-bit address size"),
            flag(8, "A32", "32-bit address size"),
            flag(9, "A64", "64-bit address size"),
            named(10, 12, "SEG", "effective segment of a string instruction (decode-assist CPUs)", SEGS),
            reserved(13, 15),
            field(16, 31, "PORT", "I/O port number", v -> IoPorts.lookup((int) v).map(IoPorts.Port::name).orElse("port 0x" + Long.toHexString(v))),
            reserved(32, 63));

    /** SVM EXITINFO1 for #NPF (exit 0x400): a #PF-style error code plus nested-walk bits; EXITINFO2 = GPA. */
    public static final BitLayout SVM_NPF = BitLayout.of("SVM EXITINFO1 (nested page fault)", 64,
            Sources.APM_NPF + "; Linux arch/x86/include/asm/kvm_host.h PFERR_*",
            flag(0, "P", "1 = the nested page was present (protection violation); 0 = not present"),
            flag(1, "RW", "write access"),
            flag(2, "US", "user-mode access (always 1: nested walks count as user accesses)"),
            flag(3, "RSV", "reserved bit set in a nested page-table entry"),
            flag(4, "ID", "instruction fetch"),
            flag(5, "PK", "protection-key violation"),
            flag(6, "SS", "shadow-stack access"),
            reserved(7, 30),
            flag(31, "RMP", "SEV-SNP RMP check failed"),
            flag(32, "GUEST_FINAL", "fault translating the guest's final physical address (the data/code access itself)"),
            flag(33, "GUEST_PAGE", "fault while the CPU walked the guest's own page tables (guest PTE access)"),
            flag(34, "ENC", "access was to encrypted (C-bit) memory"),
            flag(35, "SIZEM", "page size mismatch between RMP and nested page table"),
            flag(36, "VMPL", "VMPL permission violation"),
            flag(37, "SSS", "supervisor shadow-stack page"),
            reserved(38, 63));

    public static final BitLayout VMX_IO = BitLayout.of("VMX exit qualification (I/O instruction)", 64, Sources.SDM_QUAL + " table 28-5",
            named(0, 2, "size", "access size", "1 byte", "2 bytes", null, "4 bytes"),
            named(3, 3, "direction", "direction", "OUT", "IN"),
            flag(4, "string", "string instruction (INS/OUTS)"),
            flag(5, "REP", "REP prefix"),
            named(6, 6, "operand encoding", "how the port was given", "DX", "immediate"),
            reserved(7, 15),
            field(16, 31, "port", "I/O port number", v -> IoPorts.lookup((int) v).map(IoPorts.Port::name).orElse("port 0x" + Long.toHexString(v))),
            reserved(32, 63));

    public static final BitLayout VMX_CR = BitLayout.of("VMX exit qualification (control-register access)", 64, Sources.SDM_QUAL + " table 28-3",
            field(0, 3, "CR", "control register number", v -> "CR" + v),
            named(4, 5, "access type", "what the guest did", "MOV to CR", "MOV from CR", "CLTS", "LMSW"),
            named(6, 6, "LMSW operand", "LMSW source (only for LMSW)", "register", "memory"),
            reserved(7, 7),
            named(8, 11, "GPR", "general-purpose register of the MOV", GPRS),
            reserved(12, 15),
            field(16, 31, "LMSW data", "LMSW source value (only for LMSW)"),
            reserved(32, 63));

    public static final BitLayout VMX_DR = BitLayout.of("VMX exit qualification (MOV DR)", 64, Sources.SDM_QUAL + " table 28-4",
            field(0, 2, "DR", "debug register number", v -> "DR" + v),
            reserved(3, 3),
            named(4, 4, "direction", "direction", "MOV to DR", "MOV from DR"),
            reserved(5, 7),
            named(8, 11, "GPR", "general-purpose register", GPRS),
            reserved(12, 63));

    public static final BitLayout VMX_DEBUG = BitLayout.of("VMX exit qualification (debug exception #DB)", 64, Sources.SDM_QUAL + " table 28-1",
            flag(0, "B0", "breakpoint 0 condition met"),
            flag(1, "B1", "breakpoint 1 condition met"),
            flag(2, "B2", "breakpoint 2 condition met"),
            flag(3, "B3", "breakpoint 3 condition met"),
            reserved(4, 10),
            flag(11, "BLD", "bus lock detected"),
            reserved(12, 12),
            flag(13, "BD", "debug-register access detected (DR7.GD)"),
            flag(14, "BS", "single step (RFLAGS.TF)"),
            reserved(15, 15),
            flag(16, "RTM", "#DB inside an RTM region"),
            reserved(17, 63));

    public static final BitLayout VMX_EPT = BitLayout.of("VMX exit qualification (EPT violation)", 64, Sources.SDM_QUAL + " table 28-7",
            flag(0, "read", "the access was a data read"),
            flag(1, "write", "the access was a data write"),
            flag(2, "fetch", "the access was an instruction fetch"),
            flag(3, "readable", "the EPT entries allowed reads"),
            flag(4, "writable", "the EPT entries allowed writes"),
            flag(5, "executable", "the EPT entries allowed execution (supervisor execution with mode-based control)"),
            flag(6, "user executable", "the EPT entries allowed user-mode execution (mode-based control)"),
            flag(7, "GLA valid", "a guest linear address is in the VMCS guest-linear-address field"),
            flag(8, "GLA translated", "if GLA valid: 1 = access to the translated address, 0 = access to a guest paging-structure entry"),
            flag(9, "user-mode GLA", "advanced info: the linear access was user-mode"),
            flag(10, "R/W paging", "advanced info: the linear address was writable per guest paging"),
            flag(11, "XD paging", "advanced info: the linear address was execute-disabled per guest paging"),
            flag(12, "NMI unblocking", "NMI unblocking due to IRET"),
            flag(13, "shadow stack", "shadow-stack access"),
            flag(14, "supervisor SS", "EPT supervisor shadow-stack page"),
            flag(15, "paging verification", "guest-paging verification failed"),
            flag(16, "async", "access was asynchronous to instruction execution (e.g. PT trace output)"),
            reserved(17, 63));

    /** Qualification layout for a VMX basic exit reason, if the SDM defines a bit layout for it. */
    public static Optional<BitLayout> forVmxReason(int basicReason) {
        return switch (basicReason) {
            case 0 -> Optional.of(VMX_DEBUG); // only for #DB; #PF puts the linear address there
            case 28 -> Optional.of(VMX_CR);
            case 29 -> Optional.of(VMX_DR);
            case 30 -> Optional.of(VMX_IO);
            case 48 -> Optional.of(VMX_EPT);
            default -> Optional.empty();
        };
    }

    /** Access size in bytes of an SVM IOIO EXITINFO1, or 0 if none of SZ8/16/32 is set. */
    public static int svmIoSize(long info1) {
        return (info1 & 0x10) != 0 ? 1 : (info1 & 0x20) != 0 ? 2 : (info1 & 0x40) != 0 ? 4 : 0;
    }
}
