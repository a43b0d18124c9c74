package dev.vmscope.vcpu;

/**
 * Process exit statuses. isa-debug-exit gives odd statuses ((v << 1) | 1, as QEMU), so vmscope's own are
 * even and never collide with a guest's.
 */
public final class ExitStatus {
    private ExitStatus() {}

    public static final int OK = 0;
    public static final int USAGE = 2;
    /** Triple fault (KVM_EXIT_SHUTDOWN). */
    public static final int GUEST_SHUTDOWN = 4;
    /** KVM internal error, entry failure, or an exit vmscope cannot handle. */
    public static final int VMM_FATAL = 6;
    /** --timeout expired. */
    public static final int TIMEOUT = 8;
    /** Every vCPU halted with interrupts disabled: nothing can wake the guest. */
    public static final int HALTED_FOREVER = 10;
    /** A bug in vmscope itself. */
    public static final int INTERNAL = 70;
}
