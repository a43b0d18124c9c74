package dev.vmscope.cli;

import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.report.Explainer;
import dev.vmscope.explain.report.Report;
import dev.vmscope.explain.report.ReportRenderer;
import dev.vmscope.util.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code vmscope explain FILE... [--json] [--format F]}: decode bhyve/KVM dumps; logic in explain.report. */
public final class Explain implements Command {
    /** Larger inputs are traces: use "vmscope stats" for them. */
    static final long MAX_BYTES = 256L << 20;

    public String name() { return "explain"; }

    public String summary() { return "explain a bhyvectl/bhyve/KVM/QEMU dump or trace, or a vmscope crash report, citing sources"; }

    public int run(List<String> args, PrintStream out, PrintStream err) {
        boolean json = false;
        Optional<Format> format = Optional.empty();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--json")) json = true;
            else if (a.equals("--format") || a.startsWith("--format=")) {
                String v = a.startsWith("--format=") ? a.substring(9) : i + 1 < args.size() ? args.get(++i) : null;
                if (v == null) throw new CliException("--format needs a value: " + Format.ids());
                format = Optional.of(Format.byId(v).orElseThrow(() ->
                        new CliException("unknown format '" + v + "' (expected one of: " + Format.ids() + ")")));
            } else if (a.startsWith("-") && !a.equals("-")) {
                throw new CliException("unknown option '" + a + "' (usage: vmscope explain FILE... [--json] [--format F])");
            } else files.add(a);
        }
        if (files.isEmpty()) throw new CliException("usage: vmscope explain FILE... [--json] [--format F]");
        int status = 0;
        List<Object> all = new ArrayList<>();
        for (String f : files) {
            Report r;
            try {
                Path p = Path.of(f);
                if (Files.size(p) > MAX_BYTES) {
                    r = new Report(f, "unknown", "", "unknown", "unknown", List.of(), List.of(f + ": "
                            + Files.size(p) + " bytes is too large to explain; use 'vmscope stats' for traces"), 2);
                } else {
                    r = Explainer.explain(f, Files.readAllBytes(p), format);
                }
            } catch (IOException | RuntimeException e) {
                r = new Report(f, "unknown", "", "unknown", "unknown", List.of(), List.of(f + ": cannot read: "
                        + e.getMessage()), 2);
            }
            status = Math.max(status, r.status());
            if (json) all.add(ReportRenderer.json(r));
            else out.print(ReportRenderer.text(r));
            if (!json) for (String s : r.notInterpreted()) if (r.status() == 2) err.println("vmscope: " + s);
        }
        if (json) out.println(Json.write(all.size() == 1 ? all.getFirst() : all));
        return status;
    }
}
