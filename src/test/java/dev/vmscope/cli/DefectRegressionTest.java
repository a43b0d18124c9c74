package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.util.Json;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The defects listed in issue 12, each as it was reported; every one of these failed before the fix. */
class DefectRegressionTest {
    @TempDir
    Path dir;

    /** A crash-text register row thousands of pairs long overflowed a regex's stack: status 70, other reports lost. */
    @Test
    @SuppressWarnings("unchecked")
    void longRegisterRowCostsNoOtherReport() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(Cli.sample("vmscope-crash-triple.txt")));
        StringBuilder row = new StringBuilder(" ");
        for (int i = 0; i < 20_000; i++) row.append("  rax ").append(String.format("%016x", i));
        lines.set(4, row.toString());
        Path crash = Files.write(dir.resolve("long-row.txt"), lines);
        Cli.Out r = Cli.run("explain", "--json", crash.toString(), Cli.sample("0x88.0.txt").toString());
        assertTrue(r.status() < 70, r.err());
        List<String> objects = r.out().lines().toList();
        assertEquals(2, objects.size(), r.out());
        Map<String, Object> second = (Map<String, Object>) Json.parse(objects.get(1));
        assertEquals("bhyvectl", second.get("format"));
    }

    /** bench --startup-only without KVM printed invented numbers (first byte -1.0 ms) and exited 0. */
    @Test
    void benchWithoutKvmIsAnEnvironmentError() {
        Assumptions.assumeFalse(Files.isWritable(Path.of("/dev/kvm")), "this host has KVM");
        Cli.Out r = Cli.run("bench", "--startup-only", "--startup-runs", "1");
        assertEquals(6, r.status());
        assertEquals("", r.out(), "no numbers without KVM");
        assertTrue(r.err().startsWith("vmscope: error: bench needs KVM"), r.err());
    }

    /** A forced --format that the content contradicts was "fully understood". */
    @Test
    void forcedFormatMismatchIsStatus2() {
        Cli.Out r = Cli.run("explain", "--format", "bhyvectl", Cli.sample("perf-script-amd.txt").toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.out().contains("--format bhyvectl does not match the content, which is kvm-trace"), r.out());
        assertFalse(r.out().contains("fully understood"), r.out());
    }

    /** UTF-16 (Windows PowerShell) was read as garbage; a UTF-8 BOM broke the first line. */
    @Test
    void utf16AndBomReadAsText() throws IOException {
        String text = Files.readString(Cli.sample("0x88.0.txt"));
        String plain = Cli.run("explain", Cli.sample("0x88.0.txt").toString()).out();
        byte[] bom8 = concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, text.getBytes(StandardCharsets.UTF_8));
        byte[] le = concat(new byte[] {(byte) 0xff, (byte) 0xfe}, text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_16LE));
        byte[] beNoBom = text.getBytes(StandardCharsets.UTF_16BE);
        for (byte[] b : List.of(bom8, le, beNoBom)) {
            Cli.Out r = Cli.run(new ByteArrayInputStream(b), "explain", "-");
            assertEquals(0, r.status(), r.out() + r.err());
            assertEquals(plain.replace(Cli.sample("0x88.0.txt").toString(), "-"), r.out());
        }
    }

    /** ESC and BEL from a dump or trace reached the terminal raw. */
    @Test
    void controlCharactersAreEscapedInTextOutput() throws IOException {
        String evil = "\u001b]0;owned\u0007\u001b[2J bogus line\n";
        Path t = Files.write(dir.resolve("evil.txt"), (Files.readString(Cli.sample("trace-cmd-intel.txt")) + evil)
                .getBytes(StandardCharsets.UTF_8));
        for (String cmd : List.of("stats", "explain")) {
            Cli.Out r = Cli.run(cmd, t.toString());
            String all = r.out() + r.err();
            assertFalse(all.contains("\u001b") || all.contains("\u0007"), cmd + ": raw control characters");
            assertTrue(all.contains("\\e]0;owned\\x07"), cmd + ": " + all);
        }
    }

    /** --stats-json and --debugcon into a missing directory: status 70 after the guest ran; now 2 before it starts. */
    @Test
    void outputPathsCheckedBeforeTheGuest() {
        Cli.Out s = Cli.run("run", "--stats-json", "/nonexistent-dir/s.json");
        assertEquals(2, s.status(), s.err());
        assertTrue(s.err().contains("--stats-json: /nonexistent-dir/s.json: no such directory"), s.err());
        Cli.Out d = Cli.run("run", "--debugcon", "/nonexistent-dir/d.txt");
        assertEquals(2, d.status(), d.err());
        Cli.Out c = Cli.run("run", "--crash-dir", "/nonexistent-dir");
        assertEquals(2, c.status(), c.err());
    }

    /** An unreadable input (a directory, a damaged gzip) is status 2 with one line, never 70. */
    @Test
    void unreadableInputsAreStatus2() throws IOException {
        Cli.Out d = Cli.run("stats", dir.toString());
        assertEquals(2, d.status(), d.err());
        assertTrue(d.err().contains("is a directory"), d.err());
        byte[] gz = InputsFixtures.gzip(Files.readAllBytes(Cli.sample("trace-cmd-intel.txt")));
        Path cut = Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(gz, gz.length / 2));
        for (String cmd : List.of("stats", "explain")) {
            Cli.Out r = Cli.run(cmd, cut.toString());
            assertEquals(2, r.status(), cmd + ": " + r.err() + r.out());
            assertTrue((r.err() + r.out()).contains("gzip data is damaged"), cmd + ": " + r.err() + r.out());
        }
    }

    /** /dev/zero and an endless stdin went past the size cap (5 GB RSS, then out of memory). */
    @Test
    void endlessInputsStopAtTheCap() {
        InputStream endless = new InputStream() {
            @Override
            public int read() { return 'x'; }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }
        };
        Cli.Out r = Cli.run(endless, "explain", "--max-size", "4M", "-");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("-: larger than 4 MiB of text"), r.err());
        if (Files.exists(Path.of("/dev/zero"))) {
            Cli.Out z = Cli.run("explain", "--max-size", "4M", "/dev/zero");
            assertEquals(2, z.status());
            assertTrue(z.err().contains("/dev/zero: larger than 4 MiB"), z.err());
        }
    }

    /** FIFOs were refused ("no such file"); stdin was not read at all. */
    @Test
    void fifoAndStdinAreRead() throws Exception {
        byte[] trace = Files.readAllBytes(Cli.sample("trace-cmd-intel.txt"));
        Cli.Out fromFile = Cli.run("stats", "--json", Cli.sample("trace-cmd-intel.txt").toString());
        Cli.Out fromStdin = Cli.run(new ByteArrayInputStream(trace), "stats", "--json", "-");
        assertEquals(0, fromStdin.status(), fromStdin.err());
        assertEquals(fromFile.out().replace(Cli.sample("trace-cmd-intel.txt").toString(), "-"), fromStdin.out());
        Path fifo = dir.resolve("fifo");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        Thread writer = new Thread(() -> {
            try { Files.write(fifo, trace); } catch (IOException e) { throw new RuntimeException(e); }
        });
        writer.start();
        Cli.Out fromFifo = Cli.run("stats", "--json", fifo.toString());
        writer.join(10_000);
        assertEquals(0, fromFifo.status(), fromFifo.err());
        assertEquals(fromFile.out().replace(Cli.sample("trace-cmd-intel.txt").toString(), fifo.toString()), fromFifo.out());
    }

    /** The progress line: drawn on stderr when forced (the launcher forces it when stderr alone is a terminal). */
    @Test
    void progressOnStderrWhenAskedAndNeverOnStdout() {
        Cli.Out on = Cli.run("stats", "--progress", Cli.sample("trace-cmd-intel.txt").toString());
        assertTrue(on.err().contains("\r") && on.err().contains("%"), on.err());
        assertFalse(on.out().contains("\r"));
        assertTrue(on.err().endsWith("\r"), "the line is cleared when done");
        Cli.Out off = Cli.run("stats", "--no-progress", Cli.sample("trace-cmd-intel.txt").toString());
        assertEquals("", off.err());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
