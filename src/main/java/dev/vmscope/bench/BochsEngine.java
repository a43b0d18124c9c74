package dev.vmscope.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Bochs (Debian's {@code bochs} package): the boot sector as a 1.44 MB floppy through the Bochs BIOS. Debian
 * builds it with the internal debugger, which stops before the first instruction, so "c" goes to its
 * standard input. It has no nogui display library; rfb with {@code timeout=0} starts without a client (the
 * "no client" panic is reported, not fatal). The sound plugins are left unloaded (Debian 2.7's ALSA mixer
 * thread aborts without a sound card). The run ends at port 0x8900 "Shutdown", which Bochs reports as a
 * panic line prefixed by its tick count (iodev/unmapped.cc); with one CPU a tick is one instruction, so
 * two runs' ticks give the instructions the loop retired.
 */
public record BochsEngine(String binary, Path bios) implements CpuEngine {
    private static final Pattern SHUTDOWN = Pattern.compile("(\\d+)p\\[UNMAP *\\] >>PANIC<< Shutdown port: shutdown requested");
    private static final long TIMEOUT_MS = 300_000;

    public static BochsEngine find() {
        String bin = Files.isExecutable(Path.of("/usr/bin/bochs")) ? "/usr/bin/bochs" : null;
        return new BochsEngine(bin, Path.of("/usr/share/bochs/BIOS-bochs-latest"));
    }

    @Override public String name() { return "bochs"; }

    @Override
    public String missing() {
        if (binary == null) return "bochs is not installed (Debian: apt-get install bochs bochsbios)";
        if (!Files.isReadable(bios)) return "the Bochs BIOS " + bios + " is missing (Debian: apt-get install bochsbios)";
        return null;
    }

    /** A bochsrc for one floppy boot with no display, sound, mouse or parallel port. */
    static String bochsrc(Path floppy, Path bios) {
        return bochsrc(bios, 32, List.of("floppya: 1_44=" + floppy + ", status=inserted", "boot: floppy",
                "floppy_bootsig_check: disabled=0"));
    }

    /**
     * The recipe every Bochs run here shares (one CPU, no display, sound, mouse or parallel port, panics and
     * errors reported rather than fatal, no log file) around the run's own {@code devices} lines.
     */
    static String bochsrc(Path bios, int megs, List<String> devices) {
        List<String> lines = new java.util.ArrayList<>(List.of("megs: " + megs, "romimage: file=" + bios,
                "cpu: count=1, reset_on_triple_fault=0"));
        lines.addAll(devices);
        lines.addAll(List.of(
                "display_library: rfb, options=\"timeout=0\"",
                "log: -",
                "panic: action=report",
                "error: action=report",
                "info: action=ignore",
                "debug: action=ignore",
                "mouse: enabled=0",
                "plugin_ctrl: speaker=0, parallel=0, gameport=0, extfpuirq=0, biosdev=0, iodebug=0",
                ""));
        return String.join("\n", lines);
    }

    @Override
    public LoopRun runSector(byte[] sector, Path dir) throws IOException, InterruptedException {
        Path img = CpuEngine.write(dir, "cpubench-floppy.img", CpuBenchImage.floppy(sector));
        Path rc = dir.resolve("bochsrc");
        Files.writeString(rc, bochsrc(img, bios));
        ChildRun r = ChildRun.run(List.of(binary, "-q", "-f", rc.toString()), dir, null, TIMEOUT_MS, "c\nquit\n");
        if (r.timedOut()) return LoopRun.failed("bochs timed out after " + TIMEOUT_MS / 1000 + " s");
        long ticks = CpuEngine.firstLong(SHUTDOWN, r.output());
        if (ticks < 0) return LoopRun.failed("bochs never reached the shutdown port (status " + r.status() + "); " + CpuEngine.tail(r.output()));
        return new LoopRun(r.seconds(), ticks, null);
    }
}
