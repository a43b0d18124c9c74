package dev.vmscope.emu.softfloat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host CPU as oracle: compiles src/test/c/softfloat/fpu_oracle.c with gcc (-O0 -m64) once per JVM and runs
 * batches of operation lines through it. Skips the calling test when gcc or an x86-64 host is missing.
 */
final class HostOracle {
    private static Path exe;

    private HostOracle() {}

    static synchronized Path executable() throws IOException, InterruptedException {
        if (exe != null) return exe;
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "host is not x86-64: no FPU oracle");
        Path base = Path.of(System.getProperty("vmscope.basedir", "."));
        Path src = base.resolve("src/test/c/softfloat/fpu_oracle.c");
        Path dir = Files.createTempDirectory("vmscope-fpu-oracle");
        Path out = dir.resolve("fpu_oracle");
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", "-O0", "-m64", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: no FPU oracle");
            throw e;
        }
        String msg = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(cc.waitFor(120, TimeUnit.SECONDS), "gcc timed out");
        if (cc.exitValue() != 0) throw new IllegalStateException("gcc failed:\n" + msg);
        exe = out;
        return exe;
    }

    /** Runs every line through the host program; one output line per input line. */
    static List<String> run(List<String> lines) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(executable().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread feeder = Thread.ofPlatform().start(() -> {
            try (Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII)) {
                for (String l : lines) { w.write(l); w.write('\n'); }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<String> out = new ArrayList<>(lines.size());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String l; (l = r.readLine()) != null; ) out.add(l);
        }
        feeder.join();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        if (out.size() != lines.size()) {
            throw new IllegalStateException("oracle answered " + out.size() + " of " + lines.size() + " lines (status "
                    + p.exitValue() + "), next input: " + (out.size() < lines.size() ? lines.get(out.size()) : ""));
        }
        return out;
    }
}
