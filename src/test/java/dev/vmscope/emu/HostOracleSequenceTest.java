package dev.vmscope.emu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random general-purpose instruction sequences run natively by src/test/c/oracle/insn_oracle.c and on the
 * software CPU in 64-bit user mode, compared on GPRs, RFLAGS (without the flags the SDM leaves undefined, see
 * {@link FlagRules}), the data page, and the exception (vector, RIP, error code, #PF address). Case count from
 * {@code -Demu.oracle.cases=N} (default 100000), seed from {@code -Demu.oracle.seed}.
 * <p>
 * Architectural differences the generator avoids (not emulator bugs): MOVBE, LZCNT/TZCNT (F3 0F BD/BC) and other
 * extensions this CPU's CPUID does not advertise but the host executes (emu/CpuidModel.java); CPUID, RDTSC and
 * SYSCALL (host-specific results or kernel entry); FS/GS overrides (the host's FS base is its TLS); INT n/INT3
 * (Linux's IDT gates); split-locked accesses (the host kernel may trap them, SDM Vol. 3A 9.1.2.3).
 */
class HostOracleSequenceTest {
    private static final int CASES = Integer.getInteger("emu.oracle.cases", 100_000);
    private static final long SEED = Long.getLong("emu.oracle.seed", 0x5eed_0001L);
    private static final int BATCH = 2000;
    /** RFLAGS bits compared (CF PF AF ZF SF TF IF DF OF AC); RF is set in the host's signal frame only. */
    private static final long FLAG_BITS = 0x40fd5;

    /** Opcode keys (EmuSequenceRunner.key) every full-size run must execute at least once. */
    static final Set<String> REQUIRED = Set.of(
            "00", "01", "02", "03", "04", "05", "08", "09", "0A", "0B", "0C", "0D", "10", "11", "12", "13", "14", "15",
            "18", "19", "1A", "1B", "1C", "1D", "20", "21", "22", "23", "24", "25", "28", "29", "2A", "2B", "2C", "2D",
            "30", "31", "32", "33", "34", "35", "38", "39", "3A", "3B", "3C", "3D",
            "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "5A", "5B", "5D", "5E", "5F",
            "63", "68", "69", "6A", "6B", "80/0", "80/7", "81/1", "81/7", "83/2", "83/3", "83/6", "84", "85", "86", "87",
            "88", "89", "8A", "8B", "8C", "8D", "8F/0", "90", "91", "92", "93", "96", "97", "98", "99", "9C", "9D", "9E", "9F",
            "A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "AA", "AB", "AC", "AD", "AE", "AF",
            "F3 A4", "F3 A5", "F3 A6", "F2 A6", "F3 A7", "F2 A7", "F3 AA", "F3 AB", "F3 AC", "F3 AD", "F3 AE", "F2 AE", "F3 AF", "F2 AF",
            "B0", "B4", "B8", "BC", "C0/0", "C0/1", "C0/2", "C0/3", "C0/4", "C0/5", "C0/7", "C1/0", "C1/1", "C1/2", "C1/3",
            "C1/4", "C1/5", "C1/6", "C1/7", "C2", "C3", "C6/0", "C7/0", "C8", "C9", "D0/2", "D1/3", "D2/4", "D3/5", "D3/7", "D7", "E3",
            "E0", "E1", "E2", "E8", "EB", "F5", "F6/0", "F6/2", "F6/3", "F6/4", "F6/5", "F6/6", "F6/7", "F7/0", "F7/2",
            "F7/3", "F7/4", "F7/5", "F7/6", "F7/7", "F8", "F9", "FC", "FD", "FE/0", "FE/1", "FF/0", "FF/1", "FF/2", "FF/4",
            "FF/6", "E9",
            "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "7A", "7B", "7C", "7D", "7E", "7F",
            "0F 18/0", "0F 1F/0", "0F 40", "0F 41", "0F 42", "0F 43", "0F 44", "0F 45", "0F 46", "0F 47", "0F 48", "0F 49",
            "0F 4A", "0F 4B", "0F 4C", "0F 4D", "0F 4E", "0F 4F", "0F 80", "0F 84", "0F 8F", "0F 90", "0F 91", "0F 92",
            "0F 93", "0F 94", "0F 95", "0F 96", "0F 97", "0F 98", "0F 99", "0F 9A", "0F 9B", "0F 9C", "0F 9D", "0F 9E",
            "0F 9F", "0F A3", "0F A4", "0F A5", "0F AB", "0F AC", "0F AD", "0F AF", "0F B0", "0F B1", "0F B3", "0F B6",
            "0F B7", "0F BA/4", "0F BA/5", "0F BA/6", "0F BA/7", "0F BB", "0F BC", "0F BD", "0F BE", "0F BF", "0F C0",
            "0F C1", "0F C7/1", "0F C8", "0F CB", "0F CF", "F3 0F B8",
            "F0 01", "F0 09", "F0 11", "F0 19", "F0 21", "F0 29", "F0 31", "F0 80/0", "F0 81/5", "F0 83/1", "F0 F6/2",
            "F0 F7/3", "F0 FE/0", "F0 FF/1", "F0 0F AB", "F0 0F B3", "F0 0F BB", "F0 0F BA/5", "F0 0F B0", "F0 0F B1",
            "F0 0F C0", "F0 0F C1", "F0 0F C7/1");

    @Test
    void randomSequencesMatchTheHostCpu() throws Exception {
        SequenceGenerator gen = new SequenceGenerator(SEED);
        int compared = 0, rejected = 0, faulted = 0;
        List<String> mismatches = new ArrayList<>();
        int mismatchCount = 0;
        try (InsnOracle host = new InsnOracle(); EmuSequenceRunner emu = new EmuSequenceRunner()) {
            for (int done = 0; done < CASES; done += BATCH) {
                List<InsnOracle.Case> batch = new ArrayList<>();
                for (int k = 0; k < Math.min(BATCH, CASES - done); k++) batch.add(gen.next());
                List<InsnOracle.Result> results = host.run(batch);
                for (int k = 0; k < batch.size(); k++) {
                    InsnOracle.Case c = batch.get(k);
                    EmuSequenceRunner.Outcome e = emu.run(c);
                    if (e.rejected() != null) {
                        rejected++;
                        continue;
                    }
                    compared++;
                    if (e.vector() >= 0) faulted++;
                    String why = compare(c, results.get(k), e);
                    if (why != null) {
                        mismatchCount++;
                        if (mismatches.size() < 25) mismatches.add(why);
                    }
                }
            }
            Map<String, Integer> cov = emu.coverage;
            Set<String> missing = new TreeSet<>(REQUIRED);
            missing.removeAll(cov.keySet());
            System.out.println("host oracle: " + CASES + " cases, " + compared + " compared (" + faulted + " faulting), "
                    + rejected + " rejected (reads an undefined flag or has an undefined result), " + mismatchCount + " mismatches; "
                    + cov.size() + " opcode keys: " + cov);
            mismatches.forEach(System.out::println);
            assertEquals(0, mismatchCount, "mismatches with the host CPU, first ones:\n" + String.join("\n", mismatches));
            if (CASES >= 50_000) assertTrue(missing.isEmpty(), "opcodes never executed: " + missing);
        }
    }

    private static final String[] NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
            "r11", "r12", "r13", "r14", "r15"};

    /** Null when host and emulator agree, else a description with the case. */
    static String compare(InsnOracle.Case c, InsnOracle.Result h, EmuSequenceRunner.Outcome e) {
        StringBuilder d = new StringBuilder();
        if (e.failure() != null) d.append(" ").append(e.failure());
        if (h.vector() != e.vector()) d.append(" exception host=").append(h.vector()).append(" emu=").append(e.vector());
        if (h.rip() != e.rip()) d.append(String.format(" rip host=+%x emu=+%x", h.rip() - InsnOracle.CODE, e.rip() - InsnOracle.CODE));
        if (h.vector() == e.vector() && (e.vector() == Fault.GP || e.vector() == Fault.SS) && h.errorCode() != e.errorCode())
            d.append(" error code host=").append(h.errorCode()).append(" emu=").append(e.errorCode());
        if (h.vector() == Fault.PF && e.vector() == Fault.PF) {
            if ((h.errorCode() & 7) != (e.errorCode() & 7)) d.append(" #PF code host=").append(h.errorCode()).append(" emu=").append(e.errorCode());
            if (h.faultAddress() != e.faultAddress())
                d.append(String.format(" cr2 host=%x emu=%x", h.faultAddress(), e.faultAddress()));
        }
        for (int k = 0; k < 16; k++) {
            if (h.gprs()[k] != e.gprs()[k]) d.append(String.format(" %s host=%x emu=%x", NAMES[k], h.gprs()[k], e.gprs()[k]));
        }
        long mask = FLAG_BITS & ~e.undefinedFlags();
        if (((h.rflags() ^ e.rflags()) & mask) != 0)
            d.append(String.format(" rflags host=%x emu=%x (compared %x)", h.rflags() & mask, e.rflags() & mask, mask));
        if (!Arrays.equals(h.page(), e.page())) {
            int at = Arrays.mismatch(h.page(), e.page());
            d.append(String.format(" memory at +%x host=%02x emu=%02x", at, h.page()[at], e.page()[at]));
        }
        if (d.isEmpty()) return null;
        StringBuilder regs = new StringBuilder();
        for (int k = 0; k < 16; k++) regs.append(String.format(" %s=%x", NAMES[k], c.gprs()[k]));
        d.append(String.format(" [host vector %d at +%x]", h.vector(), h.rip() - InsnOracle.CODE));
        return "code " + HexFormat.of().formatHex(c.code()) + " flags=" + Long.toHexString(c.rflags()) + regs + "\n   ->" + d;
    }
}
