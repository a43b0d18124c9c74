package dev.vmscope.debug;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the real /usr/bin/gdb in batch mode with a bounded timeout. */
public final class GdbHarness {
    public static final Path GDB = Path.of("/usr/bin/gdb");

    private GdbHarness() {}

    public static String run(int timeoutSeconds, String... exCommands) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(GDB), "real gdb not installed at /usr/bin/gdb");
        List<String> cmd = new ArrayList<>(List.of(GDB.toString(), "-batch", "-nx"));
        for (String e : exCommands) { cmd.add("-ex"); cmd.add(e); }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread pump = Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = p.getInputStream()) { in.transferTo(buf); } catch (IOException ignored) { }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            pump.join(2000);
            fail("gdb did not finish within " + timeoutSeconds + " s; output so far:\n" + buf.toString(StandardCharsets.UTF_8));
        }
        pump.join(5000);
        return buf.toString(StandardCharsets.UTF_8);
    }
}
