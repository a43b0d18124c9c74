package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.machine.MachineConfig;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 2: QEMU's spellings for run, and one line for QEMU options vmscope does not take. */
class QemuSpellingsTest {
    private static final PrintStream NULL = new PrintStream(OutputStream.nullOutputStream());

    private static MachineConfig parse(String... args) { return new Run().parse(List.of(args), NULL); }

    @Test
    void qemuCommandLine(@TempDir Path dir) throws Exception {
        Path k = Files.write(dir.resolve("k.elf"), new byte[64]), rd = Files.write(dir.resolve("rd.img"), new byte[64]);
        MachineConfig c = parse("-kernel", k.toString(), "-initrd", rd.toString(), "-append", "console=ttyS0", "-m", "512",
                "-smp", "cpus=2", "-enable-kvm", "-serial", "stdio", "-display", "none", "-nographic", "-no-reboot",
                "-s", "-S");
        assertEquals(k, c.kernel());
        assertEquals(List.of(rd), c.modules());
        assertEquals("console=ttyS0", c.append());
        assertEquals(512L << 20, c.ramBytes());
        assertEquals(2, c.smp());
        assertEquals(MachineConfig.Accel.KVM, c.accel());
        assertEquals(1234, c.debug().gdb().getPort());
        assertTrue(c.debug().gdbWait());
        assertEquals(MachineConfig.Accel.EMU, parse("-accel", "tcg").accel());
        assertEquals(MachineConfig.Accel.KVM, parse("-accel", "kvm,thread=single").accel());
        assertEquals(4321, parse("-gdb", "tcp::4321").debug().gdb().getPort());
        assertEquals(1L << 30, parse("-m", "size=1G").ramBytes());
    }

    @Test
    void contradictionsAndUnsupportedValuesAreOneLine() {
        assertTrue(assertThrows(CliException.class, () -> parse("-enable-kvm", "-accel", "tcg")).getMessage().contains("contradict"));
        assertTrue(assertThrows(CliException.class, () -> parse("-serial", "file:x")).getMessage().contains("-serial stdio"));
        assertTrue(assertThrows(CliException.class, () -> parse("-display", "gtk")).getMessage().contains("no display"));
        assertTrue(assertThrows(CliException.class, () -> parse("-S")).getMessage().contains("needs a debugger"));
        assertTrue(assertThrows(CliException.class, () -> parse("-s", "--gdb", "99")).getMessage().contains("give one"));
    }

    @Test
    void qemuOnlyOptionsNameWhatVmscopeOffers() {
        for (String o : List.of("-cpu", "-M", "-device", "-hda", "-monitor", "-icount", "-netdev")) {
            Cli.Out r = Cli.run("run", o, "x");
            assertEquals(2, r.status(), o);
            String first = r.err().lines().findFirst().orElse("");
            assertTrue(first.startsWith("vmscope: error: QEMU's " + o + " is not supported by vmscope run: "), first);
        }
    }

    @org.junit.jupiter.api.Test
    void traceTakesExitsOrInsn() {
        assertEquals(false, parse().trace());
        assertEquals(true, parse("--trace").trace());
        assertEquals(false, parse("--trace").traceInstructions());
        MachineConfig insn = parse("--trace", "insn", "--timeout", "5s");
        assertEquals(true, insn.trace());
        assertEquals(true, insn.traceInstructions());
        assertEquals(5000, insn.timeoutMillis());
        CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class, () -> parse("--trace", "everything"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("--trace"), e.getMessage());
    }
}
