package dev.vmscope.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmscope.cli.Bench;
import dev.vmscope.machine.VmHarness;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * {@code bench --vs-qemu --rounds K} on real KVM and the real QEMU, tiny iteration counts: every operation
 * gets a row whose median ratio lies inside its min-max range. Cycle values are not asserted.
 */
class BenchRoundsTest {
    @Test
    void roundsAlternateAndReportTheRatioSpread() throws Exception {
        VmHarness.assumeKvm();
        assumeTrue(ExitBench.qemu() != null, "qemu-system-x86_64 not installed");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = new Bench().run(List.of("--vs-qemu", "--exits-only", "--iters", "200", "--repeats", "1", "--rounds", "3"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err);
        assertTrue(text.contains("3 rounds, each a vmscope run then a QEMU run"), text);
        Pattern row = Pattern.compile("^\\s+(\\w+)\\s+(\\d+)\\s+(\\d+)\\s+([\\d.]+)x\\s+([\\d.]+)x - ([\\d.]+)x$", Pattern.MULTILINE);
        Matcher m = row.matcher(text);
        int rows = 0;
        while (m.find()) {
            rows++;
            double med = Double.parseDouble(m.group(4)), lo = Double.parseDouble(m.group(5)), hi = Double.parseDouble(m.group(6));
            assertTrue(lo <= med && med <= hi, m.group());
        }
        assertEquals(3, rows, "io, mmio and cpuid rows: " + text);
    }
}
