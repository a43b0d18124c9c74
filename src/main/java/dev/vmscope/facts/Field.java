package dev.vmscope.facts;

import java.util.List;
import java.util.function.LongFunction;

/**
 * One bit or bit range of a register-like value.
 *
 * @param lo         lowest bit
 * @param hi         highest bit (== lo for a flag)
 * @param name       short name (e.g. {@code IF}, {@code delivery mode})
 * @param meaning    what the bit/field controls or reports
 * @param kind       flag, multi-bit field, or reserved
 * @param fixed      for {@link Kind#RESERVED}: the value the architecture requires (e.g. RFLAGS bit 1 = 1)
 * @param values     for fields: names of individual values (index = value), null entries = reserved; may be null
 */
public record Field(int lo, int hi, String name, String meaning, Kind kind, long fixed, LongFunction<String> values) {
    public enum Kind { FLAG, FIELD, RESERVED }

    public Field {
        if (lo < 0 || hi > 63 || hi < lo) throw new IllegalArgumentException("bad bit range " + lo + ".." + hi);
    }

    public static Field flag(int bit, String name, String meaning) {
        return new Field(bit, bit, name, meaning, Kind.FLAG, 0, null);
    }

    public static Field field(int lo, int hi, String name, String meaning) {
        return new Field(lo, hi, name, meaning, Kind.FIELD, 0, null);
    }

    /** A field whose values have names; a null name or an index past the list means "reserved". */
    public static Field named(int lo, int hi, String name, String meaning, String... valueNames) {
        List<String> names = java.util.Arrays.asList(valueNames);
        return new Field(lo, hi, name, meaning, Kind.FIELD, 0,
                v -> v >= 0 && v < names.size() && names.get((int) v) != null ? names.get((int) v) : null);
    }

    public static Field field(int lo, int hi, String name, String meaning, LongFunction<String> values) {
        return new Field(lo, hi, name, meaning, Kind.FIELD, 0, values);
    }

    public static Field reserved(int lo, int hi) { return reserved(lo, hi, 0); }

    public static Field reserved(int lo, int hi, long fixed) {
        return new Field(lo, hi, "reserved", fixed == 0 ? "reserved, must be zero"
                : "reserved, architecturally reads as " + Long.toHexString(fixed), Kind.RESERVED, fixed, null);
    }

    public int width() { return hi - lo + 1; }

    public long mask() { return width() == 64 ? -1L : ((1L << width()) - 1) << lo; }

    public long extract(long value) { return (value & mask()) >>> lo; }
}
