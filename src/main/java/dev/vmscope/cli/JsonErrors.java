package dev.vmscope.cli;

import dev.vmscope.util.Json;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Under --json an error is JSON on stdout too (schema vmscope-error), so a script never parses prose. */
final class JsonErrors {
    static final String SCHEMA = "vmscope-error";
    static final int VERSION = 1;

    private JsonErrors() {}

    /** Whether --json was given before any "--". */
    static boolean wanted(List<String> argv) {
        for (String a : argv) {
            if (a.equals("--")) return false;
            if (a.equals("--json")) return true;
        }
        return false;
    }

    static void print(PrintStream out, String message, int status) {
        Map<String, Object> m = Json.obj();
        m.put("schema", SCHEMA);
        m.put("schema_version", VERSION);
        m.put("error", message);
        m.put("status", status);
        out.println(Json.write(m));
        out.flush();
    }
}
