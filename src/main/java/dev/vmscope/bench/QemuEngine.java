package dev.vmscope.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * QEMU TCG ({@code -accel tcg}): the boot sector as a floppy through SeaBIOS, ended by isa-debug-exit at port
 * 0xf4 (value 0x10: status (0x10 << 1) | 1 = 33, hw/misc/debugexit.c); SeaBIOS with {@code -nodefaults} (no NIC,
 * so no network boot ROM) and its debug console (port 0x402) on stdout.
 */
public record QemuEngine(String binary) implements CpuEngine {
    static final int DEBUG_EXIT_STATUS = 33;
    private static final long TIMEOUT_MS = 300_000;

    public static QemuEngine find() {
        for (String p : List.of("/usr/bin/qemu-system-x86_64", "/usr/local/bin/qemu-system-x86_64"))
            if (Files.isExecutable(Path.of(p))) return new QemuEngine(p);
        return new QemuEngine(null);
    }

    @Override public String name() { return "qemu-tcg"; }

    @Override public String missing() { return binary == null ? "qemu-system-x86_64 is not installed" : null; }

    private List<String> machine(int cpus) {
        return new ArrayList<>(List.of(binary, "-accel", "tcg", "-nodefaults", "-display", "none", "-M", "pc", "-m", "128",
                "-smp", Integer.toString(cpus), "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"));
    }

    @Override
    public LoopRun runSector(byte[] sector, Path dir) throws IOException, InterruptedException {
        Path img = CpuEngine.write(dir, "cpubench-floppy.img", CpuBenchImage.floppy(sector));
        List<String> cmd = machine(1);
        cmd.addAll(List.of("-drive", "file=" + img + ",format=raw,if=floppy", "-serial", "stdio"));
        ChildRun r = ChildRun.run(cmd, dir, null, TIMEOUT_MS, null);
        if (r.timedOut()) return LoopRun.failed("qemu timed out after " + TIMEOUT_MS / 1000 + " s");
        if (r.status() != DEBUG_EXIT_STATUS || !r.stdout().contains("cpubench done"))
            return LoopRun.failed("qemu exited with status " + r.status() + " (expected " + DEBUG_EXIT_STATUS + "); " + CpuEngine.tail(r.output()));
        return new LoopRun(r.seconds(), -1, null);
    }

    @Override public boolean hasSeabios() { return true; }

    @Override
    public LoopRun seabiosRun(Path bios, Path dir) throws IOException, InterruptedException {
        List<String> cmd = machine(4);
        cmd.addAll(List.of("-bios", bios.toString(), "-chardev", "stdio,id=dbg", "-device", "isa-debugcon,iobase=0x402,chardev=dbg"));
        ChildRun r = ChildRun.run(cmd, dir, NO_BOOTABLE_DEVICE, SEABIOS_TIMEOUT_MS, null);
        if (!r.markerSeen()) return LoopRun.failed("SeaBIOS on qemu never printed \"" + NO_BOOTABLE_DEVICE + "\" ("
                + (r.timedOut() ? "timed out" : "status " + r.status()) + "); " + CpuEngine.tail(r.output()));
        return new LoopRun(r.markerSeconds(), -1, null);
    }

    @Override
    public LoopRun baselineRun(Path exitRom, Path dir) throws IOException, InterruptedException {
        List<String> cmd = machine(4);
        cmd.addAll(List.of("-bios", exitRom.toString()));
        ChildRun r = ChildRun.run(cmd, dir, null, TIMEOUT_MS, null);
        if (r.status() != DEBUG_EXIT_STATUS) return LoopRun.failed("qemu with exitrom exited with status " + r.status() + "; " + CpuEngine.tail(r.output()));
        return new LoopRun(r.seconds(), -1, null);
    }
}
