package dev.vmscope.debug;

import java.util.ArrayList;
import java.util.List;

/**
 * Names of the set bits of RFLAGS, CR0, CR4, EFER and DR6 for crash reports. Small on purpose: the
 * explain tables carry the full descriptions.
 */
public final class X86Bits {
    private X86Bits() {}

    /** RFLAGS (Intel SDM Vol. 1 3.4.3, figure 3-8); IOPL (bits 12-13) is printed as a number. */
    private static final String[] RFLAGS = names(0, "CF", 2, "PF", 4, "AF", 6, "ZF", 7, "SF", 8, "TF", 9, "IF", 10, "DF",
            11, "OF", 14, "NT", 16, "RF", 17, "VM", 18, "AC", 19, "VIF", 20, "VIP", 21, "ID");
    /** CR0 (Intel SDM Vol. 3A 2.5, figure 2-7). */
    private static final String[] CR0 = names(0, "PE", 1, "MP", 2, "EM", 3, "TS", 4, "ET", 5, "NE", 16, "WP", 18, "AM",
            29, "NW", 30, "CD", 31, "PG");
    /** CR4 (Intel SDM Vol. 3A 2.5). */
    private static final String[] CR4 = names(0, "VME", 1, "PVI", 2, "TSD", 3, "DE", 4, "PSE", 5, "PAE", 6, "MCE", 7, "PGE",
            8, "PCE", 9, "OSFXSR", 10, "OSXMMEXCPT", 11, "UMIP", 12, "LA57", 13, "VMXE", 14, "SMXE", 16, "FSGSBASE",
            17, "PCIDE", 18, "OSXSAVE", 19, "KL", 20, "SMEP", 21, "SMAP", 22, "PKE", 23, "CET", 24, "PKS", 25, "UINTR");
    /** IA32_EFER (Intel SDM Vol. 3A 2.2.1; AMD APM Vol. 2 3.1.7 for SVME, LMSLE, FFXSR, TCE). */
    private static final String[] EFER = names(0, "SCE", 8, "LME", 10, "LMA", 11, "NXE", 12, "SVME", 13, "LMSLE",
            14, "FFXSR", 15, "TCE");
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
            else if (!(table == RFLAGS && (b == 1 || b == 12 || b == 13)) && !(table == DR6 && b < 32 && (0xffff0ff0L >>> b & 1) != 0))
                out.add("bit" + b);
        }
        return out;
    }

    public static List<String> rflags(long v) {
        List<String> out = set(v, RFLAGS);
        out.add("IOPL=" + (v >> 12 & 3));
        return out;
    }

    public static List<String> cr0(long v) { return set(v, CR0); }

    public static List<String> cr4(long v) { return set(v, CR4); }

    public static List<String> efer(long v) { return set(v, EFER); }

    public static List<String> dr6(long v) {
        List<String> out = set(v, DR6);
        if ((v & 1L << 16) == 0) out.add("RTM");
        return out;
    }

    /** "0x... [A B C]". */
    public static String format(long v, List<String> bits) { return String.format("0x%x [%s]", v, String.join(" ", bits)); }

    /** Exception mnemonics by vector (Intel SDM Vol. 3A 6.3.1, table 6-1). */
    private static final String[] EXCEPTIONS = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", null,
            "#TS", "#NP", "#SS", "#GP", "#PF", null, "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};

    public static String exception(int vector) {
        return vector >= 0 && vector < EXCEPTIONS.length && EXCEPTIONS[vector] != null ? EXCEPTIONS[vector] : "vector " + vector;
    }
}
