package dev.vmscope.hypervisor;

/**
 * What the host's debug support can do. On KVM: single-step is KVM_GUESTDBG_SINGLESTEP, hardware slots are
 * KVM_GUESTDBG_USE_HW_BP with debugreg[0..3]/[7], software breakpoints are KVM_GUESTDBG_USE_SW_BP (int3
 * intercept), which some hosts (nested setups) do not deliver; then Z0 falls back to hardware slots.
 * {@code watchpoints}: write watchpoints are available (in hardware, or emulated when {@code dataBreakpoints}
 * is false); {@code dataBreakpoints}: DR7 R/W=01/11 slots really fire, so read/access watchpoints work too.
 * {@code unlimitedWatchpoints}: the backend also watches any number of linear ranges of any length
 * ({@link GuestDebug#watches()}), read-only ones included, besides the slots (the software CPU checks every access).
 */
public record DebugCapabilities(boolean singleStep, int hardwareSlots, boolean softwareBreakpoints, boolean watchpoints,
                                boolean dataBreakpoints, boolean unlimitedWatchpoints) {
    public DebugCapabilities {
        if (hardwareSlots < 0 || hardwareSlots > GuestDebug.SLOTS) throw new IllegalArgumentException("hardwareSlots " + hardwareSlots);
    }

    /** Watchpoints only in the {@code hardwareSlots} debug-register slots (KVM). */
    public DebugCapabilities(boolean singleStep, int hardwareSlots, boolean softwareBreakpoints, boolean watchpoints,
                             boolean dataBreakpoints) {
        this(singleStep, hardwareSlots, softwareBreakpoints, watchpoints, dataBreakpoints, false);
    }

    /** A host whose debug registers also fire on data accesses (watchpoints are then all hardware). */
    public DebugCapabilities(boolean singleStep, int hardwareSlots, boolean softwareBreakpoints, boolean watchpoints) {
        this(singleStep, hardwareSlots, softwareBreakpoints, watchpoints, watchpoints);
    }

    /** What a KVM without the int3 intercept offers: everything else in hardware. */
    public static final DebugCapabilities KVM_NO_SW_BP = new DebugCapabilities(true, 4, false, true);

    /**
     * The development host measured by DebugProbe: no int3 intercept and data breakpoints never fire (its KVM
     * emulates ring-0 code and checks only code breakpoints), so write watchpoints are emulated by
     * single-stepping and comparing, and read/access watchpoints are unavailable.
     */
    public static final DebugCapabilities KVM_EMULATED = new DebugCapabilities(true, 4, false, true, false);
}
