package dev.vmscope.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One child process of a benchmark: its stdout and stderr (read on two threads, so neither pipe fills), its
 * status and wall time, and, when a marker is given, the time the marker first appeared on either stream (the
 * child is then killed: SeaBIOS retries the boot forever).
 */
public record ChildRun(int status, double seconds, double markerSeconds, boolean timedOut, String stdout, String stderr) {
    public boolean markerSeen() { return markerSeconds >= 0; }

    public String output() { return stdout + stderr; }

    public static ChildRun run(List<String> cmd, Path dir, String marker, long timeoutMs, String stdin)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) pb.directory(dir.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        Watch out = new Watch(p.getInputStream(), marker), err = new Watch(p.getErrorStream(), marker);
        Thread to = Thread.ofPlatform().daemon().start(out), te = Thread.ofPlatform().daemon().start(err);
        if (stdin != null) {
            try (var w = p.getOutputStream()) { w.write(stdin.getBytes(StandardCharsets.US_ASCII)); }
        } else {
            p.getOutputStream().close();
        }
        long deadline = t0 + timeoutMs * 1_000_000L;
        boolean timedOut = false;
        while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
            if (marker != null && (out.seenAt() >= 0 || err.seenAt() >= 0)) break;
            if (System.nanoTime() > deadline) { timedOut = true; break; }
        }
        long end = System.nanoTime();
        if (p.isAlive()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        to.join(5000);
        te.join(5000);
        long seen = out.seenAt() < 0 ? err.seenAt() : err.seenAt() < 0 ? out.seenAt() : Math.min(out.seenAt(), err.seenAt());
        return new ChildRun(p.isAlive() ? -1 : p.exitValue(), (end - t0) / 1e9, seen < 0 ? -1 : (seen - t0) / 1e9, timedOut,
                out.text(), err.text());
    }

    /** Reads one stream to its end, noting when the marker first appears (a marker split across reads still counts). */
    static final class Watch implements Runnable {
        private final InputStream in;
        private final String marker;
        private final StringBuilder text = new StringBuilder();
        private volatile long seenAt = -1;

        Watch(InputStream in, String marker) { this.in = in; this.marker = marker; }

        @Override public void run() {
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    long now = System.nanoTime();
                    synchronized (text) {
                        int from = Math.max(0, text.length() - (marker == null ? 0 : marker.length()));
                        text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                        if (marker != null && seenAt < 0 && text.indexOf(marker, from) >= 0) seenAt = now;
                    }
                    if (text.length() > 4 << 20) text.delete(0, 2 << 20); // bound memory: a chatty child keeps the tail
                }
            } catch (IOException e) {
                // the child was killed: what was read is kept
            }
        }

        long seenAt() { return seenAt; }

        String text() { synchronized (text) { return text.toString(); } }
    }
}
