package dev.vmscope.explain.decode;

import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.DecodedBit;
import dev.vmscope.facts.ExitCodeInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One block of decode output: key facts (for table lookups) and/or decoded bits, with the citation of
 * the table that produced it.
 */
public record Section(String title, String source, Map<String, String> facts, List<DecodedBit> bits,
                      List<String> notes, boolean flagged) {
    public Section {
        facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        bits = List.copyOf(bits);
        notes = List.copyOf(notes);
    }

    public static Section of(String title, String source, Map<String, String> facts, List<String> notes) {
        return new Section(title, source, facts, List.of(), notes, false);
    }

    public static Section bits(Decoded d, List<String> notes) {
        return new Section(d.title() + " = 0x" + Long.toHexString(d.value()), d.source(), Map.of(), d.bits(), notes,
                !d.anomalies().isEmpty());
    }

    public static Section exit(String what, long code, ExitCodeInfo e) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("name", e.name());
        f.put("meaning", e.meaning());
        f.put("typical cause", e.typicalCause());
        return new Section(what + " " + Report.hex(code), e.source(), f, List.of(), List.of(), false);
    }

    /** A value the table does not know: reported and flagged, never silently dropped. */
    public static Section unknown(String what, long code, String source) {
        return new Section(what + " " + Report.hex(code), source, Map.of("name", "unknown"),
                List.of(), List.of("not in the table: undefined, newer than the cited source, or a corrupted value"), true);
    }
}
