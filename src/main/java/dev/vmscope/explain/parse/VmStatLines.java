package dev.vmscope.explain.parse;

/**
 * vm_stat lines as bhyvectl prints them: a "vcpu%d stats:" header, then "%-40s\t%ld" per statistic
 * (usr.sbin/bhyvectl/bhyvectl.c main(), descriptions from the VMM_STAT declarations in sys/amd64/vmm/vmm.c etc.).
 */
final class VmStatLines {
    private VmStatLines() {}

    /** The vcpu of a "vcpuN stats:" header, or -1. */
    static int header(String s) {
        s = s.strip();
        if (!s.startsWith("vcpu") || !s.endsWith(" stats:")) return -1;
        Long v = Text.number(s.substring(4, s.length() - 7));
        return v == null || v < 0 || v > Integer.MAX_VALUE ? -1 : v.intValue();
    }

    /** A statistic line, or null: name, then a tab or a run of 2+ spaces, then a decimal value. */
    static BhyvectlDump.VmStat stat(int vcpu, Line l) {
        String t = l.text().stripTrailing();
        int i = t.length();
        while (i > 0 && !Character.isWhitespace(t.charAt(i - 1))) i--;
        if (i == 0 || i == t.length()) return null;
        Long v = Text.number(t.substring(i));
        if (v == null || t.substring(i).startsWith("0x")) return null;
        int j = i;
        while (j > 0 && Character.isWhitespace(t.charAt(j - 1))) j--;
        String sep = t.substring(j, i);
        if (!sep.contains("\t") && sep.length() < 2) return null;
        String name = t.substring(0, j).strip();
        if (name.isEmpty() || name.chars().noneMatch(Character::isLetter) || name.contains("[") && name.endsWith("]")
                && !name.contains(" ")) {
            return null;
        }
        return new BhyvectlDump.VmStat(vcpu, name, v, l.number());
    }
}
