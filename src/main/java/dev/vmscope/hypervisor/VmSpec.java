package dev.vmscope.hypervisor;

/**
 * How the machine wants its VM: the number of vCPUs (for CPUID topology), which interrupt controllers run
 * where, and whether guest time follows the instruction count (the software CPU's deterministic mode).
 *
 * @param kernelIrqchip the backend's own interrupt controllers (only when {@link Capabilities#kernelIrqchip()})
 * @param tssAddress    KVM_SET_TSS_ADDR / identity-map page, reserved in E820 by the machine (ignored by emu)
 */
public record VmSpec(int vcpus, boolean kernelIrqchip, long tssAddress, long identityMapAddress, boolean deterministic) {}
