package dev.vmscope.machine;

import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.hypervisor.VirtualMachine;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.TreeMap;

/** A VM without vCPUs that only records its memory slots, for wiring tests on any machine. */
final class SlotRecorder implements VirtualMachine {
    record Slot(long gpa, MemorySegment host, boolean readOnly) {}

    final TreeMap<Integer, Slot> slots = new TreeMap<>();

    @Override public void mapMemory(int slot, long gpa, MemorySegment host, boolean readOnly) {
        slots.put(slot, new Slot(gpa, host, readOnly));
    }

    @Override public void unmapMemory(int slot) { slots.remove(slot); }

    @Override public VirtualCpu createVcpu(int id, CpuidSpec spec) { throw new UnsupportedOperationException("no vCPUs"); }

    @Override public Optional<KernelIrqchip> kernelIrqchip() { return Optional.empty(); }

    @Override public void close() { }
}
