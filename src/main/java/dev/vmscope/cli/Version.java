package dev.vmscope.cli;

import java.io.PrintStream;
import java.util.List;

/** {@code vmscope version}. */
public final class Version implements Command {
    public String name() { return "version"; }

    public String summary() { return "print the version"; }

    public int run(List<String> args, PrintStream out, PrintStream err) {
        out.println("vmscope " + dev.vmscope.util.HostInfo.VMSCOPE_VERSION + " (Java " + Runtime.version() + ")");
        return 0;
    }
}
