package dev.vmscope.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vmscope completion bash|zsh}: the completion script, generated from the same annotations as the
 * parser and --help. Install: {@code vmscope completion bash > /etc/bash_completion.d/vmscope}; zsh:
 * {@code vmscope completion zsh > "${fpath[1]}/_vmscope"} (the script loads bashcompinit itself).
 */
@Command(name = "completion", hidden = true, mixinStandardHelpOptions = true,
        description = "Print the bash or zsh completion script.", exitCodeList = {"0:printed", "2:unknown shell"})
public final class Completion extends CliCommand {
    @Parameters(paramLabel = "SHELL", arity = "0..1", defaultValue = "bash", description = "bash or zsh")
    String shell;

    @Override
    protected int execute() {
        if (!shell.equals("bash") && !shell.equals("zsh")) throw new CliException("completion: expected bash or zsh, not '" + shell + "'");
        String script = AutoComplete.bash("vmscope", Main.commandLine(out, err, false));
        if (shell.equals("zsh")) script = "#compdef vmscope\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        out.print(script);
        return 0;
    }

    static CommandLine tree() { return Main.commandLine(System.out, System.err, false); }
}
