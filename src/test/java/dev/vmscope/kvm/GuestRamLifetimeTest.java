package dev.vmscope.kvm;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

/** Guest RAM outlives nobody: after the VM closes, a late access is an exception, never a host crash. */
class GuestRamLifetimeTest {
    @Test
    void accessAfterCloseThrowsInsteadOfTouchingUnmappedMemory() {
        assumeTrue(KvmSmokeTest.kvmAvailable(), "/dev/kvm not available");
        MemorySegment ram;
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) {
            ram = vm.mapRam(1 << 20);
            ram.set(ValueLayout.JAVA_INT, 0, 42);
            assertEquals(42, ram.get(ValueLayout.JAVA_INT, 0));
        }
        MemorySegment late = ram;
        assertThrows(IllegalStateException.class, () -> late.get(ValueLayout.JAVA_INT, 0));
    }
}
