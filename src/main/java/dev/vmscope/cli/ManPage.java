package dev.vmscope.cli;

import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code vmscope man}: vmscope(1) in roff, made from the same annotations as the parser and --help. */
@Command(name = "man", hidden = true, mixinStandardHelpOptions = true, description = "Print the vmscope(1) manual page (roff).",
        exitCodeList = {"0:printed"})
public final class ManPage extends CliCommand {
    @Override
    protected int execute() {
        out.print(render(Main.commandLine(out, err, false)));
        return 0;
    }

    static String render(CommandLine root) {
        StringBuilder sb = new StringBuilder();
        CommandSpec top = root.getCommandSpec();
        sb.append(".TH VMSCOPE 1 \"\" \"vmscope ").append(dev.vmscope.util.HostInfo.VMSCOPE_VERSION).append("\" \"User Commands\"\n");
        sb.append(".SH NAME\nvmscope \\- ").append(esc(String.join(" ", top.usageMessage().description()))).append('\n');
        sb.append(".SH SYNOPSIS\n.B vmscope\n.I COMMAND\n[\\fIOPTIONS\\fR]\n.br\n.B vmscope\n\\-\\-help | \\-\\-version\n");
        sb.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            CommandSpec c = e.getValue().getCommandSpec();
            if (c.usageMessage().hidden() || !e.getKey().equals(c.name())) continue;
            if (c.name().equals("help")) continue;
            sb.append(".SS vmscope ").append(c.name()).append('\n');
            for (String d : c.usageMessage().description()) sb.append(esc(expand(d, c))).append("\n.br\n");
            for (PositionalParamSpec p : c.positionalParameters()) {
                sb.append(".TP\n.I ").append(esc(p.paramLabel())).append('\n').append(esc(desc(p.description(), c))).append('\n');
            }
            for (OptionSpec o : c.options()) {
                if (o.hidden()) continue;
                sb.append(".TP\n.B ").append(esc(String.join(", ", o.names())));
                if (o.arity().max() > 0) sb.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
                sb.append('\n').append(esc(desc(o.description(), c))).append('\n');
            }
            sb.append(".PP\nExit status:\n");
            for (Map.Entry<String, String> x : c.usageMessage().exitCodeList().entrySet()) {
                sb.append(".TP\n.B ").append(esc(x.getKey().trim())).append('\n').append(esc(x.getValue())).append('\n');
            }
        }
        sb.append(".SH EXIT STATUS\n");
        for (Map.Entry<String, String> x : top.usageMessage().exitCodeList().entrySet())
            sb.append(".TP\n.B ").append(esc(x.getKey().trim())).append('\n').append(esc(x.getValue())).append('\n');
        sb.append(".SH FILES\nInputs may be - (standard input), FIFOs, or gzip, xz or zstd compressed text.\n");
        sb.append(".SH SEE ALSO\n.BR qemu-system-x86_64 (1),\n.BR bhyvectl (8),\n.BR trace-cmd (1),\n.BR perf (1)\n");
        return sb.toString();
    }

    private static String desc(String[] lines, CommandSpec c) { return expand(String.join(" ", List.of(lines)), c); }

    /** picocli's ${COMPLETION-CANDIDATES} in descriptions. */
    private static String expand(String s, CommandSpec c) {
        if (!s.contains("${COMPLETION-CANDIDATES}")) return s;
        for (OptionSpec o : c.options()) if (o.completionCandidates() != null && s.equals(String.join(" ", o.description())))
            return s.replace("${COMPLETION-CANDIDATES}", String.join(", ", o.completionCandidates()));
        for (PositionalParamSpec p : c.positionalParameters()) if (p.completionCandidates() != null)
            return s.replace("${COMPLETION-CANDIDATES}", String.join(", ", p.completionCandidates()));
        return s;
    }

    /** roff: backslashes and dashes escaped; a leading dot or quote would start a request. */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-");
        return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
    }
}
