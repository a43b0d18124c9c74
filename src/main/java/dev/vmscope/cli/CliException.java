package dev.vmscope.cli;

/** A user-facing error: printed as one line "vmscope: error: MESSAGE", exit status {@link #status()}. */
public class CliException extends RuntimeException {
    private final int status;

    public CliException(String message) { this(message, 2); }

    public CliException(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() { return status; }
}
