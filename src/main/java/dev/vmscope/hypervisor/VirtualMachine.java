package dev.vmscope.hypervisor;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * One VM: guest-physical memory slots and vCPUs. Memory is allocated by the machine (so kernels are loaded
 * and checked before any backend exists) and handed in as segments; a guest-physical address outside every
 * slot is MMIO, as with KVM.
 */
public interface VirtualMachine extends AutoCloseable {
    /**
     * Maps {@code host} at {@code gpa} in slot {@code slot}, replacing what the slot held. A read-only slot
     * reads as memory and makes writes exit as MMIO writes (KVM_MEM_READONLY).
     */
    void mapMemory(int slot, long gpa, MemorySegment host, boolean readOnly);

    /** Removes a slot's mapping (the PAM window is remapped this way). Unknown slots are ignored. */
    void unmapMemory(int slot);

    /**
     * Creates vCPU {@code id} (APIC ID = id) with CPUID for {@code spec}. Its state is the architectural
     * power-on state until {@link VirtualCpu#setState} is called.
     */
    VirtualCpu createVcpu(int id, CpuidSpec spec);

    /** The backend's own interrupt controllers when the VM was created with them. */
    Optional<KernelIrqchip> kernelIrqchip();

    @Override void close();

    /** Which CPUID features the machine can back: the Java LAPIC without MSR exits cannot offer x2APIC. */
    record CpuidSpec(int vcpuCount, boolean x2apic, boolean tscDeadline) {}

    /** KVM's in-kernel PIC/IOAPIC: ISA and GSI lines driven from devices. */
    interface KernelIrqchip {
        void irqLine(int gsi, boolean level);

        /** The in-kernel local APIC's 1 KiB register page (KVM_GET_LAPIC), for `monitor lapic`. */
        byte[] lapicPage(VirtualCpu vcpu);
    }
}
