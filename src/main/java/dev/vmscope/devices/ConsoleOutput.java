package dev.vmscope.devices;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Where a guest console (UART, debugcon) writes. Each byte is flushed at once so that nothing is lost if
 * the process exits right after the guest wrote it (isa-debug-exit directly after a final message).
 * A failing stream never reaches the guest: the error is counted and later bytes are still attempted.
 */
public final class ConsoleOutput {
    /** Drops everything; for tests and headless runs. */
    public static final ConsoleOutput DISCARD = new ConsoleOutput(OutputStream.nullOutputStream());

    private final OutputStream out;
    private long written;
    private long errors;

    public ConsoleOutput(OutputStream out) { this.out = Objects.requireNonNull(out, "out"); }

    public synchronized void write(int b) {
        try {
            out.write(b);
            out.flush();
            written++;
        } catch (IOException e) {
            errors++;
        }
    }

    public synchronized long written() { return written; }

    public synchronized long errors() { return errors; }
}
