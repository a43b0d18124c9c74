package dev.vmscope.explain;

import dev.vmscope.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Access to src/test/resources/explain samples and a CLI runner for tests. */
final class Samples {
    private Samples() {}

    static final List<String> ALL = List.of("0x88.0.txt", "intel-getall.1.txt", "bhyve-stats.2.txt",
            "bhyve-exit-svm.txt", "bhyve-exit-vmx.txt", "trace-cmd-intel.txt", "perf-script-amd.txt",
            "perf-kvm-stat-intel.txt", "qemu-internal-error.txt", "qemu-entry-failed.txt",
            "vmscope-crash-triple.json", "vmscope-crash-triple.txt", "vmscope-crash-smp2.json", "vmscope-crash-smp2.txt");

    static Path path(String name) {
        return Path.of(System.getProperty("vmscope.basedir", "."), "src/test/resources/explain", name);
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Run(int status, String out, String err) {}

    static Run cli(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int st = Main.run(List.of(args), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }
}
