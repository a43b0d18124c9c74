package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.util.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole command line under mutated inputs, as issue 12 asks: runs of tokens repeated within one line
 * (what overflowed a regex), formats spliced, gzip and UTF-16 wrappers, control bytes; several files per run,
 * text and --json. Invariants: status 0, 1 or 2 (never 70), one JSON object per input, no raw ESC/BEL in text.
 * Size from -Dvmscope.cliFuzzCases (default 60, under 20 s on a busy 2-core host).
 */
class CliFuzzTest {
    private static final int CASES = Integer.getInteger("vmscope.cliFuzzCases", 60);
    private static final String[] SAMPLES = {"0x88.0.txt", "bhyve-exit-svm.txt", "bhyve-stats.2.txt", "intel-getall.1.txt",
            "perf-kvm-stat-intel.txt", "perf-script-amd.txt", "qemu-entry-failed.txt", "trace-cmd-intel.txt",
            "vmscope-crash-triple.txt", "vmscope-crash-triple.json"};

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void mutatedInputsNeverBreakTheCommandLine() throws IOException {
        Random rnd = new Random(12);
        List<byte[]> samples = new ArrayList<>();
        for (String s : SAMPLES) samples.add(Files.readAllBytes(Cli.sample(s)));
        for (int c = 0; c < CASES; c++) {
            int n = 1 + rnd.nextInt(3);
            List<String> files = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] b = mutate(samples.get(rnd.nextInt(samples.size())), samples.get(rnd.nextInt(samples.size())), rnd);
                files.add(Files.write(dir.resolve("case" + c + "-" + i + (b.length > 1 && b[0] == 0x1f ? ".gz" : ".txt")), b).toString());
            }
            boolean json = rnd.nextBoolean();
            String cmd = c % 4 == 3 ? "stats" : "explain";
            List<String> args = new ArrayList<>(List.of(cmd));
            if (json) args.add("--json");
            args.addAll(cmd.equals("stats") ? files.subList(0, 1) : files);
            Cli.Out r = Cli.run(args.toArray(String[]::new));
            String what = "case " + c + ": " + args + "\n" + r.err();
            assertTrue(r.status() >= 0 && r.status() <= 2, what);
            assertFalse(r.err().contains("internal error") || r.out().contains("vmscope bug"), what);
            if (json) {
                List<String> lines = r.out().lines().toList();
                if (cmd.equals("explain")) {
                    assertEquals(files.size(), lines.size(), what);
                    for (String l : lines) assertEquals("vmscope-explain", ((Map<String, Object>) Json.parse(l)).get("schema"), what);
                } else {
                    Object o = Json.parse(r.out());
                    assertTrue(((Map<String, Object>) o).get("schema").toString().startsWith("vmscope-"), what);
                }
            } else {
                assertFalse(r.out().indexOf(0x1b) >= 0 || r.out().indexOf(0x07) >= 0 || r.err().indexOf(0x1b) >= 0, what);
            }
        }
    }

    private static byte[] mutate(byte[] a, byte[] b, Random rnd) throws IOException {
        String s = new String(a, java.nio.charset.StandardCharsets.ISO_8859_1);
        String[] lines = s.split("\n", -1);
        StringBuilder out = new StringBuilder();
        int pick = rnd.nextInt(lines.length);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (i == pick || rnd.nextInt(40) == 0) l = repeatTokens(l, rnd);
            if (rnd.nextInt(60) == 0) l = l + "\u001b]0;t\u0007";
            out.append(l).append(i + 1 < lines.length ? "\n" : "");
            if (rnd.nextInt(80) == 0) { // splice a run of lines from another format
                String[] other = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).split("\n");
                int from = rnd.nextInt(other.length);
                for (int k = from; k < Math.min(other.length, from + 1 + rnd.nextInt(5)); k++) out.append(other[k]).append('\n');
            }
        }
        byte[] r = out.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return switch (rnd.nextInt(8)) {
            case 0 -> gzip(r);
            case 1 -> DefectRegressionTest.concat(new byte[] {(byte) 0xff, (byte) 0xfe},
                    out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
            case 2 -> java.util.Arrays.copyOf(r, rnd.nextInt(r.length + 1));
            default -> r;
        };
    }

    /** One run of whitespace-separated tokens repeated many times within the line. */
    private static String repeatTokens(String line, Random rnd) {
        String[] t = line.trim().split("\\s+");
        if (t.length == 0) return line;
        int from = rnd.nextInt(t.length), len = 1 + rnd.nextInt(Math.min(4, t.length - from));
        String run = String.join(" ", java.util.Arrays.copyOfRange(t, from, from + len));
        int times = 50 + rnd.nextInt(rnd.nextBoolean() ? 300 : 3000);
        StringBuilder sb = new StringBuilder(line.length() + times * (run.length() + 1));
        sb.append(line);
        for (int i = 0; i < times; i++) sb.append(' ').append(run);
        return sb.toString();
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(o)) { z.write(b); }
        return o.toByteArray();
    }
}
