package dev.vmscope.facts;

import java.util.List;

/**
 * A value decoded against a {@link BitLayout}: every defined field (set or clear), every reserved range
 * that is not at its fixed value, and every set bit no table covers. Nothing set is ever dropped.
 */
public record Decoded(String title, long value, int width, List<DecodedBit> bits, String source) {
    public Decoded {
        bits = List.copyOf(bits);
    }

    /** Single-bit defined fields that are set, in bit order. */
    public List<DecodedBit> setFlags() {
        return bits.stream().filter(b -> b.isFlag() && b.set() && b.status() == DecodedBit.Status.DEFINED).toList();
    }

    /** Names of set single-bit defined fields. */
    public List<String> setNames() { return setFlags().stream().map(DecodedBit::name).toList(); }

    /** Reserved-but-wrong and unknown set bits. */
    public List<DecodedBit> anomalies() { return bits.stream().filter(DecodedBit::flagged).toList(); }

    public java.util.Optional<DecodedBit> field(String name) {
        return bits.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /**
     * One line for reports: set flags, multi-bit fields as name=value, then anomalies, e.g.
     * {@code "CF | AF | SF | TF | AC | IOPL=0x0"} or {@code "#MC"}; "(none set)" when nothing is.
     */
    public String summary() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (DecodedBit b : bits) {
            if (b.status() == DecodedBit.Status.UNKNOWN) parts.add("unknown bit " + b.bits());
            else if (b.status() == DecodedBit.Status.RESERVED) {
                if (b.flagged()) parts.add("reserved bit " + b.bits() + "=" + b.value());
            } else if (b.isFlag() && b.valueName() == null) {
                if (b.set()) parts.add(b.name());
            } else {
                parts.add(b.name() + "=" + (b.valueName() != null ? b.valueName() : "0x" + Long.toHexString(b.value())));
            }
        }
        return parts.isEmpty() ? "(none set)" : String.join(" | ", parts);
    }
}
