package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.hypervisor.ExitReason;
import dev.vmscope.vcpu.ExitStatus;

import org.junit.jupiter.api.Test;

/** The exit-handling guarantees of issue 2, each shown by a guest from guests/ running on real KVM. */
class ExitHandlingTest {
    @Test
    void repInsbFromFwCfgReadsQemuAndLeavesRaxAlone() throws Exception {
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("rep_insb"), null));
        // buf is printed as its 4 bytes in memory order: "QEMU" = 51 45 4d 55; EAX kept its sentinel.
        assertTrue(r.console().contains("rep_insb buf 51454d55 eax deadbeef ecx 00000000 edi +4"), r.console() + r.diag());
        assertTrue(r.console().contains("rep_insb ok"), r.console() + r.diag());
        assertEquals(1, r.status(), "isa-debug-exit 0 -> status 1; " + r.stopMessage());
    }

    @Test
    void repOutswReachesTheDeviceWordByWordInOrder() throws Exception {
        VmHarness.Recorder rec = new VmHarness.Recorder();
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("rep_outsw"), null), m -> rec.attach(m, 0x5000, 2));
        assertEquals(8, rec.writes.size(), r.console());
        for (int i = 0; i < 8; i++) {
            assertEquals(0, rec.writes.get(i)[0]);
            assertEquals(2, rec.writes.get(i)[1]);
            assertEquals(0x1001L * (i + 1), rec.writes.get(i)[2], "word " + i);
        }
        assertTrue(r.console().contains("rep_outsw ok"), r.console());
    }

    @Test
    void helloReachesTheConsoleAndTheDebugExitValueBecomesTheStatus() throws Exception {
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("hello"), null));
        assertTrue(r.console().contains("hello\n"), r.console());
        assertEquals((0x21 << 1) | 1, r.status());
    }

    @Test
    void tripleFaultStopsTheVmWithAClearMessage() throws Exception {
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("triple"), null));
        assertEquals(ExitStatus.GUEST_SHUTDOWN, r.status());
        assertTrue(r.stopMessage().contains("triple fault"), r.stopMessage());
        assertTrue(r.stopMessage().contains("vCPU 0"), r.stopMessage());
        assertTrue(r.stopMessage().contains("RIP 0x"), r.stopMessage());
        assertEquals(1, r.stats().get(0).count(ExitReason.SHUTDOWN));
    }

    @Test
    void unclaimedPortsReadAllOnesOfTheAccessSize() throws Exception {
        VmHarness.Result r = VmHarness.run(VmHarness.config(VmHarness.guest("unclaimed"), null));
        assertTrue(r.console().contains("unclaimed inb 123456ff"), r.console());
        assertTrue(r.console().contains("unclaimed inw 1234ffff"), r.console());
        assertTrue(r.console().contains("unclaimed inl ffffffff"), r.console());
    }
}
