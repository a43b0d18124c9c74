package dev.vmscope.explain.parse;

/** CPU virtualization flavour a dump came from. */
public enum Vendor {
    AMD("AMD (SVM, VMCB)"), INTEL("Intel (VMX, VMCS)"), UNKNOWN("unknown");

    public final String label;

    Vendor(String label) { this.label = label; }
}
