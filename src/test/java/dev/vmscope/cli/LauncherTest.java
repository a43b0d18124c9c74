package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher script, run on the build's classes (VMSCOPE_CLASSPATH): locale, JIT flags, progress, Ctrl-C. */
class LauncherTest {
    @TempDir
    Path dir;

    record Result(int status, String out, String err) {}

    private static Path launcher() {
        Path p = Path.of(System.getProperty("vmscope.basedir", "."), "vmscope");
        Assumptions.assumeTrue(Files.isExecutable(p) && Files.isExecutable(Path.of("/bin/bash")), "launcher and bash");
        return p;
    }

    private ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", launcher().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("LC_ALL");
        pb.environment().remove("LC_CTYPE");
        pb.environment().put("VMSCOPE_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().putAll(env);
        return pb;
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        Path o = dir.resolve("out"), e = dir.resolve("err");
        Process p = builder(env, args).redirectOutput(o.toFile()).redirectError(e.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), Files.readString(o, StandardCharsets.UTF_8), Files.readString(e, StandardCharsets.UTF_8));
    }

    /** Under LANG=C a non-ASCII file name could not be opened ("Malformed input"). */
    @Test
    void nonAsciiFileNamesUnderTheCLocale() throws Exception {
        Path f = Files.copy(Cli.sample("trace-cmd-intel.txt"), dir.resolve("trace-é-日本.txt"));
        Result r = run(Map.of("LANG", "C"), "stats", f.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("KVM trace statistics for " + f), r.out());
    }

    /** C1 alone cost stats 35 % of its speed: the analysis commands of weight get full tiered compilation. */
    @Test
    void statsAndExplainRunWithFullTieredCompilation() throws Exception {
        Map<String, String> flags = Map.of("VMSCOPE_JAVA_OPTS", "-XX:+PrintFlagsFinal");
        assertTrue(run(flags, "stats", "--help").out().matches("(?s).*TieredStopAtLevel\\s+= 4 .*"), "stats: C2 on");
        assertTrue(run(flags, "explain", "--help").out().matches("(?s).*TieredStopAtLevel\\s+= 4 .*"), "explain: C2 on");
        assertTrue(run(flags, "decode", "--help").out().matches("(?s).*TieredStopAtLevel\\s+= 1 .*"), "decode starts on C1");
    }

    /** The progress line was drawn only when stdin and stdout were terminals; now whenever stderr is one. */
    @Test
    void progressFollowsStderrAlone() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) makes a terminal");
        Path out = dir.resolve("report.txt");
        // script(1) runs the command on a pseudo-terminal; stdout goes to a file, stdin is not a terminal.
        String cmd = "/bin/bash " + launcher() + " stats " + Cli.sample("trace-cmd-intel.txt") + " > " + out + " < /dev/null";
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/script", "-qec", cmd, "/dev/null");
        pb.environment().put("VMSCOPE_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().remove("VMSCOPE_STDERR_TTY");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String tty = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertTrue(tty.contains("%"), "progress on the terminal: " + tty);
        String report = Files.readString(out);
        assertTrue(report.startsWith("KVM trace statistics") && !report.contains("\r"), report);
    }

    /** Ctrl-C during a scan left the shell prompt after the progress line. */
    @Test
    void interruptEndsTheProgressLine() throws Exception {
        Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored in this process tree (a background job of a"
                + " non-interactive shell): the child would inherit that and never see Ctrl-C");
        Path fifo = dir.resolve("fifo");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        Path e = dir.resolve("err");
        Process p = builder(Map.of(), "stats", "--progress", fifo.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(e.toFile()).start();
        try (var w = Files.newOutputStream(fifo)) {
            byte[] trace = Files.readAllBytes(Cli.sample("trace-cmd-intel.txt"));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(e).contains("read") && System.nanoTime() < until) {
                w.write(trace);
                w.flush();
                Thread.sleep(20);
            }
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } catch (IOException brokenPipe) {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
        String err = Files.readString(e);
        assertTrue(err.contains("MB read"), err);
        assertTrue(err.endsWith("\n"), "the shell gets a fresh line: " + err.replace("\r", "\\r"));
    }

    /** Whether this JVM inherited SIGINT as ignored (SigIgn bit 1 << (2 - 1) in /proc/self/status); children inherit it. */
    static boolean sigintIgnored() throws java.io.IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return false;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2) != 0;
        }
        return false;
    }

    /** "vmscope dec<TAB>" completes to decode, and decode's kinds complete too. */
    @Test
    void bashCompletesCommandsAndKinds() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "bash");
        Path script = Files.writeString(dir.resolve("vmscope.bash"), Cli.run("completion", "bash").out());
        String probe = "source " + script + " 2>/dev/null\n"
                + "COMP_WORDS=(vmscope dec); COMP_CWORD=1; _complete_vmscope 2>/dev/null; echo \"[${COMPREPLY[*]}]\"\n"
                + "COMP_WORDS=(vmscope decode svm-e); COMP_CWORD=2; _complete_vmscope 2>/dev/null; echo \"[${COMPREPLY[*]}]\"\n";
        Process p = new ProcessBuilder("/bin/bash", "-c", probe).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(out.contains("[decode]"), out);
        assertTrue(out.contains("[svm-exit]"), out);
    }
}
