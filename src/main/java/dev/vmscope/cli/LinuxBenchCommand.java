package dev.vmscope.cli;

import dev.vmscope.bench.Initramfs;
import dev.vmscope.bench.LinuxBench;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@code vmscope bench --linux}: finds or builds the kernel and initramfs, runs {@link LinuxBench}, prints the table. */
final class LinuxBenchCommand {
    private LinuxBenchCommand() { }

    static int run(Path kernel, Path initrd, String marker, int smp, int rounds, int timeoutSeconds, PrintStream out,
                   PrintStream err) throws IOException, InterruptedException {
        if (smp < 1 || smp > 255) throw new CliException("--smp: " + smp + " is not from 1 to 255");
        if (timeoutSeconds < 1) throw new CliException("--timeout: " + timeoutSeconds + " is not a positive number of seconds");
        Path k = kernel != null ? kernel : newest(caches(), "vmlinuz-", "").orElseThrow(() -> new CliException(
                "bench --linux: no kernel given (--kernel) and no vmlinuz-* in $VMSCOPE_VMLINUZ_DIR, ~/.cache/vmscope or /boot"));
        if (!Files.isReadable(k)) throw new CliException("--kernel: " + k + ": cannot read");
        Path tmp = Files.createTempDirectory("vmscope-bench-linux");
        try {
            Path i = initrd != null ? initrd : buildInitramfs(tmp, err);
            if (!Files.isReadable(i)) throw new CliException("--initrd: " + i + ": cannot read");
            LinuxBench.Options o = new LinuxBench.Options(k.toAbsolutePath(), i.toAbsolutePath(), marker, smp, 512, rounds,
                    timeoutSeconds * 1000L, null, tmp);
            List<LinuxBench.Row> rows = LinuxBench.run(o, err);
            LinuxBench.print(o, rows, out);
            boolean any = rows.stream().anyMatch(r -> !Double.isNaN(r.shellSeconds()));
            if (!any) throw new CliException("bench --linux: no engine reached the shell marker (see the table)", 6);
            return 0;
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** From the host's static busybox, else from busybox-static's .deb in the cache (unpacked with dpkg-deb). */
    private static Path buildInitramfs(Path tmp, PrintStream err) throws IOException, InterruptedException {
        Optional<Path> bb = Initramfs.hostBusybox();
        if (bb.isEmpty()) {
            Optional<Path> deb = newest(caches(), "busybox-static_", ".deb");
            if (deb.isEmpty()) throw new CliException("bench --linux: no --initrd, no static busybox in /bin (apt-get install"
                    + " busybox-static) and no busybox-static_*.deb in the cache");
            Process p = new ProcessBuilder("dpkg-deb", "-x", deb.get().toString(), tmp.resolve("pkg").toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new CliException("bench --linux: dpkg-deb -x " + deb.get() + " failed");
            bb = Optional.of(tmp.resolve("pkg/bin/busybox"));
        }
        err.println("vmscope: bench --linux: initramfs from " + bb.get());
        return Files.write(tmp.resolve("initramfs.cpio"), Initramfs.build(Files.readAllBytes(bb.get())));
    }

    static List<Path> caches() {
        List<Path> l = new ArrayList<>();
        String env = System.getenv("VMSCOPE_VMLINUZ_DIR"), xdg = System.getenv("XDG_CACHE_HOME");
        if (env != null) l.add(Path.of(env));
        l.add((xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("vmscope"));
        l.add(Path.of("/boot"));
        return l;
    }

    static Optional<Path> newest(List<Path> dirs, String prefix, String suffix) {
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) continue;
            try (var s = Files.list(d)) {
                Optional<Path> f = s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(suffix))
                        .max(Comparator.comparing(p -> p.getFileName().toString()));
                if (f.isPresent()) return f;
            } catch (IOException e) {
                // unreadable: next
            }
        }
        return Optional.empty();
    }
}
