package dev.vmscope.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One engine of the software-CPU benchmark, run as a child process per measurement: vmscope's software CPU,
 * QEMU TCG or Bochs. Every result says how it was obtained; a run whose guest did not finish is a failure
 * with the reason, never a number.
 */
public sealed interface CpuEngine permits EmuEngine, QemuEngine, BochsEngine {
    /** The guest loop ran to its end: wall seconds as this engine measures a run, and the retired instruction count
     *  when the engine reports one (else -1). */
    record LoopRun(double seconds, long instructions, String failure) {
        public static LoopRun failed(String why) { return new LoopRun(-1, -1, why); }

        public boolean ok() { return failure == null; }
    }

    /** The table's name of the engine. */
    String name();

    /** Null when the engine can run on this host, else why not (the benchmark prints it and skips the engine). */
    String missing();

    /** Runs the boot sector once (the sector's own iteration counts) in {@code dir}. */
    LoopRun runSector(byte[] sector, Path dir) throws IOException, InterruptedException;

    /** Whether {@link #seabiosRun} and {@link #baselineRun} exist for this engine. */
    default boolean hasSeabios() { return false; }

    /** SeaBIOS with 4 CPUs until "No bootable device": the seconds from process start to that text. */
    default LoopRun seabiosRun(Path bios, Path dir) throws IOException, InterruptedException {
        return LoopRun.failed("not measured on " + name());
    }

    /** The same machine with a firmware that powers off at its first instruction: process start-up, to subtract. */
    default LoopRun baselineRun(Path exitRom, Path dir) throws IOException, InterruptedException {
        return LoopRun.failed("not measured on " + name());
    }

    /** SeaBIOS takes a fraction of a second on TCG and seconds on vmscope-emu: two minutes means it is stuck. */
    long SEABIOS_TIMEOUT_MS = 120_000;

    /** What SeaBIOS prints when it finds nothing to boot (src/boot.c, boot_fail()). */
    String NO_BOOTABLE_DEVICE = "No bootable device";

    /** A run's last lines, for a failure message: the guest's last line (where it stopped) and the engine's. */
    static String tail(String s) {
        String[] lines = s.strip().split("\r?\n");
        String last = lines.length == 0 ? "" : lines[lines.length - 1], guest = null;
        for (int i = lines.length - 1; i >= 0 && guest == null; i--)
            if (!lines[i].isBlank() && !lines[i].startsWith("vmscope:") && !lines[i].startsWith("  ")) guest = lines[i].strip();
        String t = last.isEmpty() ? "no output" : "last output: " + cut(last);
        return guest == null || guest.equals(last.strip()) ? t : t + "; last guest line: " + cut(guest);
    }

    private static String cut(String s) { return s.length() > 160 ? s.substring(0, 160) + "..." : s; }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static long firstLong(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
