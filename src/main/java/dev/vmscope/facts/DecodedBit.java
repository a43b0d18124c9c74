package dev.vmscope.facts;

/**
 * One decoded bit or bit range of a value.
 *
 * @param lo        lowest bit
 * @param hi        highest bit (== lo for one bit)
 * @param name      field name, "reserved", or "unknown"
 * @param value     the field's value (0/1 for flags)
 * @param valueName name of that value when the table has one (e.g. "INIT"), else null
 * @param meaning   what it means
 * @param status    defined / reserved / unknown (no table entry covers the bit)
 * @param flagged   true when this is suspicious: a reserved bit not at its fixed value, a set bit no table
 *                  knows, or a field value the table marks reserved
 * @param source    citation of the table that decoded it
 */
public record DecodedBit(int lo, int hi, String name, long value, String valueName, String meaning,
                         Status status, boolean flagged, String source) {
    public enum Status { DEFINED, RESERVED, UNKNOWN }

    public boolean isFlag() { return lo == hi; }

    public boolean set() { return value != 0; }

    /** "5" or "8-10". */
    public String bits() { return lo == hi ? Integer.toString(lo) : lo + "-" + hi; }
}
