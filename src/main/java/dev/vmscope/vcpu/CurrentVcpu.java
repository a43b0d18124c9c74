package dev.vmscope.vcpu;

/**
 * Which vCPU the calling thread is, for devices that are banked per CPU at one address (the local APIC
 * page at 0xfee00000 reaches a different APIC from each CPU). Non-vCPU threads read -1.
 */
public final class CurrentVcpu {
    private static final ThreadLocal<Integer> ID = ThreadLocal.withInitial(() -> -1);

    private CurrentVcpu() {}

    public static int id() { return ID.get(); }

    static void set(int id) { ID.set(id); }
}
