package dev.vmscope.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * A subcommand: picocli fills its annotated fields, {@link Main} gives it the two streams, and {@link #call}
 * returns the process status. A {@link CliException} thrown from it is one error line and its status.
 */
public abstract class CliCommand implements Callable<Integer> {
    protected PrintStream out = System.out;
    protected PrintStream err = System.err;
    protected InputStream in = System.in;
    /** This command's own parser, for usage errors found after parsing; set by {@link Main}. */
    picocli.CommandLine self;

    final void streams(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public final Integer call() throws Exception {
        dev.vmscope.util.Timing.mark("arguments parsed");
        return execute();
    }

    protected abstract int execute() throws Exception;
}
