package dev.vmscope.explain.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MoreKindsTest {
    private static Map<String, String> facts(String... args) {
        return Decoder.decode(DecodeRequest.parse(List.of(args))).sections().getFirst().facts();
    }

    @Test
    void vmcbApicStatsAndVmxErrors() {
        assertEquals("EXITCODE", facts("vmcb-offset", "0x70").get("field"));
        assertEquals("RIP", facts("vmcb-offset", "0x578").get("field"));
        assertEquals("0x4", facts("vmcb-offset", "0x57c").get("byte within field"));
        assertEquals("ICR_LOW", facts("apic", "0x300").get("register"));
        assertEquals("IRR[1]", facts("apic", "0x210").get("register"));
        assertEquals("0x830", facts("apic", "0x300").get("x2APIC MSR"));
        assertEquals("LVT_TIMER", facts("apic", "0x832").get("register"));
        assertEquals("VMEXIT_INST_EMUL", facts("bhyve-stat", "vm", "exits", "for", "instruction", "emulation").get("id"));
        assertTrue(facts("bhyve-stat", "vm exits for instruction emulation").get("counts").contains("MMIO"));
        assertEquals("IPIS_SENT", facts("bhyve-stat", "ipis sent to vcpu[3]").get("id"));
        assertTrue(facts("vmx-inst-error", "7").get("meaning").contains("invalid control field"));
        var intCtl = Decoder.decode(DecodeRequest.parse(List.of("int-ctl", "0x01000100"))).sections().getFirst().bits();
        assertTrue(intCtl.stream().anyMatch(b -> b.name().equals("V_IRQ") && b.set()));
        assertTrue(intCtl.stream().anyMatch(b -> b.name().equals("V_INTR_MASKING") && b.set()));
    }
}
