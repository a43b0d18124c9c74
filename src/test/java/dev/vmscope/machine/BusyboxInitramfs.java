package dev.vmscope.machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A busybox initramfs built from Debian's busybox-static package, which test.sh downloads once into the
 * kernel cache (VMSCOPE_VMLINUZ_DIR, default ~/.cache/vmscope); the archive is {@code bench.Initramfs}'s
 * (the one {@code vmscope bench --linux} boots).
 */
final class BusyboxInitramfs {
    static final String MARKER = dev.vmscope.bench.Initramfs.MARKER;

    private BusyboxInitramfs() { }

    /** The cache directories test.sh fills, in order. */
    static Stream<Path> cacheDirs() {
        String env = System.getenv("VMSCOPE_VMLINUZ_DIR");
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path home = Path.of(System.getProperty("user.home"), ".cache");
        return Stream.of(env == null ? null : Path.of(env), (xdg == null ? home : Path.of(xdg)).resolve("vmscope"))
                .filter(p -> p != null && Files.isDirectory(p));
    }

    /** The newest file named {@code prefix}* in the caches (or /boot for kernels). */
    static Optional<Path> cached(String prefix, String suffix) {
        return Stream.concat(cacheDirs(), prefix.startsWith("vmlinuz-") ? Stream.of(Path.of("/boot")) : Stream.empty())
                .filter(Files::isDirectory)
                .flatMap(d -> {
                    try (Stream<Path> s = Files.list(d)) {
                        return s.filter(f -> f.getFileName().toString().startsWith(prefix)
                                && f.getFileName().toString().endsWith(suffix)).toList().stream();
                    } catch (IOException e) {
                        return Stream.empty();
                    }
                })
                .max(Comparator.comparing(p -> p.getFileName().toString()));
    }

    /** Builds the initramfs into {@code dir} from the busybox-static .deb (unpacked with dpkg-deb). */
    static Path build(Path deb, Path dir) throws IOException, InterruptedException {
        Path root = dir.resolve("pkg");
        Process p = new ProcessBuilder("dpkg-deb", "-x", deb.toString(), root.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new IOException("dpkg-deb -x " + deb + " failed: " + log);
        byte[] busybox = Files.readAllBytes(root.resolve("bin/busybox"));
        Path out = dir.resolve("initramfs.cpio");
        Files.write(out, dev.vmscope.bench.Initramfs.build(busybox));
        return out;
    }
}
