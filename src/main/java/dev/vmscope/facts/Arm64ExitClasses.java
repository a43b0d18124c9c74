package dev.vmscope.facts;

import java.util.Map;
import java.util.Optional;

/**
 * arm64 KVM exit classes as perf kvm stat names them (kvm_arm_exception_class in Linux
 * arch/arm64/include/asm/kvm_arm.h, ESR_EL2.EC values of arch/arm64/include/asm/esr.h; "IRQ" etc. are KVM's own
 * exception types). Meanings per Arm ARM D17.2.37 "ESR_EL2".
 */
public final class Arm64ExitClasses {
    private Arm64ExitClasses() {}

    public static final String SOURCE = "Linux arch/arm64/include/asm/kvm_arm.h (kvm_arm_exception_class), arch/arm64/include/"
            + "asm/esr.h; Arm ARM D17.2.37 \"ESR_EL2\"";

    private static final Map<String, String> CLASSES = Map.ofEntries(
            Map.entry("DABT_LOW", "data abort from a lower exception level: a stage-2 fault, i.e. guest access to MMIO"
                    + " (emulated device) or to memory not yet mapped in stage 2"),
            Map.entry("IABT_LOW", "instruction abort from a lower exception level: instruction fetch from a page not yet"
                    + " mapped (or not executable) in stage 2"),
            Map.entry("WFx", "trapped WFI/WFE: the guest waits for an interrupt or event (idle)"),
            Map.entry("HVC64", "HVC from AArch64: a hypercall (PSCI, KVM services)"),
            Map.entry("HVC32", "HVC from AArch32: a hypercall"),
            Map.entry("SMC64", "SMC from AArch64 trapped by HCR_EL2.TSC (PSCI via SMC)"),
            Map.entry("SYS64", "trapped MSR/MRS system-register access from AArch64"),
            Map.entry("IRQ", "a physical interrupt arrived while the guest ran (handled by the host)"),
            Map.entry("FIQ", "a physical FIQ arrived while the guest ran"),
            Map.entry("SERROR", "an SError (asynchronous abort) was taken"),
            Map.entry("FP_ASIMD", "trapped FP/SIMD access (lazy FP switching)"),
            Map.entry("SVE", "trapped SVE access"),
            Map.entry("CP15_32", "trapped AArch32 CP15 access"),
            Map.entry("UNKNOWN", "exception class 0: unknown reason"));

    public static Optional<String> meaning(String name) { return Optional.ofNullable(CLASSES.get(name)); }

    /** True when at least one name is an arm64-only class (DABT_LOW, WFx, HVC64...). */
    public static boolean isArm64(String name) {
        return CLASSES.containsKey(name) && !name.equals("IRQ") && !name.equals("UNKNOWN");
    }
}
