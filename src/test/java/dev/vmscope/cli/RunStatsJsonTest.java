package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.machine.VmHarness;
import dev.vmscope.util.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vmscope run --stats-json` writes machine-readable exit accounting that matches what the guest did. */
class RunStatsJsonTest {
    @Test
    @SuppressWarnings("unchecked")
    void statsJsonCountsTheGuestsExits(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("stats.json");
        int status = RunCliTest.run("run", "--kernel", VmHarness.guest("hello").toString(), "--no-summary",
                "--stats-json", json.toString(), "--timeout", "60s").status();
        assertEquals(67, status);
        Map<String, Object> o = (Map<String, Object>) Json.parse(Files.readString(json));
        assertEquals("vmscope-stats-v1", o.get("format"));
        assertEquals(67L, o.get("status"));
        Map<String, Object> cpu0 = (Map<String, Object>) ((List<Object>) o.get("vcpus")).get(0);
        List<Map<String, Object>> ports = (List<Map<String, Object>>) cpu0.get("by_port");
        Map<String, Object> com1 = ports.stream().filter(p -> p.get("key").equals("0x03f8 out")).findFirst().orElseThrow();
        assertEquals(6L, com1.get("count"), "h e l l o \\n: one OUT each");
        Map<String, Object> exit = ports.stream().filter(p -> p.get("key").equals("0x00f4 out")).findFirst().orElseThrow();
        assertEquals(1L, exit.get("count"));
    }
}
