package dev.vmscope.devices.irq;

/** ICR destination shorthand, bits 19:18 (SDM vol. 3 section 11.6.1). */
public enum Shorthand {
    NONE, SELF, ALL_INCLUDING_SELF, ALL_EXCLUDING_SELF;

    private static final Shorthand[] BY_CODE = values();

    public static Shorthand of(int code) { return BY_CODE[code & 3]; }
}
