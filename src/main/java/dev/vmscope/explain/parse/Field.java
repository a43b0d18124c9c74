package dev.vmscope.explain.parse;

/**
 * A named value from a dump, e.g. {@code rip[0] 0xffff...}. {@code values} holds the number(s) in the raw text
 * (a bhyvectl descriptor has three: base/limit/access); it is empty when the value is not numeric.
 */
public record Field(String name, int vcpu, String raw, long[] values, int line) {
    public boolean numeric() { return values.length > 0; }

    public long value() { return values.length > 0 ? values[0] : 0; }
}
