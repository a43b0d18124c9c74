package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecodeCliTest {
    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        var o = new ByteArrayOutputStream();
        var e = new ByteArrayOutputStream();
        int st = Main.run(List.of(args), new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void decodesAndCitesSource() {
        Run r = run("decode", "svm-exit", "0x88");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("SVM_EXIT_ICEBP") && r.out().contains("source: "), r.out());
    }

    @Test
    void badValueIsOneLineExit2() {
        for (String[] args : List.of(new String[] {"decode", "svm-exit", "0xzz"}, new String[] {"decode", "frobnicate", "1"},
                new String[] {"decode", "port", "0x12345"}, new String[] {"decode", "svm-intercepts", "1"})) {
            Run r = run(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertTrue(r.out().isEmpty());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("vmscope: error: decode: "), r.err());
        }
    }

    @Test
    void jsonOutputParses() {
        Run r = run("decode", "icr", "0x000c4500", "--json");
        assertEquals(0, r.status());
        Map<?, ?> j = (Map<?, ?>) Json.parse(r.out());
        assertEquals("icr", j.get("kind"));
        assertEquals(Boolean.FALSE, j.get("flagged"));
    }
}
