package dev.vmscope.facts;

import dev.vmscope.facts.BitLayout;
import dev.vmscope.facts.ControlRegisters;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.DecodedBit;
import dev.vmscope.facts.ExceptionVectors;

import java.util.ArrayList;
import java.util.List;

/**
 * Names of the set bits of RFLAGS, CR0, CR4, EFER and DR6 for crash reports. RFLAGS, the control registers
 * and exception vectors come from the cited explain tables; set bits no table defines are kept as "bitN".
 */
public final class X86Bits {
    private X86Bits() {}

    /** DR6 (Intel SDM Vol. 3B 18.2.3); bit 16 (RTM) is active-low, so it is named separately. */
    private static final String[] DR6 = names(0, "B0", 1, "B1", 2, "B2", 3, "B3", 13, "BD", 14, "BS", 15, "BT");

    private static String[] names(Object... pairs) {
        String[] n = new String[64];
        for (int i = 0; i < pairs.length; i += 2) n[(Integer) pairs[i]] = (String) pairs[i + 1];
        return n;
    }

    private static List<String> set(long v, String[] table) {
        List<String> out = new ArrayList<>();
        for (int b = 0; b < 64; b++) {
            if ((v >>> b & 1) == 0) continue;
            if (table[b] != null) out.add(table[b]);
            else if (!(b < 32 && (0xffff0ff0L >>> b & 1) != 0)) out.add("bit" + b);
        }
        return out;
    }

    /** Set flags by the table's names, plus every set bit the table does not define as "bitN". */
    private static List<String> set(long v, BitLayout layout) {
        Decoded d = layout.decode(v);
        List<String> out = new ArrayList<>(d.setNames());
        for (DecodedBit b : d.anomalies()) if (b.status() == DecodedBit.Status.UNKNOWN) out.add("bit" + b.lo());
        return out;
    }

    public static List<String> rflags(long v) {
        List<String> out = set(v, ControlRegisters.RFLAGS);
        out.add("IOPL=" + (v >> 12 & 3));
        return out;
    }

    public static List<String> cr0(long v) { return set(v, ControlRegisters.CR0); }

    public static List<String> cr4(long v) { return set(v, ControlRegisters.CR4); }

    public static List<String> efer(long v) { return set(v, ControlRegisters.EFER); }

    public static List<String> dr6(long v) {
        List<String> out = set(v, DR6);
        if ((v & 1L << 16) == 0) out.add("RTM");
        return out;
    }

    /** "0x... [A B C]". */
    public static String format(long v, List<String> bits) { return String.format("0x%x [%s]", v, String.join(" ", bits)); }

    /** Exception mnemonic by vector from the cited table ("#UD"). */
    public static String exception(int vector) { return ExceptionVectors.label(vector); }
}
