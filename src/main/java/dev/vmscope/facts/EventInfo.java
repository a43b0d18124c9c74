package dev.vmscope.facts;

import static dev.vmscope.facts.Field.field;
import static dev.vmscope.facts.Field.flag;
import static dev.vmscope.facts.Field.named;
import static dev.vmscope.facts.Field.reserved;

import java.util.ArrayList;
import java.util.List;

/**
 * Event-information words: SVM EVENTINJ / EXITINTINFO (same 64-bit format) and VMX interruption
 * information (VM-exit, IDT-vectoring and VM-entry, same 32-bit format). The vector is named as an
 * exception only when the type says it is one. Sources: {@value Sources#APM_EVENTINJ}; {@value Sources#SDM_INTR}.
 */
public final class EventInfo {
    private EventInfo() {}

    public static final BitLayout SVM = BitLayout.of("SVM EXITINTINFO / EVENTINJ", 64, Sources.APM_EVENTINJ,
            field(0, 7, "vector", "interrupt or exception vector"),
            named(8, 10, "type", "event type", "INTR (external or virtual interrupt)", null, "NMI",
                    "exception (fault/trap)", "software interrupt (INTn)", null, null, null),
            flag(11, "EV", "error code valid: bits 63:32 hold an error code to push"),
            reserved(12, 30),
            flag(31, "V", "valid: an event was being delivered (EXITINTINFO) / is to be injected (EVENTINJ)"),
            field(32, 63, "error code", "error code (meaningful only if EV=1)"));

    public static final BitLayout VMX = BitLayout.of("VMX interruption information", 32, Sources.SDM_INTR,
            field(0, 7, "vector", "interrupt or exception vector"),
            named(8, 10, "type", "interruption type", "external interrupt", null, "NMI", "hardware exception",
                    "software interrupt (INTn)", "privileged software exception (INT1/ICEBP)",
                    "software exception (INT3 or INTO)", "other event (MTF on VM entry)"),
            flag(11, "error code valid", "the exit (or entry) interruption error code field is valid"),
            flag(12, "NMI unblocking due to IRET", "exit-side only: the exit happened during an IRET that unblocked NMIs"),
            reserved(13, 30),
            flag(31, "valid", "the information is valid"));

    public static Decoded decodeSvm(long v) { return nameVector(SVM.decode(v), 3); }

    public static Decoded decodeVmx(long v) { return nameVector(VMX.decode(v), 3); }

    /** Names the vector field: exceptions (and NMI) by mnemonic, other types as plain vectors. */
    private static Decoded nameVector(Decoded d, int exceptionType) {
        long type = d.field("type").orElseThrow().value();
        List<DecodedBit> out = new ArrayList<>();
        for (DecodedBit b : d.bits()) {
            if (b.name().equals("vector")) {
                int vec = (int) b.value();
                String vn = switch ((int) type) {
                    case 2 -> vec == 2 ? "NMI" : "vector " + vec + " (NMI type expects vector 2)";
                    case 3, 5, 6 -> ExceptionVectors.lookup(vec)
                            .map(x -> x.mnemonic().isEmpty() ? "vector " + vec + " (reserved exception vector)" : x.mnemonic() + " " + x.name())
                            .orElse("vector " + vec + " (not an exception vector)");
                    default -> "vector " + vec;
                };
                boolean bad = (type == 3 || type == 2) && vec >= 32;
                b = new DecodedBit(b.lo(), b.hi(), b.name(), b.value(), vn, b.meaning(), b.status(), bad || b.flagged(), b.source());
            }
            out.add(b);
        }
        return new Decoded(d.title(), d.value(), d.width(), out, d.source());
    }
}
