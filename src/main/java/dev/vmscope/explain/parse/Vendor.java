package dev.vmscope.explain.parse;

/** CPU virtualization flavour a dump came from. */
public enum Vendor {
    AMD("AMD (SVM, VMCB)"), INTEL("Intel (VMX, VMCS)"), ARM64("arm64 (KVM/arm64, ESR_EL2 exception classes)"),
    UNKNOWN("unknown");

    public final String label;

    Vendor(String label) { this.label = label; }
}
