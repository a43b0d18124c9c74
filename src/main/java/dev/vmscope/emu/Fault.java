package dev.vmscope.emu;

/**
 * A guest exception raised while executing an instruction (Intel SDM Vol. 3A 6.15). Thrown out of the
 * instruction before it commits, caught at the instruction boundary and delivered through the IDT/IVT.
 * No stack trace: faults are ordinary control flow for a guest.
 */
final class Fault extends RuntimeException {
    static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11,
            SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;

    final int vector;
    final int errorCode;
    final boolean hasErrorCode;

    Fault(int vector, int errorCode, boolean hasErrorCode) {
        super(null, null, false, false);
        this.vector = vector;
        this.errorCode = errorCode;
        this.hasErrorCode = hasErrorCode;
    }

    static Fault of(int vector) { return new Fault(vector, 0, false); }

    static Fault withCode(int vector, int code) { return new Fault(vector, code, true); }

    static Fault gp(int code) { return withCode(GP, code); }

    static Fault ud() { return of(UD); }

    /** Vectors that push an error code (SDM Vol. 3A table 6-1). */
    static boolean pushesErrorCode(int v) {
        return v == DF || v == TS || v == NP || v == SS || v == GP || v == PF || v == AC;
    }

    /** Contributory exceptions for the double-fault rule (SDM Vol. 3A table 6-4). */
    static boolean contributory(int v) { return v == DE || v == TS || v == NP || v == SS || v == GP; }

    @Override public String toString() { return "Fault(" + vector + (hasErrorCode ? ", " + errorCode : "") + ")"; }
}
