package dev.vmscope.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command once and measures what start-up means to a user: time from process start to the first
 * byte on stdout (the guest's first COM1 byte), time to process exit, and peak RSS (GNU time's %M, the
 * kernel's ru_maxrss of the child).
 */
public final class ProcessProbe {
    public record Sample(double firstByteMs, double exitMs, long peakRssKb, int status, String stdout) {}

    private ProcessProbe() {}

    public static boolean gnuTimeAvailable() { return Files.isExecutable(Path.of("/usr/bin/time")); }

    public static Sample run(List<String> command, long timeoutMs) throws IOException, InterruptedException {
        Path rss = Files.createTempFile("vmscope-rss", ".txt");
        try {
            List<String> cmd = new ArrayList<>();
            boolean timed = gnuTimeAvailable();
            if (timed) cmd.addAll(List.of("/usr/bin/time", "-q", "-f", "%M", "-o", rss.toString()));
            cmd.addAll(command);
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            InputStream in = p.getInputStream();
            long first = -1;
            StringBuilder out = new StringBuilder();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (first < 0) first = System.nanoTime();
                out.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
            long end = System.nanoTime();
            long kb = -1;
            if (timed) {
                String s = Files.readString(rss).trim();
                String[] lines = s.split("\n");
                try { kb = Long.parseLong(lines[lines.length - 1].trim()); } catch (NumberFormatException ignored) { }
            }
            return new Sample(first < 0 ? -1 : (first - t0) / 1e6, (end - t0) / 1e6, kb, p.exitValue(), out.toString());
        } finally {
            Files.deleteIfExists(rss);
        }
    }
}
