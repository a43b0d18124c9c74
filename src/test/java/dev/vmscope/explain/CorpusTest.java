package dev.vmscope.explain;

import dev.vmscope.explain.report.Explainer;
import dev.vmscope.explain.report.Report;
import dev.vmscope.explain.report.ReportRenderer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real pastes from public issue trackers and mailing lists (src/test/resources/explain/corpus: NN-name.txt as pasted,
 * NN-name.facts with the source address and the key facts a correct explanation states). A fact line is
 * "fact: description => regex" (must be stated) or "never: description => regex" (a contradiction if stated); the
 * regex is matched, case-insensitively, against what explain states (the rendered report without its
 * "not interpreted" list, which only echoes input).
 * <p>
 * Run alone with {@code mvn -o -q test -Dtest=CorpusTest}; the per-paste table goes to target/corpus-report.txt.
 */
class CorpusTest {
    /** Share of key facts explain must state, in percent. */
    private static final double MIN_SHARE = Double.parseDouble(System.getProperty("vmscope.corpus.min", "90"));
    /** Statements that contradict a key fact; the goal is none. */
    private static final int MAX_CONTRADICTIONS = Integer.getInteger("vmscope.corpus.contradictions", 0);

    record Expect(boolean never, String description, Pattern regex) {}

    record Paste(String name, String source, byte[] text, List<Expect> expects) {}

    static List<Paste> corpus() throws IOException {
        Path dir = Samples.path("corpus");
        List<Paste> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".txt")).sorted().toList()) {
                String base = p.getFileName().toString().replaceAll("\\.txt$", "");
                List<String> lines = Files.readAllLines(dir.resolve(base + ".facts"), StandardCharsets.UTF_8);
                String source = "";
                List<Expect> ex = new ArrayList<>();
                for (String l : lines) {
                    if (l.startsWith("source: ")) source = l.substring(8).strip();
                    boolean never = l.startsWith("never: ");
                    if (!never && !l.startsWith("fact: ")) continue;
                    int arrow = l.lastIndexOf(" => ");
                    ex.add(new Expect(never, l.substring(l.indexOf(':') + 2, arrow),
                            Pattern.compile(l.substring(arrow + 4), Pattern.CASE_INSENSITIVE)));
                }
                out.add(new Paste(base, source, Files.readAllBytes(p), ex));
            }
        }
        return out;
    }

    /** What explain states: the text rendering minus the "not interpreted" echo of input lines. */
    static String stated(Paste p) {
        // A neutral name: the report header repeats it, and the corpus file names describe the answers.
        Report r = Explainer.explain("paste.txt", p.text(), Optional.empty());
        String t = ReportRenderer.text(r);
        int ni = t.indexOf("\nnot interpreted:\n"), res = t.lastIndexOf("\nresult: ");
        return ni >= 0 && res > ni ? t.substring(0, ni) + t.substring(res) : t;
    }

    @Test
    void explainStatesTheKeyFactsOfRealPastesAndContradictsNone() throws IOException {
        List<Paste> corpus = corpus();
        assertTrue(corpus.size() >= 40, "corpus has " + corpus.size() + " pastes");
        int facts = 0, stated = 0;
        List<String> contradictions = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        for (Paste p : corpus) {
            assertTrue(p.source().startsWith("http"), p.name() + " has no source address");
            String out = stated(p);
            Path outDir = Path.of(System.getProperty("vmscope.basedir", "."), "target", "corpus-out");
            Files.createDirectories(outDir);
            Files.writeString(outDir.resolve(p.name() + ".out"), out);
            int f = 0, s = 0;
            List<String> missing = new ArrayList<>();
            for (Expect e : p.expects()) {
                boolean hit = e.regex().matcher(out).find();
                if (e.never()) {
                    if (hit) contradictions.add(p.name() + ": states what contradicts: " + e.description());
                    continue;
                }
                f++;
                if (hit) s++;
                else missing.add(e.description());
            }
            // Every explained failure (a "What happened" or bhyve "Exit" section) ends with a next step and its source.
            if ((out.contains("\nWhat happened:\n") || out.contains("\nExit:\n")) && !out.contains("next step: ")) {
                contradictions.add(p.name() + ": a failure is explained without a next step");
            }
            facts += f;
            stated += s;
            table.append(String.format("%-40s %2d/%-2d%s%n", p.name(), s, f,
                    missing.isEmpty() ? "" : "  missing: " + String.join("; ", missing)));
        }
        double share = 100.0 * stated / facts;
        table.append(String.format("%nkey facts stated: %d of %d (%.1f%%), contradictions: %d%n", stated, facts, share,
                contradictions.size()));
        contradictions.forEach(c -> table.append(c).append('\n'));
        Path report = Path.of(System.getProperty("vmscope.basedir", "."), "target", "corpus-report.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, table.toString());
        System.out.println(table);
        assertTrue(contradictions.size() <= MAX_CONTRADICTIONS, contradictions.toString());
        assertTrue(share >= MIN_SHARE, String.format("key facts stated: %.1f%% < %.1f%%%n%s", share, MIN_SHARE, table));
    }
}
