package dev.vmscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.util.Json;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The conventions of issue 12, item 1: help, version, suggestions, "--", refusals, completion, man page. */
class CliConventionsTest {
    static final List<String> COMMANDS = List.of("run", "bench", "explain", "stats", "decode", "version");

    @Test
    void everyCommandHasHelpWithItsExitStatuses() {
        for (String c : COMMANDS) {
            for (String h : List.of("-h", "--help")) {
                Cli.Out r = Cli.run(c, h);
                assertEquals(0, r.status(), c + " " + h + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: vmscope " + c), r.out());
                assertTrue(r.out().contains("Exit status"), c + ": " + r.out());
                assertEquals("", r.err());
            }
            Cli.Out viaHelp = Cli.run("help", c);
            assertEquals(0, viaHelp.status());
            assertTrue(viaHelp.out().startsWith("Usage: vmscope " + c), viaHelp.out());
        }
    }

    @Test
    void versionEverywhere() {
        Cli.Out a = Cli.run("--version"), b = Cli.run("version");
        assertEquals(0, a.status());
        assertTrue(a.out().startsWith("vmscope "), a.out());
        assertEquals(a.out(), b.out());
    }

    @Test
    void noCommandIsUsageOnStderr() {
        Cli.Out r = Cli.run();
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().contains("usage: vmscope"), r.err());
    }

    @Test
    void didYouMean() {
        assertTrue(Cli.run("explian", "x").err().startsWith("vmscope: error: unknown command 'explian' (did you mean 'explain'?)"));
        assertTrue(Cli.run("stats", "--hepl").err().contains("(did you mean '--help'?)"));
        assertTrue(Cli.run("decode", "svm-exti", "0x88").err().contains("did you mean 'svm-exit'?"));
        Cli.Out f = Cli.run("explain", "--format", "bhyvetcl", "x");
        assertEquals(2, f.status());
        assertTrue(f.err().contains("did you mean 'bhyvectl'?"), f.err());
    }

    @Test
    void doubleDashEndsOptions() {
        Cli.Out r = Cli.run("stats", "--", "--json");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--json: cannot read: no such file"), r.err());
        assertEquals("", r.out(), "after --, --json is a file name, not the option");
    }

    @Test
    void extraAndConflictingArgumentsRefused() {
        Cli.Out extra = Cli.run("stats", "a.txt", "b.txt");
        assertEquals(2, extra.status());
        assertTrue(extra.err().contains("unexpected argument 'b.txt'"), extra.err());
        Cli.Out twice = Cli.run("run", "-m", "64M", "-m", "128M");
        assertEquals(2, twice.status());
        assertTrue(twice.err().contains("should be specified only once"), twice.err());
        Cli.Out both = Cli.run("bench", "--exits-only", "--startup-only");
        assertEquals(2, both.status());
        assertTrue(both.err().contains("exclude each other"), both.err());
        Cli.Out stdinTwice = Cli.run("explain", "-", "-");
        assertEquals(2, stdinTwice.status());
    }

    @Test
    @SuppressWarnings("unchecked")
    void errorsUnderJsonAreJson() {
        Cli.Out r = Cli.run("stats", "--json", "/nonexistent/trace.txt");
        assertEquals(2, r.status());
        Map<String, Object> m = (Map<String, Object>) Json.parse(r.out());
        assertEquals("vmscope-error", m.get("schema"));
        assertEquals(2L, ((Number) m.get("status")).longValue());
        assertTrue(((String) m.get("error")).contains("no such file"));
        assertTrue(r.err().startsWith("vmscope: error: "), r.err());
    }

    @Test
    void completionAndManPageComeFromTheSameDefinitions() {
        Cli.Out bash = Cli.run("completion", "bash");
        assertEquals(0, bash.status());
        for (String c : COMMANDS) assertTrue(bash.out().contains(c), c);
        assertTrue(bash.out().contains("--stats-json") && bash.out().contains("svm-exit"), "options and decode kinds complete");
        Cli.Out zsh = Cli.run("completion", "zsh");
        assertTrue(zsh.out().startsWith("#compdef vmscope"), zsh.out().substring(0, 40));
        Cli.Out man = Cli.run("man");
        assertEquals(0, man.status());
        assertTrue(man.out().startsWith(".TH VMSCOPE 1"), man.out());
        for (String c : COMMANDS) assertTrue(man.out().contains(".SS vmscope " + c), c);
        assertTrue(man.out().contains("\\-\\-stats\\-json"), "options escaped for roff");
        assertFalse(man.out().contains("${COMPLETION-CANDIDATES}"));
    }
}
