package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.QemuDump;

import java.util.ArrayList;
import java.util.List;

/**
 * The CPU mode and paging state a register dump proves, each with its evidence, or "unknown" with what is missing.
 * Long mode needs paging (Intel SDM vol. 3A, 10.8.5 "Initializing IA-32e Mode": LMA is set only with CR0.PG=1),
 * so a 64-bit code segment settles paging even when CR0 is not in the paste. Sources: {@value Cite#MODES}.
 *
 * @param bits     16, 32 or 64; 0 when unknown
 * @param paging   null when the paste does not settle it
 * @param findings inconsistencies in the dump itself
 */
record GuestMode(String name, int bits, String evidence, Boolean paging, String pagingEvidence, List<String> findings) {

    static GuestMode of(Long cr0, Long efer, Long rflags, QemuDump.Segment cs) {
        Boolean pe = cr0 == null ? null : (cr0 & 1) != 0, pg = cr0 == null ? null : (cr0 & 1L << 31) != 0;
        Boolean lma = efer == null ? null : (efer & 1L << 10) != 0;
        boolean vm = rflags != null && (rflags & 1L << 17) != 0;
        List<String> f = new ArrayList<>();
        String pgWhy = pg == null ? "CR0 is not in the paste" : "CR0.PG=" + (pg ? 1 : 0);
        if (cs != null && cs.l() && cs.db()) {
            f.add("CS has both L (bit 21 of QEMU's flags) and D set: that combination is reserved (Intel SDM vol. 3A, 3.4.5"
                    + " \"Segment Descriptors\": if L is set, D must be clear)");
        }
        if (Boolean.FALSE.equals(pe)) {
            if (Boolean.TRUE.equals(pg)) f.add("CR0.PG=1 with CR0.PE=0 is not a valid combination for the guest's own CR0");
            return new GuestMode("real mode (real-address mode)", 16, "CR0.PE=0", false, "CR0.PG=0 (real mode has no"
                    + " paging)", f);
        }
        if (vm && !Boolean.TRUE.equals(lma)) {
            return new GuestMode("virtual-8086 mode", 16, "RFLAGS.VM=1 (bit 17)" + (pe == null ? "" : ", CR0.PE=1"), pg,
                    pgWhy, f);
        }
        if (cs != null && cs.l()) {
            if (Boolean.FALSE.equals(lma)) {
                f.add("CS.L=1 while EFER.LMA=0: the L bit only has meaning in IA-32e mode, so the CPU ignores it; QEMU"
                        + " still labels the segment CS64 from the bit alone");
                int bits = cs.db() ? 32 : 16;
                return new GuestMode(Boolean.TRUE.equals(pe) ? "protected mode" : "protected mode (CR0 not in the paste)",
                        bits, "EFER.LMA=0, so CS.L is ignored; CS.D=" + (cs.db() ? 1 : 0), pg, pgWhy, f);
            }
            if (Boolean.FALSE.equals(pg)) f.add("CS.L=1 with CR0.PG=0: IA-32e mode cannot be active without paging");
            String why = "CS.L=1" + (Boolean.TRUE.equals(lma) ? " and EFER.LMA=1" : " (EFER is not in the paste; a code"
                    + " segment with L=1 runs 64-bit code only in IA-32e mode)");
            return new GuestMode("64-bit mode (IA-32e)", 64, why, true, pg != null ? pgWhy
                    : "IA-32e mode requires CR0.PG=1 (Intel SDM vol. 3A, 10.8.5); CR0 is not in the paste", f);
        }
        if (Boolean.TRUE.equals(lma)) {
            int bits = cs == null ? 0 : cs.db() ? 32 : 16;
            return new GuestMode("compatibility mode (IA-32e, CS.L=0)", bits, "EFER.LMA=1 and CS.L=0", true,
                    pg != null ? pgWhy : "EFER.LMA=1 implies CR0.PG=1", f);
        }
        if (Boolean.TRUE.equals(pe)) {
            int bits = cs == null ? 0 : cs.db() ? 32 : 16;
            return new GuestMode(lma == null && !Boolean.FALSE.equals(pg) ? "protected mode (or IA-32e mode: EFER is not in"
                    + " the paste)" : "protected mode",
                    bits, "CR0.PE=1" + (lma == null ? "" : ", EFER.LMA=0")
                    + (cs == null ? "; CS is not in the paste, so the code size is unknown" : ", CS.D=" + (cs.db() ? 1 : 0)),
                    pg, pgWhy, f);
        }
        String missing = cs == null ? "neither CR0 nor a CS descriptor is in the paste" : "CR0 is not in the paste and"
                + " CS.L=0 does not settle it (CS.D=" + (cs.db() ? 1 : 0) + ")";
        return new GuestMode("unknown", 0, missing, pg, pgWhy, f);
    }

    String describe() {
        return "CPU mode: " + name + (bits > 0 ? ", " + bits + "-bit code" : "") + " (evidence: " + evidence + ")";
    }

    String describePaging() {
        return "paging: " + (paging == null ? "unknown" : paging ? "on" : "off") + " (evidence: " + pagingEvidence + ")";
    }

    /** Code size to disassemble with: the mode's, else the guess 64 (stated by the caller). */
    int bitsOr64() { return bits == 0 ? 64 : bits; }
}
