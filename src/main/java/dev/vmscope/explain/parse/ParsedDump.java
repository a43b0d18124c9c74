package dev.vmscope.explain.parse;

import java.util.List;

/** What a parser made of one file: the facts it read plus the lines it could not interpret. */
public sealed interface ParsedDump permits BhyvectlDump, BhyveExitDump, ExitCountsDump, KvmTraceDump, PerfKvmStatDump, QemuDump,
        VmscopeCrashDump {
    String file();

    Format format();

    Vendor vendor();

    /** Lines not understood, in file order (capped by the parser for huge inputs). */
    List<Unparsed> unparsed();

    /** Count of interpreted records; 0 means nothing of the format was found. */
    int recognized();
}
