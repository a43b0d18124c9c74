package dev.vmscope.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Entry point: dispatches to subcommands. Errors become one line and a non-zero status, never a trace. */
public final class Main {
    /** Subcommands, created lazily so start-up loads only the classes the chosen command needs. */
    private static final Map<String, Supplier<Command>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("bench", Bench::new);
        COMMANDS.put("run", Run::new);
        COMMANDS.put("version", Version::new);
        COMMANDS.put("explain", Explain::new);
        COMMANDS.put("stats", Stats::new);
        COMMANDS.put("decode", Decode::new);
    }

    private Main() {}

    public static void main(String[] argv) {
        dev.vmscope.util.Timing.mark("main");
        PrintStream out = System.out;
        PrintStream err = System.err;
        int status = run(List.of(argv), out, err);
        out.flush();
        err.flush();
        System.exit(status);
    }

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("-h") || argv.get(0).equals("--help") || argv.get(0).equals("help")) {
            usage(out);
            return argv.isEmpty() ? 2 : 0;
        }
        Supplier<Command> s = COMMANDS.get(argv.get(0));
        if (s == null) {
            err.println("vmscope: error: unknown command '" + argv.get(0) + "' (try 'vmscope --help')");
            return 2;
        }
        try {
            return s.get().run(new ArrayList<>(argv.subList(1, argv.size())), out, err);
        } catch (CliException e) {
            err.println("vmscope: error: " + e.getMessage());
            return e.status();
        } catch (Exception | Error e) {
            err.println("vmscope: internal error: " + e + at(e));
            return 70;
        }
    }

    private static String at(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length == 0 ? "" : " (at " + st[0].getFileName() + ":" + st[0].getLineNumber() + ")";
    }

    private static void usage(PrintStream out) {
        out.println("usage: vmscope COMMAND [OPTIONS]");
        out.println();
        for (Supplier<Command> s : COMMANDS.values()) {
            Command c = s.get();
            out.printf("  %-10s %s%n", c.name(), c.summary());
        }
    }
}
