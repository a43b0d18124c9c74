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
 * The host CPU as oracle: compiles a C program under src/test/c with gcc once per JVM (fpu_oracle.c for the
 * soft-float tests) and runs batches of lines through it. Skips the calling test when gcc or an x86-64 host is missing.
 */
public final class HostOracle {
    private static final java.util.Map<String, Path> BUILT = new java.util.HashMap<>();

    private HostOracle() {}

    static Path executable() throws IOException, InterruptedException {
        return compile("src/test/c/softfloat/fpu_oracle.c", "-O0");
    }

    /**
     * Compiles {@code source} (relative to the project) with gcc -m64 once per JVM; skips the calling test when
     * gcc, Linux or an x86-64 host is missing. Shared by every host-CPU oracle (x87, SIMD, instruction sequences).
     */
    public static synchronized Path compile(String source, String optimize) throws IOException, InterruptedException {
        Path done = BUILT.get(source);
        if (done != null) return done;
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "host is not x86-64: no host-CPU oracle");
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "not Linux: no host-CPU oracle");
        Path base = Path.of(System.getProperty("vmscope.basedir", "."));
        Path src = base.resolve(source);
        String name = src.getFileName().toString().replaceFirst("\\.c$", "");
        Path out = Files.createDirectories(base.resolve("target/host-oracles")).resolve(name);
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", optimize, "-m64", "-o", out.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not installed: no host-CPU oracle");
            throw e;
        }
        String msg = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(cc.waitFor(120, TimeUnit.SECONDS), "gcc timed out");
        if (cc.exitValue() != 0) throw new IllegalStateException("gcc failed on " + source + ":\n" + msg);
        BUILT.put(source, out);
        return out;
    }

    /** Runs every line through the host program; one output line per input line. */
    static List<String> run(List<String> lines) throws IOException, InterruptedException {
        return lines(executable(), lines);
    }

    /** Runs every line through the host program {@code exe}; one output line per input line. */
    public static List<String> lines(Path exe, List<String> lines) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(exe.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
