package dev.vmscope.facts;

import java.util.ArrayList;
import java.util.List;

/**
 * The bit layout of a register or architectural word, with its citation. {@link #decode(long)} is the
 * generic flag decoder every table uses.
 *
 * @param title  e.g. "RFLAGS"
 * @param width  significant width in bits (bits above it that are set are reported as unknown)
 * @param fields non-overlapping fields
 * @param source citation for the layout
 */
public record BitLayout(String title, int width, List<Field> fields, String source) {
    public BitLayout {
        fields = List.copyOf(fields);
        long seen = 0;
        for (Field f : fields) {
            if ((seen & f.mask()) != 0) throw new IllegalStateException(title + ": overlapping field " + f.name());
            seen |= f.mask();
        }
    }

    public static BitLayout of(String title, int width, String source, Field... fields) {
        return new BitLayout(title, width, List.of(fields), source);
    }

    /** Decodes {@code value}: all defined fields, anomalous reserved ranges, and set bits nobody defines. */
    public Decoded decode(long value) {
        List<DecodedBit> out = new ArrayList<>();
        long covered = 0;
        for (Field f : fields) {
            covered |= f.mask();
            long v = f.extract(value);
            switch (f.kind()) {
                case FLAG -> out.add(new DecodedBit(f.lo(), f.hi(), f.name(), v, null, f.meaning(),
                        DecodedBit.Status.DEFINED, false, source));
                case FIELD -> {
                    String vn = f.values() == null ? null : f.values().apply(v);
                    boolean bad = f.values() != null && vn == null;
                    out.add(new DecodedBit(f.lo(), f.hi(), f.name(), v, bad ? "reserved value" : vn, f.meaning(),
                            DecodedBit.Status.DEFINED, bad, source));
                }
                case RESERVED -> {
                    // Report each reserved bit that deviates, so "bit 22 set" is visible, not hidden in a range.
                    for (int b = f.lo(); b <= f.hi(); b++) {
                        long bit = (value >>> b) & 1, want = (f.fixed() >>> (b - f.lo())) & 1;
                        if (bit != want || bit == 1) {
                            out.add(new DecodedBit(b, b, "reserved", bit, null, f.meaning(),
                                    DecodedBit.Status.RESERVED, bit != want, source));
                        }
                    }
                }
            }
        }
        long unknown = value & ~covered;
        for (int b = 0; b < 64; b++) {
            if ((unknown >>> b & 1) != 0) {
                out.add(new DecodedBit(b, b, "unknown", 1, null,
                        b >= width ? "set bit above the " + width + "-bit value" : "set bit not defined by the cited source",
                        DecodedBit.Status.UNKNOWN, true, source));
            }
        }
        out.sort(java.util.Comparator.comparingInt(DecodedBit::lo));
        return new Decoded(title, value, width, out, source);
    }
}
