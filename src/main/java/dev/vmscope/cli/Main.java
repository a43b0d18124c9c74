package dev.vmscope.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point. The command line is declared once with picocli annotations; help, suggestions, bash/zsh
 * completion ({@code vmscope completion}) and the man page ({@code vmscope man}) are all made from it.
 * Usage errors are "vmscope: error: ..." plus the synopsis on stderr, status 2; a {@link CliException} is one
 * line and its status; anything else is a vmscope bug, status 70, never a stack trace.
 */
@Command(name = "vmscope", mixinStandardHelpOptions = true, versionProvider = Main.VersionInfo.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {"A virtual machine monitor on Linux KVM that accounts for every VM exit, and an analyzer of"
                + " bhyve, KVM and QEMU exit dumps and traces that cites the manual section behind every fact."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:success", "2:bad arguments, or an input or environment problem (named on stderr)",
                "70:a vmscope bug (please report it with the command line)"},
        footerHeading = "%n", footer = "Run 'vmscope help COMMAND' or 'vmscope COMMAND --help' for a command's options and statuses.")
public final class Main implements Runnable {
    static final int USAGE = 2, BUG = 70;
    private static final String UNUSED_CONVERTERS = "java\\.sql\\..*,java\\.time\\..*,java\\.net\\..*,java\\.util\\.Currency,"
            + "java\\.util\\.TimeZone,java\\.nio\\.charset\\..*,java\\.util\\.regex\\..*,java\\.text\\..*,java\\.util\\.UUID";

