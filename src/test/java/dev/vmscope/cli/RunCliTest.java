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

    static void oneLine(Out r, String mustContain) {
        assertNotEquals(0, r.status());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "expected one line, got:\n" + r.err());
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
        oneLine(run("run", "--frobnicate"), "unknown option --frobnicate");
        oneLine(run("run", "--gdb", "nohost:notaport"), "--gdb");
        oneLine(run("nosuchcommand"), "unknown command");
    }
}
