package dev.vmscope.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A progress line on stderr, drawn when stderr is a terminal (whatever stdout and stdin are) or when forced
 * with --progress. Redrawn at most every 100 ms; cleared when done; a Ctrl-C leaves the shell on a new line.
 */
final class Progress implements AutoCloseable {
    private final PrintStream err;
    private final boolean on;
    private final long total;
    private final String label;
    private final Thread newlineOnSignal;
    private long lastDraw;
    private volatile boolean drawn;

    /** {@code force}: TRUE --progress, FALSE --no-progress, null = when stderr is a terminal. */
    Progress(PrintStream err, Boolean force, long total, String label) {
        this.err = err;
        this.on = force != null ? force : stderrIsTerminal();
        this.total = total;
        this.label = label;
        this.newlineOnSignal = on ? new Thread(() -> { if (drawn) { err.print("\n"); err.flush(); } }, "vmscope-progress") : null;
        if (on) Runtime.getRuntime().addShutdownHook(newlineOnSignal);
    }

    boolean on() { return on; }

    void update(long done) {
        if (!on) return;
        long now = System.nanoTime();
        if (drawn && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        String line;
        if (total > 0) {
            int pct = (int) Math.min(100, done * 100 / total);
            line = String.format(Locale.ROOT, "\r%s [%-20s] %3d%% %,d MB", label, "#".repeat(pct / 5), pct, done >> 20);
        } else {
            line = String.format(Locale.ROOT, "\r%s %,d MB read", label, done >> 20);
        }
        err.print(line);
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (!on) return;
        if (drawn) {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
            drawn = false;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(newlineOnSignal);
        } catch (IllegalStateException shuttingDown) { /* the hook runs */ }
    }

    /**
     * Java can only ask whether stdin and stdout are terminals (System.console); stderr alone is found from
     * the launcher ({@code [ -t 2 ]} in VMSCOPE_STDERR_TTY) or from /proc/self/fd/2 pointing at a tty.
     */
    static boolean stderrIsTerminal() {
        String env = System.getenv("VMSCOPE_STDERR_TTY");
        if (env != null) return env.equals("1");
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
        } catch (Exception e) {
            return false;
        }
    }
}
