package dev.vmscope.explain;

import dev.vmscope.explain.parse.Detector;
import dev.vmscope.explain.parse.DumpParser;
import dev.vmscope.explain.parse.Text;
import dev.vmscope.explain.report.Explainer;
import dev.vmscope.explain.report.Report;
import dev.vmscope.explain.stats.TraceScanner;
import dev.vmscope.explain.stats.TraceStats;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * 10^5 mutated inputs (byte flips, truncations, line duplication, splices between formats, NULs) through every
 * parser; a share also through the trace scanner and the whole explainer. Nothing may throw.
 */
class FuzzTest {
    private static final int CASES = 100_000;
    private static final String ALPHABET = "0123456789abcdefx[]:/ \t\n\0-%";

    private static List<byte[]> sampleLines() {
        List<byte[]> out = new ArrayList<>();
        for (String s : Samples.ALL) {
            byte[] b = Samples.bytes(s);
            int st = 0;
            for (int i = 0; i <= b.length; i++) {
                if (i == b.length || b[i] == '\n') {
                    if (i > st) out.add(Arrays.copyOfRange(b, st, i + (i < b.length ? 1 : 0)));
                    st = i + 1;
                }
            }
        }
        return out;
    }

    @Test
    void noExceptionEscapesAnyParser() {
        List<byte[]> lines = sampleLines();
        Random rnd = new Random(0x88);
        List<DumpParser> parsers = Detector.PARSERS;
        int explained = 0;
        for (int c = 0; c < CASES; c++) {
            byte[] in = mutate(input(lines, rnd), rnd);
            DumpParser p = parsers.get(c % parsers.size());
            try {
                p.parse("fuzz", in, Text.lines(in));
                if (c % 10 == 0) new TraceScanner(new TraceStats()).scan(in);
                if (c % 50 == 0) {
                    Report r = Explainer.explain("fuzz", in, Optional.empty());
                    for (String s : r.notInterpreted()) assertFalse(s.contains("explaining stopped early"), s);
                    explained++;
                }
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("case " + c + " (" + p.format() + ") threw on input:\n"
                        + new String(in, java.nio.charset.StandardCharsets.ISO_8859_1), e);
            }
        }
        assertEquals(CASES / 50, explained);
    }

    /** Mutated real pastes (the corpus) through the whole explainer; -Dvmscope.fuzz.pastes=100000 for a long run. */
    @Test
    void explainSurvivesMutatedRealPastes() throws java.io.IOException {
        int cases = Integer.getInteger("vmscope.fuzz.pastes", 4_000);
        List<byte[]> pastes = new ArrayList<>();
        for (CorpusTest.Paste p : CorpusTest.corpus()) pastes.add(p.text());
        Random rnd = new Random(0x11);
        for (int c = 0; c < cases; c++) {
            byte[] in = pastes.get(rnd.nextInt(pastes.size())).clone();
            if (rnd.nextInt(3) == 0) { // splice two pastes: several dumps in one
                byte[] other = pastes.get(rnd.nextInt(pastes.size()));
                byte[] j = Arrays.copyOf(in, in.length + other.length);
                System.arraycopy(other, 0, j, in.length, other.length);
                in = j;
            }
            in = mutate(in, rnd);
            try {
                Report r = Explainer.explain("fuzz", in, Optional.empty());
                for (String s : r.notInterpreted()) assertFalse(s.contains("explaining stopped early"), s);
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("paste case " + c + " threw on input:\n"
                        + new String(in, java.nio.charset.StandardCharsets.ISO_8859_1), e);
            }
        }
    }

    /** 1-12 consecutive lines of one sample, sometimes with lines of another sample spliced in. */
    private static byte[] input(List<byte[]> lines, Random rnd) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int start = rnd.nextInt(lines.size()), n = 1 + rnd.nextInt(12);
        for (int i = 0; i < n && start + i < lines.size(); i++) o.writeBytes(lines.get(start + i));
        if (rnd.nextInt(4) == 0) o.writeBytes(lines.get(rnd.nextInt(lines.size())));
        return o.toByteArray();
    }

    private static byte[] mutate(byte[] b, Random rnd) {
        int ops = 1 + rnd.nextInt(3);
        for (int k = 0; k < ops && b.length > 0; k++) {
            switch (rnd.nextInt(6)) {
                case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
                case 2 -> b[rnd.nextInt(b.length)] = (byte) ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
                case 3 -> { // duplicate a slice
                    int s = rnd.nextInt(b.length), e = s + rnd.nextInt(Math.min(80, b.length - s) + 1);
                    byte[] d = new byte[b.length + (e - s)];
                    System.arraycopy(b, 0, d, 0, e);
                    System.arraycopy(b, s, d, e, b.length - s);
                    b = d;
                }
                case 4 -> { // delete a slice
                    int s = rnd.nextInt(b.length), e = s + rnd.nextInt(b.length - s + 1);
                    byte[] d = new byte[b.length - (e - s)];
                    System.arraycopy(b, 0, d, 0, s);
                    System.arraycopy(b, e, d, s, b.length - e);
                    b = d;
                }
                default -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
        }
        return b;
    }
}
