package dev.vmscope.explain.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What vmscope explain found in one file. Every {@link Fact} names its source; {@link #notInterpreted} lists what
 * could not be read ("file:line: ..."), never a guess. {@link #status}: 0 fully understood, 1 partly, 2 unreadable.
 */
public record Report(String file, String format, String formatSource, String hypervisor, String vendor,
        List<Section> sections, List<String> notInterpreted, int status) {

    /** One statement with its citation, the input line it came from (0 = whole file) and structured data. */
    public record Fact(String text, String source, int line, Map<String, Object> data) {}

    public record Section(String title, List<Fact> facts) {}

    /** Collects sections while an explainer runs. */
    public static final class Builder {
        private final Map<String, List<Fact>> sections = new LinkedHashMap<>();
        final List<String> notInterpreted = new ArrayList<>();

        public Builder fact(String section, String text, String source, int line, Map<String, Object> data) {
            sections.computeIfAbsent(section, k -> new ArrayList<>()).add(new Fact(text, source, line,
                    data == null ? Map.of() : data));
            return this;
        }

        public Builder fact(String section, String text, String source, int line) {
            return fact(section, text, source, line, null);
        }

        /** Something at {@code line} (0 = whole file) that could not be interpreted. */
        public Builder notInterpreted(int line, String what) {
            notInterpreted.add((line > 0 ? line + ": " : " ") + what);
            return this;
        }

        List<Section> sections() {
            List<Section> out = new ArrayList<>();
            sections.forEach((k, v) -> out.add(new Section(k, List.copyOf(v))));
            // What to do next closes the report, after everything it refers to.
            out.sort(java.util.Comparator.comparing(s -> s.title().equals(NextStep.SECTION)));
            return out;
        }
    }
}
