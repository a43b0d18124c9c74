package dev.vmscope.kvm;

import dev.vmscope.hypervisor.VcpuExit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run-time probes on this host's KVM: bounded, and their verdicts match what the probe VM did. */
class DebugProbeTest {
    @Test
    void probesAnswerAndExplainThemselves() {
        org.junit.jupiter.api.Assumptions.assumeTrue(KvmHypervisor.usable(), "needs /dev/kvm");
        try (Kvm kvm = Kvm.open()) {
            VcpuExit int3 = DebugProbe.probeExit(kvm);
            VcpuExit store = DebugProbe.dataProbeExit(kvm);
            assertNotNull(int3, "the int3 probe VM answered within the bound");
            assertNotNull(store, "the data-breakpoint probe VM answered within the bound");
            boolean sw = DebugProbe.softwareBreakpointsWork(kvm), data = DebugProbe.dataBreakpointsWork(kvm);
            assertEquals(int3 instanceof VcpuExit.Debug d && d.exception() == 3, sw, int3.toString());
            assertEquals(store instanceof VcpuExit.Debug d && (d.dr6() & 1) != 0, data, store.toString());
            assertTrue(DebugProbe.evidence().startsWith("an int3 in ring 0 with USE_SW_BP"), DebugProbe.evidence());
            assertFalse(DebugProbe.evidence().contains("not probed") || DebugProbe.dataEvidence().contains("did not answer"),
                    DebugProbe.evidence() + " / " + DebugProbe.dataEvidence());
            System.out.println("int3: " + DebugProbe.evidence() + "\ndata: " + DebugProbe.dataEvidence());
            assertEquals(new dev.vmscope.hypervisor.DebugCapabilities(true, 4, sw, true, data), DebugProbe.probe(kvm));
        }
    }
}
