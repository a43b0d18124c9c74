package dev.vmscope.kvm;

import static org.junit.jupiter.api.Assertions.*;


import java.util.List;

import org.junit.jupiter.api.Test;

/** Per-vCPU CPUID: APIC IDs and the features an irqchip cannot serve (SDM vol. 2A, CPUID leaf 01H). */
class CpuidSetupTest {
    private static final List<CpuidEntry> HOST = List.of(
            new CpuidEntry(1, 0, 0, 0x000906ea, 0x00000800, 0xfffa3203 | CpuidSetup.ECX_X2APIC | CpuidSetup.ECX_TSC_DEADLINE, 0x178bfbff),
            new CpuidEntry(0xb, 1, 1, 0, 0, 0, 0));

    private static CpuidEntry leaf1(List<CpuidEntry> l) {
        return l.stream().filter(e -> e.function() == 1).findFirst().orElseThrow();
    }

    @Test
    void apicIdAndLogicalCountFollowTheVcpu() {
        CpuidEntry e = leaf1(CpuidSetup.forVcpu(HOST, 2, 4));
        assertEquals(2, e.ebx() >>> 24);
        assertEquals(4, e.ebx() >>> 16 & 0xff);
        assertNotEquals(0, e.edx() & 1 << 28, "HTT with more than one logical processor");
        assertEquals(HOST.get(0).ecx(), e.ecx(), "nothing hidden by default");
    }

    @Test
    void hiddenFeaturesAreClearedAndNothingElse() {
        int hide = CpuidSetup.ECX_X2APIC | CpuidSetup.ECX_TSC_DEADLINE;
        CpuidEntry e = leaf1(CpuidSetup.forVcpu(HOST, 0, 1, hide));
        assertEquals(0, e.ecx() & hide);
        assertEquals(HOST.get(0).ecx() & ~hide, e.ecx());
        assertEquals(2, CpuidSetup.forVcpu(HOST, 0, 1, hide).size());
    }
}
