package dev.vmscope.debug;

/**
 * What the host's debug support can do. On KVM: single-step is KVM_GUESTDBG_SINGLESTEP, hardware slots are
 * KVM_GUESTDBG_USE_HW_BP with debugreg[0..3]/[7], software breakpoints are KVM_GUESTDBG_USE_SW_BP (int3
 * intercept), which some hosts (nested setups) do not deliver; then Z0 falls back to hardware slots.
 */
public record DebugCapabilities(boolean singleStep, int hardwareSlots, boolean softwareBreakpoints, boolean watchpoints) {
    public DebugCapabilities {
        if (hardwareSlots < 0 || hardwareSlots > GuestDebug.SLOTS) throw new IllegalArgumentException("hardwareSlots " + hardwareSlots);
    }

    /** What the development host's KVM offers: everything except the int3 intercept. */
    public static final DebugCapabilities KVM_NO_SW_BP = new DebugCapabilities(true, 4, false, true);
}
