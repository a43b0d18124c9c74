package dev.vmscope.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of the vmscope CLI. Returns the process exit status. */
public interface Command {
    String name();

    /** One line for the help listing. */
    String summary();

    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
