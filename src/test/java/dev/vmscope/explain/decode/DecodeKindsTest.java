package dev.vmscope.explain.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.facts.DecodedBit;
import dev.vmscope.util.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecodeKindsTest {
    private static Report decode(String... args) { return Decoder.decode(DecodeRequest.parse(List.of(args))); }

    private static DecodedBit field(Report r, int section, String name) {
        return r.sections().get(section).bits().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void valuesAcceptHexDecimalAndBareHex() {
        assertEquals(0x88, Values.parse("v", "0x88"));
        assertEquals(136, Values.parse("v", "136"));
        assertEquals(0xfee2, Values.parse("v", "fee2"));
        assertEquals(-1, Values.parse("v", "-1"));
        assertEquals(-1, Values.parse("v", "0xffffffffffffffff"));
        assertThrows(DecodeException.class, () -> Values.parse("v", "0xg1"));
        assertThrows(DecodeException.class, () -> Values.parse("v", "12z"));
        assertThrows(DecodeException.class, () -> Values.parse("port", "0x10000", 0xffff));
    }

    @Test
    void svmExitInvalidAndExceptionRange() {
        assertEquals("SVM_EXIT_ERR", decode("svm-exit", "-1").sections().getFirst().facts().get("name"));
        assertEquals("SVM_EXIT_ERR", decode("svm-exit", "0xffffffff").sections().getFirst().facts().get("name"));
        Report r = decode("svm-exit", "0x4e");
        assertEquals("SVM_EXIT_EXCP_14", r.sections().get(0).facts().get("name"));
        assertEquals("#PF", r.sections().get(1).facts().get("mnemonic"));
        assertEquals("SVM_EXIT_NPF", decode("svm-exit", "0x400").sections().getFirst().facts().get("name"));
        Report unknown = decode("svm-exit", "0x3ff");
        assertTrue(unknown.flagged());
    }

    @Test
    void vmxExitWithFlagsAndQualification() {
        Report r = decode("vmx-exit", "0x80000021");
        assertEquals(List.of("VM-entry failure"), r.sections().get(0).bits().stream()
                .filter(b -> b.set() && b.isFlag() && b.status() == DecodedBit.Status.DEFINED).map(DecodedBit::name).toList());
        assertEquals("EXIT_REASON_INVALID_STATE", r.sections().get(1).facts().get("name"));
        // OUT to 0x3f8, 1 byte, DX: qualification 0x03f80040? bit 6 = immediate; here DX so 0x03f80000
        Report io = decode("vmx-exit", "30", "--qualification", "0x03f80008");
        assertEquals("IN", field(io, 1, "direction").valueName());
        assertEquals(0x3f8, field(io, 1, "port").value());
        assertEquals("1 byte", field(io, 1, "size").valueName());
        Report cr = decode("vmx-exit", "28", "--qualification", "0x304");
        assertEquals("CR4", field(cr, 1, "CR").valueName());
        assertEquals("MOV to CR", field(cr, 1, "access type").valueName());
        assertEquals("RBX", field(cr, 1, "GPR").valueName());
        Report ept = decode("vmx-exit", "48", "--qualification", "0x181");
        assertTrue(field(ept, 1, "read").set() && field(ept, 1, "GLA valid").set() && !field(ept, 1, "write").set());
        Report db = decode("vmx-exit", "0", "--qualification", "0x4001");
        assertTrue(field(db, 1, "BS").set() && field(db, 1, "B0").set() && !field(db, 1, "BD").set());
    }

    @Test
    void bhyveAndKvmCodes() {
        assertEquals("VM_EXITCODE_INST_EMUL", decode("bhyve-exit", "9").sections().getFirst().facts().get("name"));
        assertEquals("VM_EXITCODE_SVM", decode("bhyve-exit", "19").sections().getFirst().facts().get("name"));
        assertEquals("VM_EXITCODE_DB", decode("bhyve-exit", "25").sections().getFirst().facts().get("name"));
        Report k = decode("kvm-exit", "17", "--suberror", "1");
        assertEquals("KVM_EXIT_INTERNAL_ERROR", k.sections().get(0).facts().get("name"));
        assertEquals("KVM_INTERNAL_ERROR_EMULATION", k.sections().get(1).facts().get("name"));
    }

    @Test
    void reservedAndUnknownBitsAreFlaggedNotDropped() {
        Report r = decode("rflags", "0x400002");
        DecodedBit b22 = r.sections().getFirst().bits().stream().filter(b -> b.lo() == 22).findFirst().orElseThrow();
        assertTrue(b22.flagged());
        assertTrue(r.toText().contains("RESERVED BIT SET"), r.toText());
        Report rf = decode("rflags", "0x0");
        assertTrue(rf.flagged(), "RFLAGS bit 1 clear violates its fixed value");
        Report x = decode("exceptions", "0x100000000");
        assertTrue(x.flagged());
        assertTrue(x.toText().contains("UNKNOWN BIT"));
        Report icr = decode("icr", "0x300");
        assertEquals("reserved value", field(icr, 0, "delivery mode").valueName());
        assertTrue(icr.flagged());
    }

    @Test
    void ioioEventInfoSegmentPortMsr() {
        Report io = decode("ioio", "0x3f8001d");
        assertEquals("IN (read from port)", field(io, 0, "TYPE").valueName());
        assertTrue(field(io, 0, "STR").set() && field(io, 0, "REP").set() && field(io, 0, "SZ8").set());
        assertEquals(0x3f8, field(io, 0, "PORT").value());
        Report ei = decode("exitintinfo", "0x0000000080000b0e");
        assertEquals("#PF page fault", field(ei, 0, "vector").valueName());
        assertEquals("exception (fault/trap)", field(ei, 0, "type").valueName());
        Report vi = decode("vmx-intr-info", "0x80000306");
        assertEquals("#UD invalid opcode", field(vi, 0, "vector").valueName());
        Report intr = decode("exitintinfo", "0x80000030");
        assertEquals("vector 48", field(intr, 0, "vector").valueName());
        Report seg = decode("segment-ar", "0xa09b", "--vmx");
        assertTrue(field(seg, 0, "L").set() && field(seg, 0, "P").set() && field(seg, 0, "G").set());
        assertEquals("code, execute/read, accessed", field(seg, 0, "type").valueName());
        Report svmSeg = decode("segment-ar", "0x29b", "--svm");
        assertTrue(field(svmSeg, 0, "L").set() && !field(svmSeg, 0, "G").set());
        assertEquals("COM1 (16550 UART)", decode("port", "0x3fd").sections().getFirst().facts().get("name"));
        assertEquals(2, decode("port", "0x402").sections().size(), "QEMU debugcon and bhyve PM1 enable");
        assertEquals("LSTAR", decode("msr", "0xc0000082").sections().getFirst().facts().get("name"));
        assertTrue(decode("msr", "0x830").sections().getFirst().facts().get("x2APIC register").startsWith("ICR_LOW"));
        Report efer = decode("msr", "0xc0000080", "--value", "0xd01");
        assertEquals(List.of("SCE", "LME", "LMA", "NXE"), efer.sections().get(1).bits().stream()
                .filter(b -> b.set()).map(DecodedBit::name).toList());
    }

    @Test
    void jsonHasEveryBitAndSource() {
        Map<?, ?> j = (Map<?, ?>) Json.parse(Json.write(decode("rflags", "0x40193").toJson()));
        Map<?, ?> sec = (Map<?, ?>) ((List<?>) j.get("sections")).getFirst();
        List<?> bits = (List<?>) sec.get("bits");
        assertEquals(18, bits.size(), "17 defined fields (set or clear) plus reserved bit 1");
        assertTrue(((String) sec.get("source")).contains("APM"));
        Map<?, ?> ifBit = bits.stream().map(b -> (Map<?, ?>) b).filter(b -> "IF".equals(b.get("name"))).findFirst().orElseThrow();
        assertEquals(0L, ((Number) ifBit.get("value")).longValue());
    }

    @Test
    void badRequestsAreDecodeExceptions() {
        assertThrows(DecodeException.class, () -> decode("nonsense", "1"));
        assertThrows(DecodeException.class, () -> decode("rflags"));
        assertThrows(DecodeException.class, () -> decode("rflags", "1", "2"));
        assertThrows(DecodeException.class, () -> decode("svm-intercepts", "1"));
        assertThrows(DecodeException.class, () -> decode("svm-intercepts", "--word", "cr9", "1"));
        assertThrows(DecodeException.class, () -> decode("rflags", "--bogus", "1"));
        assertThrows(DecodeException.class, () -> decode("insn", "f3", "6"));
        assertThrows(DecodeException.class, () -> decode("insn", "f1", "--bits", "8"));
        assertThrows(DecodeException.class, () -> decode("vector", "256"));
    }

    @Test
    void vmxControlWords() {
        Report r = decode("vmx-controls", "--word", "proc", "0xb5a06dfa");
        assertEquals(1, field(r, 0, "CPU_BASED_HLT_EXITING").value());
        assertEquals(1, field(r, 0, "CPU_BASED_ACTIVATE_SECONDARY_CONTROLS").value());
        assertEquals(0, field(r, 0, "CPU_BASED_RDTSC_EXITING").value());
        Report pin = decode("vmx-controls", "--word", "pin", "0x1");
        assertEquals(3, pin.sections().getFirst().bits().stream().filter(DecodedBit::flagged).count());
        assertEquals(1, field(decode("vmx-controls", "--word=entry", "0x200"), 0, "VM_ENTRY_IA32E_MODE").value());
        assertThrows(DecodeException.class, () -> decode("vmx-controls", "1"));
        assertThrows(DecodeException.class, () -> decode("vmx-controls", "--word", "tertiary", "1"));
        assertThrows(DecodeException.class, () -> decode("vmx-controls", "--word", "pin", "0x100000000"));
    }
}
