package dev.vmscope.explain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Truncated, garbled, mixed and unknown files: clear file:line messages, partial results, no stack traces. */
class BadInputTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] b) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    private static void noTrace(Samples.Run r) {
        String all = r.out() + r.err();
        assertFalse(all.contains("Exception:") || all.contains("\tat ") || all.contains("internal error")
                || all.contains("java.lang"), all);
    }

    @Test
    void unknownFormatNamesFileAndLine() throws IOException {
        Path p = write("notes.txt", "\n\nhello world\nnothing here\n".getBytes(StandardCharsets.UTF_8));
        Samples.Run r = Samples.cli("explain", p.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(p + ":3: unknown format: 'hello world' (expected"), r.err());
        noTrace(r);
    }

    @Test
    void emptyAndMissingFiles() throws IOException {
        Path p = write("empty.txt", new byte[0]);
        Samples.Run r = Samples.cli("explain", p.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(p + ":1: empty file"), r.err());
        Samples.Run m = Samples.cli("explain", dir.resolve("nope.txt").toString());
        assertEquals(2, m.status());
        assertTrue(m.err().contains("nope.txt: cannot read"), m.err());
        noTrace(r);
        noTrace(m);
    }

    @Test
    void garbledLineIsListedAndTheRestStillDecoded() throws IOException {
        String s = new String(Samples.bytes("0x88.0.txt"), StandardCharsets.UTF_8);
        s = s.replace("exc_intercept[0]\t0x00040000\n", "exc_intercept[0]\t0x00040000\n@@ garbage %% line\n");
        Path p = write("0x88-garbled.txt", s.getBytes(StandardCharsets.UTF_8));
        Samples.Run r = Samples.cli("explain", p.toString());
        assertEquals(1, r.status());
        assertTrue(r.out().contains(p + ":60: not interpreted: '@@ garbage %% line' (expected a bhyvectl line"), r.out());
        assertTrue(r.out().contains("SVM_EXIT_ICEBP"), r.out());
        assertTrue(r.out().contains("result: partly understood"), r.out());
        noTrace(r);
    }

    @Test
    void truncatedDumpStillReportsWhatItHas() throws IOException {
        byte[] b = Samples.bytes("0x88.0.txt");
        String s = new String(b, StandardCharsets.UTF_8);
        int cut = s.indexOf("exit_reason[0]") + 9; // ends inside "exit_reason[0]\t0x88"
        Path p = write("0x88-truncated.txt", Arrays.copyOf(b, cut));
        Samples.Run r = Samples.cli("explain", p.toString());
        assertEquals(1, r.status());
        assertTrue(r.out().contains("not interpreted: 'exit_reas'"), r.out());
        assertTrue(r.out().contains("EXCEPT CR0, CR2, CR3, CR4, CR8"), r.out());
        noTrace(r);
    }

    @Test
    void mixedFileReportsForeignLines() throws IOException {
        byte[] a = Samples.bytes("bhyve-exit-svm.txt"), b = Samples.bytes("perf-kvm-stat-intel.txt");
        byte[] mixed = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, mixed, a.length, b.length);
        Path p = write("mixed.txt", mixed);
        Samples.Run r = Samples.cli("explain", p.toString());
        assertEquals(1, r.status(), r.out());
        // The perf table dominates, so its rows are decoded and the bhyve block is listed line by line.
        assertTrue(r.out().contains("format: perf-kvm-stat"), r.out());
        assertTrue(r.out().contains(p + ":1: not interpreted: 'vm exit[1]'"), r.out());
        assertTrue(r.out().contains("VM-EXIT HLT: 1830 samples"), r.out());
        noTrace(r);
    }

    @Test
    void forcedWrongFormatAndBadOptions() {
        Samples.Run r = Samples.cli("explain", "--format", "qemu", Samples.path("0x88.0.txt").toString());
        assertEquals(2, r.status());
        assertTrue(r.out().contains("no qemu content found"), r.out());
        Samples.Run f = Samples.cli("explain", "--format", "vmware", "x");
        assertEquals(2, f.status());
        assertTrue(f.err().contains("unknown format 'vmware' (expected one of: bhyvectl,"), f.err());
        Samples.Run ok = Samples.cli("explain", "--format=bhyve-exit", Samples.path("bhyve-exit-svm.txt").toString());
        assertEquals(0, ok.status(), ok.out());
        noTrace(r);
    }

    @Test
    void statsOnNonTraceFails() throws IOException {
        Path p = write("x.txt", "just text\n".getBytes(StandardCharsets.UTF_8));
        Samples.Run r = Samples.cli("stats", p.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(p + ":1: no KVM trace events found"), r.err());
        assertTrue(r.out().contains(p + ":1: not interpreted: 'just text'"), r.out());
        Samples.Run ok = Samples.cli("stats", "--json", Samples.path("trace-cmd-intel.txt").toString());
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("\"exits\": 11"), ok.out());
        noTrace(r);
    }
}
