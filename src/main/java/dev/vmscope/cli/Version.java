package dev.vmscope.cli;

import picocli.CommandLine.Command;

/** {@code vmscope version} (also {@code vmscope --version}). */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print vmscope's version and the Java it runs on.",
        exitCodeListHeading = "%nExit status:%n", exitCodeList = {"0:always"})
public final class Version extends CliCommand {
    static String line() { return "vmscope " + dev.vmscope.util.HostInfo.VMSCOPE_VERSION + " (Java " + Runtime.version() + ")"; }

    @Override
    protected int execute() {
        out.println(line());
        return 0;
    }
}
