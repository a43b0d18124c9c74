package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: two bhyvectl snapshots of one vCPU in one file; the second exit reason was silently ignored with
 * status 0. The fix belongs to explain.parse (BhyvectlParser keeps the first value of a repeated key), which
 * issue 11 owns: enable this test with it.
 */
class ExplainSnapshotsTest {
    @Test
    void secondSnapshotIsExplainedOrFlagged(@TempDir Path dir) throws IOException {
        String one = Files.readString(Cli.sample("0x88.0.txt"), java.nio.charset.StandardCharsets.ISO_8859_1);
        String two = one + one.replace("exit_reason[0]\t0x88", "exit_reason[0]\t0x7b");
        Path f = Files.writeString(dir.resolve("two.txt"), two, java.nio.charset.StandardCharsets.ISO_8859_1);
        Cli.Out r = Cli.run("explain", f.toString());
        assertNotEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("0x7b") || r.out().toLowerCase().contains("snapshot"), r.out());
    }
}
