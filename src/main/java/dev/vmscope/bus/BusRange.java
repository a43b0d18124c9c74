package dev.vmscope.bus;

/** A half-open address range [base, base + length) on a port-I/O or MMIO bus. */
public record BusRange(long base, long length) {
    public BusRange {
        if (length <= 0) throw new IllegalArgumentException("empty bus range at 0x" + Long.toHexString(base));
        if (base + length < base && base + length != 0)
            throw new IllegalArgumentException("bus range wraps at 0x" + Long.toHexString(base));
    }

    public long end() { return base + length; }

    public boolean contains(long addr) { return Long.compareUnsigned(addr - base, length) < 0; }

    public boolean overlaps(BusRange o) {
        return Long.compareUnsigned(base, o.end() - 1) <= 0 && Long.compareUnsigned(o.base, end() - 1) <= 0;
    }

    @Override public String toString() {
        return String.format("0x%x-0x%x", base, base + length - 1);
    }
}