    /**
     * The subcommands in help order. Only the one named on the command line is built (picocli reflects over
     * each command's annotations, which costs start-up); help, completion, the man page and a misspelled
     * command get them all.
     */
    static final Map<String, Class<?>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("run", Run.class);
        COMMANDS.put("bench", Bench.class);
        COMMANDS.put("explain", Explain.class);
        COMMANDS.put("stats", Stats.class);
        COMMANDS.put("decode", Decode.class);
        COMMANDS.put("version", Version.class);
        COMMANDS.put("help", HelpCommand.class);
        COMMANDS.put("completion", Completion.class);
        COMMANDS.put("man", ManPage.class);
    }

    /** Set when the tree is built (no @Spec: every annotation type costs a generated proxy class at start-up). */
    private CommandLine self;

    @Override
    public void run() { throw new ParameterException(self, "a command is needed"); }

    /** True in a real vmscope process: stdin is ours (in a test JVM it may be the test runner's channel). */
    static volatile boolean ownsStdin;

    public static void main(String[] argv) {
        dev.vmscope.util.Timing.mark("main");
        ownsStdin = true;
        PrintStream out = System.out, err = System.err;
        int status = run(List.of(argv), out, err);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs one command line and returns its status; output goes to the two streams given. */
    public static int run(List<String> argv, PrintStream out, PrintStream err) { return run(argv, System.in, out, err); }

    /** As {@link #run(List, PrintStream, PrintStream)}, reading "-" from {@code in}. */
    public static int run(List<String> argv, java.io.InputStream in, PrintStream out, PrintStream err) {
        // Converters for types no option has (java.sql, java.time, ...) cost start-up to register: not needed.
        if (System.getProperty("picocli.converters.excludes") == null) System.setProperty("picocli.converters.excludes", UNUSED_CONVERTERS);
        boolean json = JsonErrors.wanted(argv);
        try {
            CommandLine cl = commandLine(in, out, err, json, only(argv));
            dev.vmscope.util.Timing.mark("command line built");
            return cl.execute(argv.toArray(String[]::new));
        } catch (CliException e) {
            return fail(err, out, json, e.getMessage(), e.status());
        } catch (Throwable e) {
            return bug(err, out, json, e);
        }
    }

    /** The command named first on the line when it alone is needed, else null (all of them). */
    private static String only(List<String> argv) {
        if (argv.isEmpty()) return null;
        String first = argv.getFirst();
        return COMMANDS.containsKey(first) && !List.of("help", "completion", "man").contains(first) ? first : null;
    }

    /** The whole command tree, wired to the given streams (also used by the completion and man generators). */
    static CommandLine commandLine(PrintStream out, PrintStream err, boolean json) {
        return commandLine(System.in, out, err, json, null);
    }

    private static CommandLine commandLine(java.io.InputStream in, PrintStream out, PrintStream err, boolean json, String only) {
        IFactory defaults = CommandLine.defaultFactory();
        IFactory factory = new IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                K o = defaults.create(cls);
                if (o instanceof CliCommand c) c.streams(in, out, err);
                return o;
            }
        };
        Main root = new Main();
        CommandLine cl = new CommandLine(root, factory);
        root.self = cl;
        for (Map.Entry<String, Class<?>> c : COMMANDS.entrySet()) {
            if (only != null && !only.equals(c.getKey())) continue;
            try {
                Object cmd = factory.create(c.getValue());
                CommandLine sub = new CommandLine(cmd, factory);
                if (cmd instanceof CliCommand cc) cc.self = sub;
                cl.addSubcommand(c.getKey(), sub);
            } catch (Exception e) {
                throw new IllegalStateException("cannot build command " + c.getKey(), e);
            }
        }
        cl.setPosixClusteredShortOptionsAllowed(false); // QEMU's "-smp" is one option, not -s -m -p
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setUsageHelpWidth(100);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, args) -> usageError(ex, out, err, json));
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CliException e) return fail(err, out, json, e.getMessage(), e.status());
            if (ex instanceof ParameterException pe) return usageError(pe, out, err, json);
            return bug(err, out, json, ex);
        });
        return cl;
    }

    private static int usageError(ParameterException ex, PrintStream out, PrintStream err, boolean json) {
        CommandLine c = ex.getCommandLine();
        String msg = lower(ex.getMessage());
        String first = ex instanceof UnmatchedArgumentException u0 && !u0.getUnmatched().isEmpty() ? u0.getUnmatched().getFirst() : null;
        if (first != null && c.getParent() == null && !first.startsWith("-")) msg = "unknown command '" + first + "'";
        else if (first != null && c.getCommandName().equals("run") && QemuOptions.instead(first) != null) msg = QemuOptions.instead(first);
        else if (first != null && first.startsWith("-")) msg = "unknown option '" + first + "' for '" + c.getCommandSpec().qualifiedName() + "'";
        else if (first != null) msg = "unexpected argument '" + first + "' for '" + c.getCommandSpec().qualifiedName() + "'";
        if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            List<String> s = u.getSuggestions();
            msg += " (did you mean " + (s.size() == 1 ? "'" + s.getFirst() + "'" : s.stream().limit(4)
                    .map(x -> "'" + x + "'").reduce((a, b) -> a + ", " + b).orElse("")) + "?)";
        }
        String name = c.getCommandSpec().qualifiedName();
        if (json) JsonErrors.print(out, msg, USAGE);
        err.println("vmscope: error: " + msg);
        err.print("usage: " + c.getHelp().synopsis(0));
        err.println("Try '" + name + " --help' for more information.");
        return USAGE;
    }

    private static String lower(String m) {
        if (m == null || m.isEmpty()) return "bad arguments";
        return m.length() > 1 && Character.isUpperCase(m.charAt(0)) && !Character.isUpperCase(m.charAt(1))
                ? Character.toLowerCase(m.charAt(0)) + m.substring(1) : m;
    }

    static int fail(PrintStream err, PrintStream out, boolean json, String msg, int status) {
        if (json) JsonErrors.print(out, msg, status);
        err.println("vmscope: error: " + msg);
        return status;
    }

    private static int bug(PrintStream err, PrintStream out, boolean json, Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        String at = st.length == 0 ? "" : " (at " + st[0].getFileName() + ":" + st[0].getLineNumber() + ")";
        if (json) JsonErrors.print(out, "internal error: " + e, BUG);
        err.println("vmscope: internal error: " + e + at);
        return BUG;
    }

    /** --version: the same line as {@code vmscope version}. */
    static final class VersionInfo implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() { return new String[] {Version.line()}; }
    }
}
