package dev.vmscope.hypervisor;

/**
 * An accelerator that runs guest code: KVM ({@code dev.vmscope.kvm}) or vmscope's software CPU
 * ({@code dev.vmscope.emu}). The shape follows cloud-hypervisor's {@code hypervisor} crate (one trait per
 * hypervisor, VM and vCPU) and QEMU's AccelOpsClass: the machine, run loop, debugger and observers see only
 * this package. A backend is opened only after every input has been validated (MachineBuilder).
 */
public interface Hypervisor extends AutoCloseable {
    /** "kvm" or "emu", as {@code --accel} spells it. */
    String name();

    Capabilities capabilities();

    /** Creates the (single) VM of this process. */
    VirtualMachine createVm(VmSpec spec);

    /**
     * What the debugger can rely on; may run a short probe guest once per process (KVM hosts differ in
     * whether int3 intercepts and data breakpoints work).
     */
    DebugCapabilities debugCapabilities();

    /** What the debug probe saw, for the console note when a capability is missing; empty when nothing to say. */
    default String debugEvidence() { return ""; }

    @Override void close();
}
