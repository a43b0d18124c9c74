package dev.vmscope.bench;

import dev.vmscope.machine.BuiltinGuests;
import dev.vmscope.machine.Machine;
import dev.vmscope.machine.MachineBuilder;
import dev.vmscope.machine.MachineConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Exit-cost benchmark: the ring-3 64-bit loop of guests/bench.S measures cycles per userspace port-I/O
 * exit, per userspace MMIO exit and per in-kernel exit (CPUID), in vmscope and, when asked, under QEMU
 * with KVM on the same host with the same guest image.
 */
public final class ExitBench {
    private ExitBench() {}

    public static String append(int iters, int repeats) { return "iters=" + iters + " reps=" + repeats; }

    public static BenchResults runVmscope(int iters, int repeats, PrintStream diag) throws InterruptedException {
        Path elf = BuiltinGuests.extract("bench");
        MachineConfig d = MachineConfig.defaults();
        MachineConfig cfg = new MachineConfig(128L << 20, 1, d.irqchip(), elf, append(iters, repeats), List.of(), null,
                false, 600_000, null, false, d.debug(), null);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Machine m = MachineBuilder.build(cfg, console, OutputStream.nullOutputStream(), diag);
        try {
            m.run();
            if (m.stopMessage() != null && m.fatal() != null) diag.println("vmscope: bench guest: " + m.stopMessage());
        } finally {
            m.close();
        }
        return BenchResults.parse(console.toString(StandardCharsets.ISO_8859_1));
    }

    public static String qemu() {
        for (String p : List.of("/usr/bin/qemu-system-x86_64", "/usr/local/bin/qemu-system-x86_64"))
            if (Files.isExecutable(Path.of(p))) return p;
        return null;
    }

    /** The same guest under QEMU's pc machine with KVM, pc-testdev and isa-debug-exit as in vmscope. */
    public static BenchResults runQemu(String qemu, int iters, int repeats) throws IOException, InterruptedException {
        Path elf = BuiltinGuests.extract("bench");
        List<String> cmd = new ArrayList<>(List.of(qemu, "-accel", "kvm", "-m", "128", "-kernel", elf.toString(),
                "-append", append(iters, repeats), "-display", "none", "-serial", "stdio", "-monitor", "none",
                "-no-reboot", "-device", "pc-testdev", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"));
        if (Files.exists(Path.of("/usr/share/qemu/qboot.rom"))) cmd.addAll(List.of("-bios", "/usr/share/qemu/qboot.rom"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(600, TimeUnit.SECONDS)) p.destroyForcibly();
        return BenchResults.parse(out);
    }
}
