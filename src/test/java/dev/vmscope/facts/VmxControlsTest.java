package dev.vmscope.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The VMCS control layouts against facts published outside our own tables. */
class VmxControlsTest {
    /**
     * Linux arch/x86/include/asm/vmx.h: *_ALWAYSON_WITHOUT_TRUE_MSR = the default1 bits. Our layouts must mark
     * exactly those bits as must-be-1, except where the header's mask includes a named control (CR3 load/store
     * exiting, save/load debug controls: default1 bits that the TRUE MSRs may allow to be 0).
     */
    @Test
    void default1BitsMatchLinuxAlwaysOnMasks() {
        Map<BitLayout, Long> alwaysOn = Map.of(VmxControls.PIN, 0x16L, VmxControls.PROC, 0x0401e172L,
                VmxControls.EXIT, 0x36dffL, VmxControls.ENTRY, 0x11ffL);
        alwaysOn.forEach((layout, mask) -> {
            long default1 = 0, named = 0;
            for (Field f : layout.fields()) {
                if (f.kind() == Field.Kind.RESERVED && f.fixed() == 1) default1 |= f.mask();
                if (f.kind() == Field.Kind.FLAG) named |= f.mask();
            }
            assertEquals(mask & ~named, default1, layout.title());
        });
    }

    /** Spot checks against the BIT() values of Linux vmx.h / vmxfeatures.h. */
    @Test
    void linuxBitPositions() {
        assertBit(VmxControls.PIN, "PIN_BASED_POSTED_INTR", 7);
        assertBit(VmxControls.PROC, "CPU_BASED_HLT_EXITING", 7);
        assertBit(VmxControls.PROC, "CPU_BASED_USE_IO_BITMAPS", 25);
        assertBit(VmxControls.PROC, "CPU_BASED_ACTIVATE_SECONDARY_CONTROLS", 31);
        assertBit(VmxControls.PROC2, "SECONDARY_EXEC_ENABLE_EPT", 1);
        assertBit(VmxControls.PROC2, "SECONDARY_EXEC_UNRESTRICTED_GUEST", 7);
        assertBit(VmxControls.PROC2, "SECONDARY_EXEC_BUS_LOCK_DETECTION", 30);
        assertBit(VmxControls.EXIT, "VM_EXIT_ACK_INTR_ON_EXIT", 15);
        assertBit(VmxControls.EXIT, "VM_EXIT_HOST_ADDR_SPACE_SIZE", 9);
        assertBit(VmxControls.ENTRY, "VM_ENTRY_IA32E_MODE", 9);
        assertBit(VmxControls.ENTRY, "VM_ENTRY_LOAD_IA32_EFER", 15);
    }

    private static void assertBit(BitLayout l, String name, int bit) {
        assertTrue(l.decode(1L << bit).setNames().contains(name), l.title() + " bit " + bit + " should be " + name);
    }

    @Test
    void clearedDefault1AndSetUndefinedBitsAreFlagged() {
        Decoded d = VmxControls.PIN.decode(0x1); // default1 bits 1, 2, 4 clear
        assertEquals(3, d.anomalies().size());
        assertTrue(VmxControls.PIN.decode(0x16 | 1L << 8).anomalies().stream().anyMatch(b -> b.lo() == 8));
        assertTrue(VmxControls.PROC2.decode(1L << 21).anomalies().stream().anyMatch(b -> b.lo() == 21));
        assertTrue(VmxControls.PIN.decode(0x7f).anomalies().isEmpty());
    }
}
