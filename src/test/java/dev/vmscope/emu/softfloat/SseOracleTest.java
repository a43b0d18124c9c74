package dev.vmscope.emu.softfloat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Compares {@link Sse}/{@link SseConvert} bit for bit with the host's SSE/SSE2 (result, MXCSR flags, EFLAGS of
 * COMISx) under every rounding mode with DAZ and FTZ on and off, all exceptions masked.
 * Size: -Dvmscope.fpu.ops=N per operation; seed: -Dvmscope.fpu.seed.
 */
class SseOracleTest {
    static final String[] SINGLE = {"addss", "subss", "mulss", "divss", "sqrtss", "minss", "maxss", "comiss",
        "ucomiss", "cmpss", "cvtss2sd", "cvtss2si32", "cvttss2si32", "cvtss2si64", "cvttss2si64"};
    static final String[] DOUBLE = {"addsd", "subsd", "mulsd", "divsd", "sqrtsd", "minsd", "maxsd", "comisd",
        "ucomisd", "cmpsd", "cvtsd2ss", "cvtsd2si32", "cvttsd2si32", "cvtsd2si64", "cvttsd2si64"};
    static final String[] FROM_INT = {"cvtsi2sd32", "cvtsi2sd64", "cvtsi2ss32", "cvtsi2ss64"};

    @Test
    void matchesHost() throws Exception { run(false, X87OracleTest.SEED + 1, X87OracleTest.OPS); }

    /** Unmasked exceptions: #XM arrives as SIGFPE in the harness, which reports MXCSR from the signal frame. */
    @Test
    void unmaskedExceptionsMatchHost() throws Exception { run(true, X87OracleTest.SEED + 2, X87OracleTest.OPS / 4); }

    void run(boolean unmasked, long seed, int n) throws Exception {
        Operands gen = new Operands(new SplittableRandom(seed));
        SseModel model = new SseModel();
        List<String> lines = new ArrayList<>(), expected = new ArrayList<>();
        for (String op : SINGLE) for (int i = 0; i < n; i++) {
            int a = gen.f32();
            int b = gen.nextInt(4) == 0 ? gen.near32(a) : gen.f32();
            add(lines, expected, model, gen, unmasked, op, a & 0xFFFFFFFFL, b & 0xFFFFFFFFL);
        }
        for (String op : DOUBLE) for (int i = 0; i < n; i++) {
            long a = gen.f64();
            add(lines, expected, model, gen, unmasked, op, a, gen.nextInt(4) == 0 ? gen.near64(a) : gen.f64());
        }
        for (String op : FROM_INT) for (int i = 0; i < n; i++) {
            long v = gen.nextLong() >> gen.nextInt(64);
            if (op.endsWith("32")) v = (int) v & 0xFFFFFFFFL;
            add(lines, expected, model, gen, unmasked, op, gen.f64(), v);
        }
        List<String> actual = HostOracle.run(lines);
        Map<String, int[]> counts = new LinkedHashMap<>();
        StringBuilder diffs = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < lines.size(); i++) {
            String op = lines.get(i).split(" ")[0].substring(2);
            int[] c = counts.computeIfAbsent(op, k -> new int[2]);
            c[0]++;
            String e = expected.get(i), a = actual.get(i);
            boolean comi = op.contains("comi");
            boolean same = comi ? e.substring(17).equals(a.substring(17))
                    : e.substring(0, 25).equals(a.substring(0, 25)) && e.endsWith(a.substring(a.length() - 2));
            if (!same) {
                c[1]++;
                if (bad++ < 40) diffs.append(lines.get(i)).append("\n   host ").append(a)
                        .append("\n   java ").append(e).append('\n');
            }
        }
        StringBuilder sum = new StringBuilder();
        counts.forEach((k, v) -> sum.append(k).append(' ').append(v[0] - v[1]).append('/').append(v[0]).append("  "));
        System.out.println("SSE vs host" + (unmasked ? " (unmasked exceptions): " : ": ") + sum);
        assertEquals(0, bad, sum + "\n" + diffs);
    }

    static void add(List<String> lines, List<String> exp, SseModel m, Operands gen, boolean unmasked, String op,
            long a, long b) {
        int mxcsr = (unmasked ? 0x1F80 & ~(gen.nextInt(64) << 7) : 0x1F80) | gen.nextInt(4) << 13 | (gen.nextInt(3) == 0 ? 0x40 : 0)
                | (gen.nextInt(3) == 0 ? 0x8000 : 0);
        int imm = gen.nextInt(8);
        lines.add(String.format("s_%s %x %x %x %x", op, mxcsr, a, b, imm));
        exp.add(m.eval(op, mxcsr, a, b, imm));
    }
}
