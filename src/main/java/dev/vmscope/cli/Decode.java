package dev.vmscope.cli;

import dev.vmscope.explain.decode.DecodeException;
import dev.vmscope.explain.decode.DecodeRequest;
import dev.vmscope.explain.decode.Decoder;
import dev.vmscope.explain.decode.Report;
import dev.vmscope.util.Json;
import java.io.PrintStream;
import java.util.List;

/** {@code vmscope decode KIND VALUE [options]}: thin wrapper over {@link Decoder}. */
public final class Decode implements Command {
    public String name() { return "decode"; }

    public String summary() { return "decode an exit code, register, intercept word, ICR, port, MSR or instruction bytes"; }

    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).equals("-h") || args.get(0).equals("--help")) {
            out.println("usage: vmscope decode KIND VALUE [--json] [options]");
            out.println("  kinds: " + String.join(", ", Decoder.KINDS));
            out.println("  vmx-exit N [--qualification Q]   kvm-exit N [--suberror S]   msr N [--value V]");
            out.println("  svm-intercepts --word cr|dr|exc|inst1|inst2|inst3 V   icr V [--x2apic]");
            out.println("  vmx-controls --word pin|proc|proc2|exit|entry V");
            out.println("  segment-ar V [--svm|--vmx]   insn HEXBYTES... [--bits 16|32|64]");
            out.println("  values: 0x-hex, decimal, or bare hex containing a-f");
            return args.isEmpty() ? 2 : 0;
        }
        Report report;
        DecodeRequest req;
        try {
            req = DecodeRequest.parse(args);
            report = Decoder.decode(req);
        } catch (DecodeException e) {
            throw new CliException("decode: " + e.getMessage());
        }
        out.print(req.json() ? Json.write(report.toJson()) + "\n" : report.toText());
        return 0;
    }
}
