package dev.vmscope.cli;

import dev.vmscope.explain.decode.DecodeException;
import dev.vmscope.explain.decode.DecodeRequest;
import dev.vmscope.explain.decode.Decoder;
import dev.vmscope.explain.decode.Report;
import dev.vmscope.util.Json;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmscope decode KIND VALUE [options]}: thin wrapper over {@link Decoder}. */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decode an exit code, register, intercept word, ICR, port, MSR or instruction bytes, citing the source.",
                "Values: 0x-hex, decimal, or bare hex containing a-f.",
                "  vmx-exit N [--qualification Q]   kvm-exit N [--suberror S]   msr N [--value V]",
                "  svm-intercepts --word cr|dr|exc|inst1|inst2|inst3 V   icr V [--x2apic]",
                "  vmx-controls --word pin|proc|proc2|exit|entry V   segment-ar V [--svm|--vmx]",
                "  insn HEXBYTES... [--bits 16|32|64]"},
        exitCodeListHeading = "%nExit status:%n", exitCodeList = {"0:decoded", "2:unknown kind, bad value or option", "70:a vmscope bug"})
public final class Decode extends CliCommand {
    /** Completion candidates and the list shown in --help. */
    static final class Kinds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() { return Decoder.KINDS.iterator(); }
    }

    @Parameters(index = "0", paramLabel = "KIND", completionCandidates = Kinds.class, description = "one of: ${COMPLETION-CANDIDATES}")
    String kind;
    @Parameters(index = "1..*", paramLabel = "VALUE", arity = "1..*", description = "the value (insn: one or more hex bytes)")
    List<String> values = new ArrayList<>();
    @Option(names = "--json", description = "JSON output")
    boolean json;
    @Option(names = "--qualification", paramLabel = "Q", description = "vmx-exit: the exit qualification")
    String qualification;
    @Option(names = "--suberror", paramLabel = "S", description = "kvm-exit: the internal-error suberror")
    String suberror;
    @Option(names = "--value", paramLabel = "V", description = "msr: the MSR's value")
    String value;
    @Option(names = "--word", paramLabel = "W", description = "svm-intercepts: cr|dr|exc|inst1|inst2|inst3; vmx-controls: pin|proc|proc2|exit|entry")
    String word;
    @Option(names = "--bits", paramLabel = "16|32|64", description = "insn: code size (default 64)")
    String bits;
    @Option(names = "--x2apic", description = "icr: x2APIC format")
    boolean x2apic;
    @Option(names = "--svm", description = "segment-ar: VMCB attribute format")
    boolean svm;
    @Option(names = "--vmx", description = "segment-ar: VMCS access-rights format")
    boolean vmx;

    @Override
    protected int execute() {
        if (!Decoder.KINDS.contains(kind))
            throw new CliException("decode: unknown kind '" + kind + "'" + Suggest.hint(kind, Decoder.KINDS)
                    + " (kinds: " + String.join(", ", Decoder.KINDS) + ")");
        if (svm && vmx) throw new CliException("decode: --svm and --vmx exclude each other");
        List<String> a = new ArrayList<>(List.of(kind));
        a.addAll(values);
        if (json) a.add("--json");
        if (x2apic) a.add("--x2apic");
        if (svm) a.add("--svm");
        if (vmx) a.add("--vmx");
        opt(a, "--qualification", qualification);
        opt(a, "--suberror", suberror);
        opt(a, "--value", value);
        opt(a, "--word", word);
        opt(a, "--bits", bits);
        Report report;
        try {
            report = Decoder.decode(DecodeRequest.parse(a));
        } catch (DecodeException e) {
            throw new CliException("decode: " + e.getMessage());
        }
        out.print(json ? Json.write(report.toJson()) + "\n" : report.toText());
        return 0;
    }

    private static void opt(List<String> a, String name, String v) {
        if (v != null) a.add(name + "=" + v);
    }
}
