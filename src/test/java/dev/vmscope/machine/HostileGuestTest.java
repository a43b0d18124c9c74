package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.vcpu.ExitStatus;

import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * guests/hostile.S on real KVM: thousands of random port accesses (single and rep string I/O of any size
 * and count) and random MMIO in the 32-bit hole. Whatever it does, vmscope must end the VM cleanly for a
 * reason the guest caused, never fail itself, never hang, and no device may throw.
 */
class HostileGuestTest {
    /** Completed (debug-exit 0), a reset or power-off it provoked, or a triple fault it caused itself. */
    private static final Set<Integer> GUEST_CAUSED = Set.of(1, ExitStatus.OK, ExitStatus.GUEST_SHUTDOWN, ExitStatus.HALTED_FOREVER);

    @ParameterizedTest(name = "seed {0}, irqchip {1}")
    @CsvSource({"seed=1,KERNEL", "seed=2,KERNEL", "seed=3,KERNEL", "seed=1,USER", "seed=2,USER", "seed=3,USER"})
    void randomAccessesNeverBreakTheVmm(String seed, MachineConfig.IrqchipMode irqchip) throws Exception {
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("hostile"), seed, irqchip, 1));
        assertTrue(GUEST_CAUSED.contains(r.status()), "status " + r.status() + ": " + r.stopMessage() + "\n" + r.diag());
        assertEquals(0, r.deviceFaults(), "a device threw while serving the guest");
        assertTrue(r.console().startsWith("hostile seed "), r.console());
        long exits = r.stats().get(0).total();
        assertTrue(exits > 100, "only " + exits + " exits");
    }
}
