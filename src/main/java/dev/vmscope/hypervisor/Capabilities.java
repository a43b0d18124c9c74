package dev.vmscope.hypervisor;

/**
 * What a backend offers, asked once when the machine is wired.
 *
 * @param kernelIrqchip   the backend has its own PIC/IOAPIC/LAPIC/PIT (KVM_CREATE_IRQCHIP); else the Java ones run
 * @param userApicMsrs    x2APIC and IA32_TSC_DEADLINE accesses reach the Java local APIC as MSR exits
 * @param readOnlyMemory  read-only slots exist (writes to them exit as MMIO writes)
 * @param kernelCounters  per-vCPU counters kept by the backend itself (KVM's binary stats)
 * @param instructionCount the backend counts retired instructions (the software CPU)
 */
public record Capabilities(boolean kernelIrqchip, boolean userApicMsrs, boolean readOnlyMemory,
                           boolean kernelCounters, boolean instructionCount) {}
