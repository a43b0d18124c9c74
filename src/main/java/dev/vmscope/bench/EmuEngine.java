package dev.vmscope.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * vmscope's software CPU ({@code run --accel emu}) in a child JVM, so every run starts cold as a user's does.
 * The boot sector is loaded flat at 0000:7c00 in real mode (no BIOS); the run's own wall time and
 * instruction count come from {@code --stats-json} (vmscope-stats-v1: wall_ns, kvm_stats.instructions), which
 * leaves the JVM's start-up out. SeaBIOS runs with {@code --smp 4} and its debug console on stderr.
 */
public record EmuEngine(List<String> vmscope) implements CpuEngine {
    private static final Pattern WALL = Pattern.compile("\"wall_ns\"\\s*:\\s*(\\d+)");
    private static final Pattern INSNS = Pattern.compile("\"instructions\"\\s*:\\s*(\\d+)");
    private static final Pattern STOP = Pattern.compile("\"stop_reason\"\\s*:\\s*\"([^\"]*)\"");
    private static final long TIMEOUT_MS = 300_000;

    /** This vmscope again: the launcher when it started us, else the same JVM and class path. */
    public static EmuEngine self() {
        String launcher = System.getenv("VMSCOPE_LAUNCHER");
        if (launcher != null) return new EmuEngine(List.of(launcher));
        String jvm = ProcessHandle.current().info().command().orElse("java");
        // Absolute entries: the child runs in the benchmark's temporary directory.
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
        return new EmuEngine(List.of(jvm, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "dev.vmscope.cli.Main"));
    }

    @Override public String name() { return "vmscope-emu"; }

    @Override public String missing() { return null; }

    private List<String> run(String... args) {
        List<String> cmd = new ArrayList<>(vmscope);
        cmd.addAll(List.of("run", "--accel", "emu", "--no-summary"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Override
    public LoopRun runSector(byte[] sector, Path dir) throws IOException, InterruptedException {
        Path img = CpuEngine.write(dir, "cpubench.img", sector);
        Path stats = dir.resolve("stats.json");
        Files.deleteIfExists(stats);
        ChildRun r = ChildRun.run(run("--kernel", img.toString(), "--load-addr", "0x7c00", "--mode", "real",
                "--stats-json", stats.toString(), "--timeout", TIMEOUT_MS / 1000 + "s"), dir, null, TIMEOUT_MS + 60_000, null);
        String json = Files.exists(stats) ? Files.readString(stats) : "";
        var stop = STOP.matcher(json);
        String reason = stop.find() ? stop.group(1) : null;
        if (r.status() != 0 || !r.stdout().contains("cpubench done") || reason == null || !reason.contains("0x8900"))
            return LoopRun.failed("vmscope exited with status " + r.status() + (reason != null ? " (" + reason + ")" : "")
                    + "; " + CpuEngine.tail(r.output()));
        long wall = CpuEngine.firstLong(WALL, json);
        if (wall <= 0) return LoopRun.failed("vmscope's stats have no wall_ns");
        long insns = 0;
        var m = INSNS.matcher(json);
        boolean any = false;
        while (m.find()) { insns += Long.parseLong(m.group(1)); any = true; }
        return new LoopRun(wall / 1e9, any ? insns : -1, null);
    }

    @Override public boolean hasSeabios() { return true; }

    @Override
    public LoopRun seabiosRun(Path bios, Path dir) throws IOException, InterruptedException {
        ChildRun r = ChildRun.run(run("--bios", bios.toString(), "--smp", "4", "--debugcon", "stderr",
                "--timeout", SEABIOS_TIMEOUT_MS / 1000 + "s"), dir, NO_BOOTABLE_DEVICE, SEABIOS_TIMEOUT_MS + 60_000, null);
        if (!r.markerSeen()) return LoopRun.failed("SeaBIOS on vmscope-emu never printed \"" + NO_BOOTABLE_DEVICE + "\" ("
                + (r.timedOut() ? "timed out" : "status " + r.status()) + "); " + CpuEngine.tail(r.output()));
        return new LoopRun(r.markerSeconds(), -1, null);
    }

    @Override
    public LoopRun baselineRun(Path exitRom, Path dir) throws IOException, InterruptedException {
        ChildRun r = ChildRun.run(run("--bios", exitRom.toString(), "--smp", "4"), dir, null, TIMEOUT_MS, null);
        if (r.status() != 0) return LoopRun.failed("vmscope with exitrom exited with status " + r.status() + "; " + CpuEngine.tail(r.output()));
        return new LoopRun(r.seconds(), -1, null);
    }
}
