package dev.vmscope.facts;

import static dev.vmscope.facts.Field.field;
import static dev.vmscope.facts.Field.flag;
import static dev.vmscope.facts.Field.reserved;

/**
 * Segment attributes: VMX access-rights (descriptor bits 40-47 and 52-55 at bits 0-7 and 12-15, bit 16 =
 * unusable) and SVM's packed 12-bit attribute (same bits squeezed: descriptor bits 40-47 at 0-7, 52-55
 * at 8-11). Sources: {@value Sources#SDM_AR}; {@value Sources#APM_SEG}.
 */
public final class SegmentAttributes {
    private SegmentAttributes() {}

    /** Type field names for S=1 (code/data) descriptors, Intel SDM vol. 3 table 3-1. */
    private static String codeDataType(long t) {
        boolean code = (t & 8) != 0;
        String a = (t & 1) != 0 ? ", accessed" : "";
        if (!code) return "data, " + ((t & 2) != 0 ? "read/write" : "read-only") + ((t & 4) != 0 ? ", expand-down" : "") + a;
        return "code, " + ((t & 2) != 0 ? "execute/read" : "execute-only") + ((t & 4) != 0 ? ", conforming" : "") + a;
    }

    /** System descriptor types (S=0) in long/protected mode, Intel SDM vol. 3 table 3-2. */
    private static final String[] SYSTEM = {
        "reserved", "16-bit TSS (available)", "LDT", "16-bit TSS (busy)", "16-bit call gate", "task gate",
        "16-bit interrupt gate", "16-bit trap gate", "reserved", "32/64-bit TSS (available)", "reserved",
        "32/64-bit TSS (busy)", "32/64-bit call gate", "reserved", "32/64-bit interrupt gate", "32/64-bit trap gate",
    };

    /** Human name of a 4-bit type given the S bit. */
    public static String typeName(long type, boolean codeOrData) {
        return codeOrData ? codeDataType(type) : SYSTEM[(int) (type & 15)];
    }

    private static Field[] common(int hiShift) {
        return new Field[] {
            field(0, 3, "type", "segment type (meaning depends on S)"),
            flag(4, "S", "descriptor type: 1 = code/data, 0 = system (TSS, LDT, gate)"),
            field(5, 6, "DPL", "descriptor privilege level"),
            flag(7, "P", "present"),
            flag(hiShift, "AVL", "available to software"),
            flag(hiShift + 1, "L", "64-bit code segment (CS only)"),
            flag(hiShift + 2, "D/B", "default operation size: 1 = 32-bit, 0 = 16-bit"),
            flag(hiShift + 3, "G", "granularity: limit in 4 KiB units"),
        };
    }

    public static final BitLayout VMX = vmx();
    public static final BitLayout SVM = svm();

    private static BitLayout vmx() {
        Field[] c = common(12);
        Field[] f = new Field[c.length + 3];
        System.arraycopy(c, 0, f, 0, c.length);
        f[c.length] = reserved(8, 11);
        f[c.length + 1] = flag(16, "unusable", "segment unusable (VMX-specific; e.g. null selector loaded)");
        f[c.length + 2] = reserved(17, 31);
        return BitLayout.of("VMX segment access rights", 32, Sources.SDM_AR, f);
    }

    private static BitLayout svm() {
        Field[] c = common(8);
        Field[] f = new Field[c.length + 1];
        System.arraycopy(c, 0, f, 0, c.length);
        f[c.length] = reserved(12, 15);
        return BitLayout.of("SVM VMCB segment attribute (packed 12-bit)", 16, Sources.APM_SEG, f);
    }

    public static Decoded decodeVmx(long v) { return nameType(VMX.decode(v)); }

    public static Decoded decodeSvm(long v) { return nameType(SVM.decode(v)); }

    /** Converts between the two encodings (SVM attr <-> VMX AR); the VMX unusable bit has no SVM form. */
    public static long svmToVmx(long attr) { return (attr & 0xff) | ((attr & 0xf00) << 4); }

    public static long vmxToSvm(long ar) { return (ar & 0xff) | ((ar >>> 4) & 0xf00); }

    private static Decoded nameType(Decoded d) {
        boolean s = d.field("S").orElseThrow().set();
        var bits = d.bits().stream().map(b -> b.name().equals("type")
                ? new DecodedBit(b.lo(), b.hi(), b.name(), b.value(), typeName(b.value(), s), b.meaning(), b.status(), b.flagged(), b.source())
                : b).toList();
        return new Decoded(d.title(), d.value(), d.width(), bits, d.source());
    }
}
