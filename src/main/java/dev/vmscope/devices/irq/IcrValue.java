package dev.vmscope.devices.irq;

/**
 * A decoded Interrupt Command Register (SDM vol. 3 section 11.6.1, Figure "Interrupt Command Register"):
 * vector 7:0, delivery mode 10:8, destination mode 11 (1 = logical), delivery status 12 (read only),
 * level 14 (0 = de-assert), trigger mode 15 (1 = level), shorthand 19:18, destination 63:56 in xAPIC mode
 * or 63:32 in x2APIC mode (section 11.12.9). Also used by traces to print every IPI.
 */
public record IcrValue(int vector, DeliveryMode mode, boolean logical, boolean assertLevel,
                       boolean levelTriggered, Shorthand shorthand, int destination, boolean x2apic) {

    public static IcrValue decode(long icr, boolean x2apic) {
        int lo = (int) icr;
        int dest = x2apic ? (int) (icr >>> 32) : (int) (icr >>> 56) & 0xff;
        return new IcrValue(lo & 0xff, DeliveryMode.of(lo >>> 8), (lo & (1 << 11)) != 0, (lo & (1 << 14)) != 0,
                (lo & (1 << 15)) != 0, Shorthand.of(lo >>> 18), dest, x2apic);
    }

    /** The xAPIC form from the two 32-bit MMIO halves. */
    public static IcrValue decode(int low, int high) {
        return decode(Integer.toUnsignedLong(low) | (long) high << 32, false);
    }

    public long encode() {
        long lo = vector | mode.code() << 8 | (logical ? 1 << 11 : 0) | (assertLevel ? 1 << 14 : 0)
                | (levelTriggered ? 1 << 15 : 0) | shorthand.ordinal() << 18;
        long hi = x2apic ? Integer.toUnsignedLong(destination) : (long) (destination & 0xff) << 24;
        return lo | hi << 32;
    }

    /** INIT with level 0 and trigger level: the P6 "INIT level de-assert" arbitration-ID resync. */
    public boolean initDeassert() { return mode == DeliveryMode.INIT && !assertLevel && levelTriggered; }

    /**
     * Why the SDM calls this combination invalid or undefined, or null when it is valid. We model the
     * Pentium 4 / Xeon xAPIC (SDM vol. 3 section 11.6.1, table "Valid Combinations for the Pentium 4 and
     * Intel Xeon Processors' Local xAPIC Interrupt Command Register"): shorthands self and all-including-self
     * accept only fixed; the reserved modes 011 and 111 are never valid. Level-triggered IPIs are
     * "invalid" there only in the sense that the xAPIC sends them as edge (note 2), so they stay valid and
     * {@link LocalApic} delivers them edge-triggered. Illegal vectors are reported separately (ESR bit 5).
     */
    public String invalidReason() {
        if (mode == DeliveryMode.RESERVED_3 || mode == DeliveryMode.EXTINT)
            return "reserved delivery mode " + Integer.toBinaryString(8 | mode.code()).substring(1);
        if ((shorthand == Shorthand.SELF || shorthand == Shorthand.ALL_INCLUDING_SELF) && mode != DeliveryMode.FIXED)
            return mode + " with shorthand " + shorthand;
        return null;
    }

    /** True when a fixed or lowest-priority message names a vector 0..15 (SDM 11.5.3, ESR bit 5). */
    public boolean illegalVector() { return mode.usesVector() && vector < 16; }

    public ApicMessage message() {
        return new ApicMessage(mode, vector, logical, destination, shorthand, levelTriggered, x2apic);
    }

    /** e.g. "INIT vec=0x00 dest=all-but-self assert edge". */
    public String describe() {
        String dest = switch (shorthand) {
            case SELF -> "self";
            case ALL_INCLUDING_SELF -> "all";
            case ALL_EXCLUDING_SELF -> "all-but-self";
            case NONE -> (logical ? "logical:0x" : "phys:0x") + Integer.toHexString(destination);
        };
        return String.format("%s vec=0x%02x dest=%s %s %s", mode, vector, dest,
                assertLevel ? "assert" : "deassert", levelTriggered ? "level" : "edge");
    }

    @Override public String toString() { return describe(); }
}
