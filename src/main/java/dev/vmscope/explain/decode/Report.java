package dev.vmscope.explain.decode;

import dev.vmscope.facts.DecodedBit;
import dev.vmscope.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The result of {@code vmscope decode}: sections in order, rendered as text or JSON. */
public record Report(String kind, String input, List<Section> sections) {
    public Report {
        sections = List.copyOf(sections);
    }

    /** True if any section reports an unknown value or an anomalous (reserved/unknown) bit. */
    public boolean flagged() { return sections.stream().anyMatch(Section::flagged); }

    public static String hex(long v) { return "0x" + Long.toHexString(v); }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (Section s : sections) {
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(s.title()).append('\n');
            for (Map.Entry<String, String> e : s.facts().entrySet()) {
                sb.append(String.format("  %-14s %s%n", e.getKey() + ":", e.getValue()));
            }
            List<String> clear = new ArrayList<>();
            for (DecodedBit b : s.bits()) {
                if (b.isFlag() && !b.set() && b.status() == DecodedBit.Status.DEFINED && b.valueName() == null) {
                    clear.add(b.name());
                    continue;
                }
                String val = b.isFlag() ? Long.toString(b.value()) : hex(b.value());
                if (b.valueName() != null) val += " (" + b.valueName() + ")";
                String tag = b.status() == DecodedBit.Status.UNKNOWN ? "  [UNKNOWN BIT]"
                        : b.flagged() ? "  [RESERVED BIT SET]" : "";
                sb.append(String.format("  bit %-6s %-20s %-10s %s%s%n", b.bits(), b.name(), val, b.meaning(), tag));
            }
            if (!clear.isEmpty()) sb.append("  clear: ").append(String.join(", ", clear)).append('\n');
            for (String n : s.notes()) sb.append("  note: ").append(n).append('\n');
            sb.append("  source: ").append(s.source()).append('\n');
        }
        return sb.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> root = Json.obj();
        root.put("kind", kind);
        root.put("input", input);
        root.put("flagged", flagged());
        List<Object> secs = new ArrayList<>();
        for (Section s : sections) {
            Map<String, Object> o = Json.obj();
            o.put("title", s.title());
            o.put("source", s.source());
            if (!s.facts().isEmpty()) o.put("facts", new java.util.LinkedHashMap<String, Object>(s.facts()));
            if (!s.bits().isEmpty()) {
                List<Object> bits = new ArrayList<>();
                for (DecodedBit b : s.bits()) {
                    Map<String, Object> j = Json.obj();
                    j.put("lo", b.lo());
                    j.put("hi", b.hi());
                    j.put("name", b.name());
                    j.put("value", b.value());
                    if (b.valueName() != null) j.put("valueName", b.valueName());
                    j.put("meaning", b.meaning());
                    j.put("status", b.status().name().toLowerCase(java.util.Locale.ROOT));
                    j.put("flagged", b.flagged());
                    bits.add(j);
                }
                o.put("bits", bits);
            }
            if (!s.notes().isEmpty()) o.put("notes", s.notes());
            o.put("flagged", s.flagged());
            secs.add(o);
        }
        root.put("sections", secs);
        return root;
    }
}
