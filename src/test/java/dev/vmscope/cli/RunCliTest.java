package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad files and arguments to `run`: exactly one error line naming what is wrong, a non-zero status. */
class RunCliTest {
    record Out(int status, String out, String err) {}

    static Out run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int st = Main.run(List.of(args), new PrintStream(o, true), new PrintStream(e, true));
        return new Out(st, o.toString(), e.toString());
    }

    /** A bad value or file: one line. */
    static void oneLine(Out r, String mustContain) {
        assertNotEquals(0, r.status());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "expected one line, got:\n" + r.err());
        errorLine(r, mustContain);
    }

    /** A usage error: the error line, then the synopsis and where to find help, all on stderr; status 2. */
    static void usage(Out r, String mustContain) {
        assertEquals(2, r.status());
        assertEquals("", r.out());
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines.length >= 2 && lines[1].startsWith("usage: vmscope"), r.err());
        assertTrue(lines[lines.length - 1].startsWith("Try 'vmscope"), r.err());
        errorLine(r, mustContain);
    }

    static void errorLine(Out r, String mustContain) {
        String[] lines = r.err().strip().split("\n");
        assertTrue(lines[0].startsWith("vmscope: error: "), lines[0]);
        assertTrue(lines[0].contains(mustContain), lines[0]);
        assertFalse(r.err().contains("\tat "), "stack trace leaked");
    }

    @Test
    void missingKernel() { oneLine(run("run", "--kernel", "/nonexistent/k.elf"), "/nonexistent/k.elf: no such file"); }

    @Test
    void kernelWithoutMultibootHeader(@TempDir Path dir) throws Exception {
        Path k = Files.write(dir.resolve("junk.bin"), new byte[4096]);
        oneLine(run("run", "--kernel", k.toString()), "junk.bin: no multiboot header");
    }

    @Test
    void badOptions() {
        oneLine(run("run", "-m", "12X"), "-m: '12X' is not a memory size");
        oneLine(run("run", "--smp", "0"), "--smp");
        oneLine(run("run", "--irqchip", "both"), "--irqchip");
        oneLine(run("run", "--timeout", "-3"), "--timeout");
        usage(run("run", "--frobnicate"), "unknown option '--frobnicate' for 'vmscope run'");
        oneLine(run("run", "--gdb", "nohost:notaport"), "--gdb");
        usage(run("nosuchcommand"), "unknown command 'nosuchcommand'");
    }
}
