package dev.vmscope.bench;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.machine.MachineConfig.IrqchipMode;
import dev.vmscope.machine.VmHarness;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The IPI benchmark guest reports every operation in both irqchip modes (values are not asserted). */
class IpiBenchTest {
    @ParameterizedTest
    @EnumSource(IrqchipMode.class)
    void everyOperationIsMeasured(IrqchipMode mode) throws Exception {
        VmHarness.assumeKvm();
        IpiBench.Run r = IpiBench.run(mode, 50, 2, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        for (String op : new String[] {"ipi-send", "eoi", "self-ipi", "remote-ipi"}) {
            BenchResults.Summary s = r.results().get(op);
            assertNotNull(s, op + " missing; " + r.stopMessage());
            assertEquals(2, s.repeats(), op);
            assertTrue(s.median() > 0, op);
        }
        assertTrue(r.tscKhz() > 0);
    }

    @Test
    void theTableHasBothModes() throws Exception {
        VmHarness.assumeKvm();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(IpiBench.print(20, 1, new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("kernel cycles") && text.contains("user cycles"), text);
        assertTrue(text.lines().anyMatch(l -> l.trim().startsWith("remote-ipi") && !l.contains(" - ")), text);
    }
}
