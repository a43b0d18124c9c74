package dev.vmscope.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableIntegrityTest {
    private static final List<CodeTable> TABLES = List.of(SvmExitCodes.table(), VmxExitReasons.table(), BhyveExitCodes.table(),
            KvmExitReasons.table(), KvmExitReasons.internalErrors(), VmxInstructionErrors.table());

    @Test
    void everyEntryCarriesASource() {
        for (CodeTable t : TABLES) {
            for (ExitCodeInfo e : t.entries()) {
                assertFalse(e.source().isBlank() || e.meaning().isBlank() || e.typicalCause().isBlank(), t.title() + " " + e.name());
            }
        }
        ExceptionVectors.all().forEach(v -> assertFalse(v.source().isBlank()));
        IoPorts.all().forEach(p -> assertFalse(p.source().isBlank(), p.name()));
        Msrs.all().forEach(m -> assertFalse(m.source().isBlank(), m.name()));
        BhyveStats.all().forEach(s -> assertTrue(s.source().startsWith("FreeBSD sys/amd64/vmm/"), s.id()));
        VmcbLayout.fields().forEach(f -> assertFalse(f.source().isBlank(), f.name()));
    }

    @Test
    void bhyveEnumOrderMatchesVmmH() {
        // Spot checks against freebsd-src sys/amd64/include/vmm.h enum vm_exitcode.
        String[] expected = {"VM_EXITCODE_INOUT", "VM_EXITCODE_VMX", "VM_EXITCODE_BOGUS", "VM_EXITCODE_RDMSR", "VM_EXITCODE_WRMSR",
            "VM_EXITCODE_HLT", "VM_EXITCODE_MTRAP", "VM_EXITCODE_PAUSE", "VM_EXITCODE_PAGING", "VM_EXITCODE_INST_EMUL",
            "VM_EXITCODE_SPINUP_AP", "VM_EXITCODE_DEPRECATED1", "VM_EXITCODE_RENDEZVOUS", "VM_EXITCODE_IOAPIC_EOI",
            "VM_EXITCODE_SUSPENDED", "VM_EXITCODE_INOUT_STR", "VM_EXITCODE_TASK_SWITCH", "VM_EXITCODE_MONITOR",
            "VM_EXITCODE_MWAIT", "VM_EXITCODE_SVM", "VM_EXITCODE_REQIDLE", "VM_EXITCODE_DEBUG", "VM_EXITCODE_VMINSN",
            "VM_EXITCODE_BPT", "VM_EXITCODE_IPI", "VM_EXITCODE_DB"};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], BhyveExitCodes.lookup(i).orElseThrow().name());
        assertEquals(expected.length, BhyveExitCodes.MAX);
        assertTrue(BhyveExitCodes.lookup(expected.length).isEmpty());
    }

    @Test
    void interceptBitsLineUpWithExitCodes() {
        // Bit n of inst1/inst2/inst3 intercepts SVM exit code 0x60+n / 0x80+n / 0xa0+n: names must agree.
        check(VmcbIntercepts.INST1_LAYOUT, 0x60, 32);
        check(VmcbIntercepts.INST2_LAYOUT, 0x80, 16);
        check(VmcbIntercepts.INST3_LAYOUT, 0xa0, 7);
        assertEquals(List.of("ICEBP"), VmcbIntercepts.INST2_LAYOUT.decode(1 << 8).setNames());
        assertEquals(List.of("IOIO_PROT", "MSR_PROT"), VmcbIntercepts.INST1_LAYOUT.decode(3 << 27).setNames());
    }

    private static void check(BitLayout layout, int base, int n) {
        for (int bit = 0; bit < n; bit++) {
            String flag = layout.decode(1L << bit).setNames().getFirst();
            String exit = SvmExitCodes.lookup(base + bit).orElseThrow().name();
            String norm = flag.replace("INTn", "SWINT").replace("_PROT", "").replace("MWAIT_ARMED", "MWAIT_COND");
            assertEquals("SVM_EXIT_" + norm, exit, "bit " + bit + " of the word at exit base 0x" + Integer.toHexString(base));
        }
    }

    @Test
    void bitLayoutRejectsOverlapAndReportsEverySetBit() {
        assertThrows(IllegalStateException.class, () -> BitLayout.of("x", 8, "s", Field.flag(1, "a", ""), Field.field(0, 3, "b", "")));
        Decoded d = BitLayout.of("x", 8, "src", Field.flag(0, "A", "a"), Field.reserved(1, 3)).decode(0x1ff);
        assertEquals(List.of("A"), d.setNames());
        // bits 1-3 reserved-set, bits 4-7 unknown, bit 8 above width: all flagged.
        assertEquals(8, d.anomalies().size());
        assertTrue(d.anomalies().stream().allMatch(b -> b.source().equals("src")));
    }

    @Test
    void segmentEncodingsConvert() {
        assertEquals(0xa09b, SegmentAttributes.svmToVmx(0xa9b));
        assertEquals(0xa9b, SegmentAttributes.vmxToSvm(0x1a09b & 0xffff));
        assertEquals("32/64-bit TSS (busy)", SegmentAttributes.typeName(11, false));
    }
}
