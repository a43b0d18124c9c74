package dev.vmscope.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs the command line in-process with captured streams. */
final class Cli {
    record Out(int status, String out, String err) {}

    private Cli() {}

    static Out run(String... args) { return run(new ByteArrayInputStream(new byte[0]), args); }

    static Out run(InputStream stdin, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int st = Main.run(List.of(args), stdin, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Out(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static Path sample(String name) {
        return Path.of(System.getProperty("vmscope.basedir", "."), "src/test/resources/explain", name);
    }
}
