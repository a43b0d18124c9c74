package dev.vmscope.util;

import java.lang.management.ManagementFactory;

/**
 * Start-up phase timing, printed to stderr when VMSCOPE_TIMING=1: milliseconds since the JVM started.
 * Costs one environment lookup when off.
 */
public final class Timing {
    private static final boolean ON = "1".equals(System.getenv("VMSCOPE_TIMING"));
    private static final long JVM_START_MS = ON ? ManagementFactory.getRuntimeMXBean().getStartTime() : 0;

    private Timing() {}

    public static void mark(String phase) {
        if (ON) System.err.printf("vmscope: timing: %6d ms %s%n", System.currentTimeMillis() - JVM_START_MS, phase);
    }
}
