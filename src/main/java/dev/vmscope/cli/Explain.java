package dev.vmscope.cli;

import dev.vmscope.explain.parse.Detector;
import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.parse.Text;
import dev.vmscope.explain.report.Explainer;
import dev.vmscope.explain.report.Report;
import dev.vmscope.explain.report.ReportRenderer;
import dev.vmscope.input.InputException;
import dev.vmscope.input.Inputs;
import dev.vmscope.input.TextInput;
import dev.vmscope.util.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vmscope explain FILE...}: each input is opened as text by {@link Inputs} (stdin, compression,
 * encodings, a size cap) and explained by explain.report on a thread of its own, so one input that breaks
 * the analyzer costs only its own report. --json prints one object per input (JSON Lines), schema
 * vmscope-explain version 1.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explain a bhyvectl/bhyve/KVM/QEMU dump or trace, or a vmscope crash report, citing sources.",
                "FILE may be - (stdin), a FIFO, or gzip/xz/zstd compressed; UTF-16 and byte-order marks are read."},
        exitCodeListHeading = "%nExit status (the highest over all inputs):%n",
        exitCodeList = {"0:every input fully understood", "1:some lines or fields were not interpreted (listed)",
                "2:bad arguments, or an input that is unreadable, empty, binary, too large or not a known format",
                "70:a vmscope bug (the other inputs are still reported)"})
public final class Explain extends CliCommand {
    static final String SCHEMA = "vmscope-explain";
    static final int SCHEMA_VERSION = 1;
    /** Dumps are small; traces belong to 'vmscope stats', which streams. */
    static final long DEFAULT_MAX = 32L << 20;
    /** The analyzer's regexes recurse per repeated group: a deep stack keeps long rows from overflowing. */
    private static final long STACK_BYTES = 256L << 20;

    static final class Formats implements Iterable<String> {
        @Override
        public Iterator<String> iterator() { return Arrays.stream(Format.values()).map(f -> f.id).iterator(); }
    }

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "inputs; - is standard input")
    List<String> files = new ArrayList<>();
    @Option(names = "--json", description = "one JSON object per input (JSON Lines), schema vmscope-explain v1")
    boolean json;
    @Option(names = "--format", paramLabel = "F", completionCandidates = Formats.class,
            description = "read every input as F instead of detecting: ${COMPLETION-CANDIDATES}")
    String format;
    @Option(names = "--max-size", paramLabel = "SIZE", description = "refuse inputs larger than SIZE of text (default 32M)")
    String maxSize;
    @Option(names = "--progress", negatable = true, description = "show progress on stderr (default: when stderr is a terminal)")
    Boolean progress;

    @Override
    protected int execute() {
        Optional<Format> forced = Optional.empty();
        if (format != null) {
            forced = Format.byId(format);
            if (forced.isEmpty()) throw new CliException("unknown format '" + format + "'" + Suggest.hint(format, ids())
                    + " (expected one of: " + Format.ids() + ")");
        }
        long cap = maxSize == null ? DEFAULT_MAX : Options.size("max-size", maxSize.matches("\\d+") ? maxSize + "B" : maxSize);
        if (files.stream().filter(Inputs.STDIN::equals).count() > 1) throw new CliException("'-' (stdin) can be given once");
        int status = 0;
        for (String f : files) {
            Report r = explainOne(f, forced, cap);
            status = Math.max(status, r.status());
            if (json) {
                Map<String, Object> m = Json.obj();
                m.put("schema", SCHEMA);
                m.put("schema_version", SCHEMA_VERSION);
                m.putAll(ReportRenderer.json(r));
                out.println(Json.writeCompact(m));
            } else {
                out.print(Untrusted.escape(ReportRenderer.text(r)));
                if (r.status() >= 2) for (String s : r.notInterpreted()) err.println("vmscope: " + Untrusted.escape(s));
            }
            out.flush();
        }
        return status;
    }

    private static List<String> ids() { return Arrays.stream(Format.values()).map(x -> x.id).toList(); }

    private Report explainOne(String f, Optional<Format> forced, long cap) {
        byte[] data;
        String tooLarge = f + ": larger than " + (cap >> 20) + " MiB of text: explain reads dumps (raise the limit with"
                + " --max-size); for a trace of any size use: vmscope stats " + f;
        try (TextInput t = Inputs.open(f, in, cap, tooLarge); Progress p = new Progress(err, progress, t.sourceSize(), f)) {
            data = read(t, p);
        } catch (InputException e) {
            return failed(f, e.getMessage(), 2);
        } catch (IOException | RuntimeException e) {
            return failed(f, f + ": cannot read: " + e.getMessage(), 2);
        }
        Report[] result = new Report[1];
        Thread t = new Thread(null, () -> result[0] = analyse(f, data, forced), "vmscope-explain", STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(f, f + ": interrupted", 130);
        }
        return result[0] != null ? result[0] : failed(f, f + ": vmscope bug: the analyzer stopped without a report", 70);
    }

    private static byte[] read(TextInput in, Progress p) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(8192);
        byte[] chunk = new byte[1 << 16];
        for (int n; (n = in.text().read(chunk)) >= 0; ) {
            buf.write(chunk, 0, n);
            p.update(in.sourceBytesRead());
        }
        return buf.toByteArray();
    }

    private static Report analyse(String f, byte[] data, Optional<Format> forced) {
        try {
            Report r = Explainer.explain(f, data, forced);
            if (forced.isEmpty()) return r;
            // A forced format that the content contradicts must not pass as "fully understood".
            Optional<Format> seen = Detector.detect(Text.lines(data));
            if (seen.isEmpty() || seen.get() == forced.get()) return r;
            List<String> why = new ArrayList<>(r.notInterpreted());
            why.add(f + ":1: --format " + forced.get().id + " does not match the content, which is " + seen.get().id
                    + " (" + seen.get().source + "); drop --format or use --format " + seen.get().id);
            return new Report(r.file(), r.format(), r.formatSource(), r.hypervisor(), r.vendor(), r.sections(), why, 2);
        } catch (StackOverflowError e) {
            return failed(f, f + ": vmscope bug: the analyzer ran out of stack on this input (a very long line?);"
                    + " please report it with the file", 70);
        } catch (RuntimeException | Error e) {
            return failed(f, f + ": vmscope bug: " + e, 70);
        }
    }

    private static Report failed(String f, String why, int status) {
        return new Report(f, "unknown", "", "unknown", "unknown", List.of(), List.of(why), status);
    }
}
