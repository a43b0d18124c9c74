package dev.vmscope.emu;

import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.hypervisor.VmSpec;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** A VM on the software CPU: guest-physical slots shared by its vCPUs; no in-kernel irqchip (the Java one runs). */
public final class EmuVm implements VirtualMachine {
    private final PhysMemory memory = new PhysMemory();
    private final VmSpec spec;

    EmuVm(VmSpec spec) { this.spec = spec; }

    @Override public void mapMemory(int slot, long gpa, MemorySegment host, boolean readOnly) { memory.map(slot, gpa, host, readOnly); }

    @Override public void unmapMemory(int slot) { memory.unmap(slot); }

    @Override public VirtualCpu createVcpu(int id, CpuidSpec cpuid) { return new EmuCpu(memory, id, cpuid, spec.deterministic()); }

    @Override public Optional<KernelIrqchip> kernelIrqchip() { return Optional.empty(); }

    @Override public void close() { }
}
