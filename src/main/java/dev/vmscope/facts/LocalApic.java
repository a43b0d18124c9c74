package dev.vmscope.facts;

import static dev.vmscope.facts.Field.field;
import static dev.vmscope.facts.Field.flag;
import static dev.vmscope.facts.Field.named;
import static dev.vmscope.facts.Field.reserved;

import java.util.List;
import java.util.Optional;

/**
 * Local APIC register map (xAPIC MMIO offsets; x2APIC MSR = 0x800 + offset/16) and the ICR.
 * Sources: {@value Sources#SDM_APIC}; {@value Sources#SDM_X2APIC}.
 */
public final class LocalApic {
    private LocalApic() {}

    /** @param offset xAPIC MMIO offset from the APIC base; @param count number of consecutive 16-byte registers */
    public record Register(int offset, int count, String name, String meaning, String source) {
        public int x2apicMsr() { return 0x800 + (offset >>> 4); }

        public boolean containsOffset(int off) { return off >= offset && off < offset + 16 * count; }
    }

    private static Register r(int off, String name, String meaning) { return new Register(off, 1, name, meaning, Sources.SDM_APIC); }

    private static Register r(int off, int n, String name, String meaning) { return new Register(off, n, name, meaning, Sources.SDM_APIC); }

    private static final List<Register> REGS = List.of(
        r(0x020, "ID", "local APIC ID (xAPIC: bits 31:24)"),
        r(0x030, "VERSION", "version, max LVT entry, EOI-broadcast suppression support"),
        r(0x080, "TPR", "task priority"),
        r(0x090, "APR", "arbitration priority"),
        r(0x0a0, "PPR", "processor priority (read-only)"),
        r(0x0b0, "EOI", "end of interrupt (write 0)"),
        r(0x0c0, "RRD", "remote read (obsolete)"),
        r(0x0d0, "LDR", "logical destination"),
        r(0x0e0, "DFR", "destination format (flat/cluster; not in x2APIC)"),
        r(0x0f0, "SVR", "spurious vector; bit 8 = APIC software enable, bit 12 = EOI-broadcast suppression"),
        r(0x100, 8, "ISR", "in-service register bits 0-255"),
        r(0x180, 8, "TMR", "trigger mode register bits 0-255"),
        r(0x200, 8, "IRR", "interrupt request register bits 0-255"),
        r(0x280, "ESR", "error status"),
        r(0x2f0, "LVT_CMCI", "LVT corrected machine-check interrupt"),
        r(0x300, "ICR_LOW", "interrupt command, low dword (writing it sends the IPI in xAPIC mode)"),
        r(0x310, "ICR_HIGH", "interrupt command, high dword: destination in bits 31:24 (xAPIC)"),
        r(0x320, "LVT_TIMER", "LVT timer: vector, mask, one-shot/periodic/TSC-deadline"),
        r(0x330, "LVT_THERMAL", "LVT thermal sensor"),
        r(0x340, "LVT_PMC", "LVT performance counter"),
        r(0x350, "LVT_LINT0", "LVT LINT0 (usually ExtINT from the 8259)"),
        r(0x360, "LVT_LINT1", "LVT LINT1 (usually NMI)"),
        r(0x370, "LVT_ERROR", "LVT error"),
        r(0x380, "TIMER_ICR", "timer initial count"),
        r(0x390, "TIMER_CCR", "timer current count (read-only)"),
        r(0x3e0, "TIMER_DCR", "timer divide configuration"),
        new Register(0x3f0, 1, "SELF_IPI", "self IPI (x2APIC only, MSR 0x83f)", Sources.SDM_X2APIC));

    public static List<Register> registers() { return REGS; }

    /** Register containing xAPIC MMIO offset {@code off} (0..0xfff). */
    public static Optional<Register> byOffset(int off) { return REGS.stream().filter(x -> x.containsOffset(off)).findFirst(); }

    /** Register for an x2APIC MSR (0x800..0x8ff); MSR 0x830 is the whole 64-bit ICR. */
    public static Optional<Register> byX2apicMsr(long msr) {
        if (msr < 0x800 || msr > 0x8ff) return Optional.empty();
        return byOffset((int) ((msr - 0x800) << 4));
    }

    private static Field[] icrLow() {
        return new Field[] {
            field(0, 7, "vector", "vector to deliver (start-up: page number of the AP entry point)"),
            named(8, 10, "delivery mode", "how the target handles it", "fixed", "lowest priority", "SMI", null, "NMI", "INIT", "start-up (SIPI)", null),
            named(11, 11, "destination mode", "how the destination is interpreted", "physical", "logical"),
        };
    }

    private static Field[] icrCommon() {
        return new Field[] {
            named(14, 14, "level", "level (must be 1 except INIT level de-assert)", "de-assert", "assert"),
            named(15, 15, "trigger mode", "trigger mode", "edge", "level"),
            reserved(16, 17),
            named(18, 19, "shorthand", "destination shorthand", "none (use destination field)", "self", "all including self", "all excluding self"),
            reserved(20, 31),
        };
    }

    private static BitLayout icr(boolean x2) {
        List<Field> f = new java.util.ArrayList<>(List.of(icrLow()));
        if (x2) f.add(reserved(12, 13));
        else {
            f.add(named(12, 12, "delivery status", "xAPIC only", "idle", "send pending"));
            f.add(reserved(13, 13));
        }
        f.addAll(List.of(icrCommon()));
        if (x2) f.add(field(32, 63, "destination", "32-bit x2APIC destination ID"));
        else {
            f.add(reserved(32, 55));
            f.add(field(56, 63, "destination", "8-bit xAPIC destination (ICR_HIGH bits 31:24)"));
        }
        return new BitLayout(x2 ? "x2APIC ICR (MSR 0x830)" : "xAPIC ICR (0x310:0x300)", 64, f,
                x2 ? Sources.SDM_X2APIC : Sources.SDM_APIC);
    }

    public static final BitLayout ICR_XAPIC = icr(false);
    public static final BitLayout ICR_X2APIC = icr(true);
}
