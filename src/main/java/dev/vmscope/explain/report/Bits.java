package dev.vmscope.explain.report;

import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.DecodedBit;
import dev.vmscope.util.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Turns table decodes into report sentences and structured data. */
final class Bits {
    private Bits() {}

    /** "CF (bit 0), reserved bit 1 = 1, AF (bit 4)": every set bit, defined, reserved or unknown. */
    static String setBits(Decoded d) {
        List<String> out = new ArrayList<>();
        for (DecodedBit b : d.bits()) {
            if (b.status() == DecodedBit.Status.DEFINED && b.isFlag() && b.set()) out.add(b.name() + " (bit " + b.lo() + ")");
            else if (b.status() == DecodedBit.Status.DEFINED && !b.isFlag() && b.value() != 0)
                out.add(b.name() + " (bits " + b.bits() + ") = " + b.value() + (b.valueName() == null ? "" : " " + b.valueName()));
            else if (b.status() != DecodedBit.Status.DEFINED && b.set())
                out.add(b.name() + " bit " + b.lo() + (b.flagged() ? " (unexpected)" : " = 1"));
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    /** Names among {@code names} that are defined flags and clear in {@code d}. */
    static List<String> clear(Decoded d, String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) d.field(n).filter(b -> !b.set()).ifPresent(b -> out.add(n));
        return out;
    }

    static boolean isSet(Decoded d, String name) { return d.field(name).map(DecodedBit::set).orElse(false); }

    static Map<String, Object> data(Decoded d) {
        Map<String, Object> m = Json.obj();
        m.put("register", d.title());
        m.put("value", "0x" + Long.toHexString(d.value()));
        List<Object> set = new ArrayList<>();
        for (DecodedBit b : d.bits()) {
            if (!b.set()) continue;
            Map<String, Object> o = Json.obj();
            o.put("bits", b.bits());
            o.put("name", b.name());
            o.put("value", b.value());
            if (b.valueName() != null) o.put("value_name", b.valueName());
            o.put("status", b.status().name().toLowerCase());
            if (b.flagged()) o.put("flagged", true);
            set.add(o);
        }
        m.put("set", set);
        m.put("set_flags", d.setNames());
        return m;
    }

    /**
     * For a 32-bit read/write intercept word (CR or DR): which register numbers are intercepted for read and for
     * write, and the complement. Bits 0-15 reads, 16-31 writes (per the table's layout).
     */
    static String readWriteSummary(String reg, long v) {
        TreeSet<Integer> r = new TreeSet<>(), w = new TreeSet<>();
        for (int n = 0; n < 16; n++) {
            if ((v >>> n & 1) != 0) r.add(n);
            if ((v >>> (16 + n) & 1) != 0) w.add(n);
        }
        if (r.equals(w)) {
            if (r.size() == 16) return "reads and writes of every " + reg + " are intercepted";
            if (r.isEmpty()) return "no " + reg + " access is intercepted";
            return "reads and writes of every " + reg + " are intercepted EXCEPT " + list(reg, complement(r))
                    + " (intercepted: " + list(reg, r) + ")";
        }
        return "reads intercepted: " + (r.isEmpty() ? "none" : list(reg, r)) + "; writes intercepted: "
                + (w.isEmpty() ? "none" : list(reg, w)) + "; not intercepted for read: " + list(reg, complement(r))
                + "; not intercepted for write: " + list(reg, complement(w));
    }

    static TreeSet<Integer> complement(TreeSet<Integer> s) {
        TreeSet<Integer> c = new TreeSet<>();
        for (int n = 0; n < 16; n++) if (!s.contains(n)) c.add(n);
        return c;
    }

    static String list(String reg, java.util.Collection<Integer> ns) {
        List<String> out = new ArrayList<>();
        for (int n : ns) out.add(reg + n);
        return out.isEmpty() ? "none" : String.join(", ", out);
    }
}
