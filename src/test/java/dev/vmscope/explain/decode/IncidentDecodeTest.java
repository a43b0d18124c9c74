package dev.vmscope.explain.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.DecodedBit;
import dev.vmscope.facts.ExceptionVectors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The values from the bhyve-on-AMD incident that an AI misread; each must decode to the right answer. */
class IncidentDecodeTest {
    private static Report decode(String... args) { return Decoder.decode(DecodeRequest.parse(List.of(args))); }

    private static Decoded bits(Report r, int section) {
        Section s = r.sections().get(section);
        return new Decoded(s.title(), 0, 64, s.bits(), s.source());
    }

    @Test
    void svmExit0x88IsIcebpNotInsb() {
        Report r = decode("svm-exit", "0x88");
        Map<String, String> f = r.sections().getFirst().facts();
        assertEquals("SVM_EXIT_ICEBP", f.get("name"));
        assertTrue(f.get("meaning").contains("INT1") && f.get("meaning").contains("F1"), f.get("meaning"));
        assertFalse(r.toText().toLowerCase().contains("insb"));
        assertTrue(r.toText().contains("source: AMD64 APM vol. 2, appendix C"));
    }

    @Test
    void exceptionBitmap0x40000IsMachineCheckOnly() {
        Report r = decode("exceptions", "0x00040000");
        Decoded d = bits(r, 0);
        assertEquals(List.of("#MC"), d.setNames());
        assertEquals("#MC", ExceptionVectors.BITMAP.decode(0x40000).summary());
        assertEquals(18, d.setFlags().getFirst().lo());
        assertTrue(d.anomalies().isEmpty());
        // #PF would be bit 14.
        assertEquals(List.of("#PF"), ExceptionVectors.BITMAP.decode(0x4000).setNames());
    }

    @Test
    void crIntercept0xfee2fee2ExcludesCr0Cr2Cr3Cr4Cr8() {
        Decoded d = bits(decode("svm-intercepts", "--word", "cr", "0xfee2fee2"), 0);
        List<String> expected = new java.util.ArrayList<>();
        for (String rw : List.of("read", "write")) {
            for (int n : new int[] {1, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15}) expected.add(rw + " CR" + n);
        }
        assertEquals(expected, d.setNames());
        List<String> clear = d.bits().stream().filter(b -> !b.set()).map(DecodedBit::name).toList();
        assertEquals(List.of("read CR0", "read CR2", "read CR3", "read CR4", "read CR8",
                "write CR0", "write CR2", "write CR3", "write CR4", "write CR8"), clear);
    }

    @Test
    void rflags0x40193HasIfClear() {
        Report r = decode("rflags", "0x40193");
        Decoded d = bits(r, 0);
        assertEquals(List.of("CF", "AF", "SF", "TF", "AC"), d.setNames());
        DecodedBit bit1 = d.bits().stream().filter(b -> b.lo() == 1).findFirst().orElseThrow();
        assertEquals(DecodedBit.Status.RESERVED, bit1.status());
        assertEquals(1, bit1.value());
        assertFalse(bit1.flagged(), "bit 1 is architecturally 1: not an anomaly");
        assertEquals(0, d.field("IF").orElseThrow().value());
        assertTrue(r.toText().contains("clear: PF, ZF, IF,"), r.toText());
        assertEquals("CF | AF | SF | TF | IOPL=0x0 | AC", dev.vmscope.facts.ControlRegisters.RFLAGS.decode(0x40193).summary());
    }

    @Test
    void vector6IsUdOnly() {
        Map<String, String> f = decode("vector", "6").sections().getFirst().facts();
        assertEquals("#UD", f.get("mnemonic"));
        assertEquals("invalid opcode", f.get("name"));
        assertEquals("no", f.get("error code"));
        assertEquals("fault", f.get("class"));
    }

    @Test
    void icr0xc4500IsInitAssertEdgeAllExcludingSelf() {
        Decoded d = bits(decode("icr", "0x000c4500"), 0);
        assertEquals("INIT", d.field("delivery mode").orElseThrow().valueName());
        assertEquals("assert", d.field("level").orElseThrow().valueName());
        assertEquals("edge", d.field("trigger mode").orElseThrow().valueName());
        assertEquals("all excluding self", d.field("shorthand").orElseThrow().valueName());
        assertEquals("physical", d.field("destination mode").orElseThrow().valueName());
        assertEquals(0, d.field("vector").orElseThrow().value());
        assertTrue(d.anomalies().isEmpty());
    }

    @Test
    void icrX2apicTakes32BitDestination() {
        Decoded d = bits(decode("icr", "0x0000000500004030", "--x2apic"), 0);
        assertEquals(5, d.field("destination").orElseThrow().value());
        assertEquals(0x30, d.field("vector").orElseThrow().value());
        Decoded x = bits(decode("icr", "0x0300000000004030"), 0);
        assertEquals(3, x.field("destination").orElseThrow().value());
    }
}
