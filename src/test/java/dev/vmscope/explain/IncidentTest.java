package dev.vmscope.explain;

import dev.vmscope.util.Json;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 0x88 incident: a bhyve/AMD --get-all dump that an AI misread. Each corrected reading must come out of
 * vmscope explain, in text and in --json.
 */
class IncidentTest {
    private static final String FILE = Samples.path("0x88.0.txt").toString();

    private static String line(String text, String start) {
        for (String l : text.split("\n")) if (l.strip().startsWith(start)) return l;
        throw new AssertionError("no line starting with '" + start + "' in:\n" + text);
    }

    @Test
    void textReportCorrectsEveryMisreading() {
        Samples.Run r = Samples.cli("explain", FILE);
        assertEquals(0, r.status(), r.out() + r.err());
        String t = r.out();
        assertTrue(t.contains("hypervisor: bhyve, vendor: AMD"), t);
        assertTrue(t.contains("format: bhyvectl"), t);
        // exit code 0x88 is SVM ICEBP (INT1, F1), not rep insb; bhyve injects #UD (svm.c).
        String exit = line(t, "- exit_reason[0] = 0x88");
        assertTrue(exit.contains("SVM_EXIT_ICEBP") && exit.contains("INT1") && exit.contains("F1"), exit);
        assertFalse(t.toLowerCase().contains("insb"), t);
        String handling = line(t, "- bhyve handling of SVM_EXIT_ICEBP");
        assertTrue(handling.contains("injects #UD"), handling);
        assertTrue(t.contains("source: FreeBSD sys/amd64/vmm/amd/svm.c svm_vmexit()"), t);
        // exc_intercept 0x00040000 is #MC (vector 18), not #PF.
        String exc = line(t, "- exc_intercept 0x00040000");
        assertTrue(exc.contains("intercepted: #MC (vector 18);"), exc);
        assertFalse(exc.contains("#PF"), exc);
        // cr_intercept: everything except CR0, CR2, CR3, CR4, CR8, reads and writes.
        String cr = line(t, "- cr_intercept 0xfee2fee2");
        assertTrue(cr.contains("reads and writes of every CR are intercepted EXCEPT CR0, CR2, CR3, CR4, CR8 "), cr);
        // rflags 0x40193: CF, reserved bit 1, AF, SF, TF, AC set; IF clear.
        String fl = line(t, "- rflags 0x0000000000040193");
        assertTrue(fl.contains("set CF (bit 0), reserved bit 1 = 1, AF (bit 4), SF (bit 7), TF (bit 8), AC (bit 18);"), fl);
        assertTrue(fl.contains("clear: IF"), fl);
        // RIP is guest-virtual: needs a CR3 walk before comparing with sysmem.
        String rip = line(t, "- rip 0xfffff8054a3f1c21 is guest-virtual");
        assertTrue(rip.contains("cannot be placed in a sysmem region") && rip.contains("CR3 = 0x1aa000"), rip);
        // vector 6 is #UD only.
        String ud = line(t, "- current (exception bhyve has queued for injection)");
        assertTrue(ud.contains("vector 6 = #UD (invalid opcode)"), ud);
        assertTrue(t.contains("TF set with IF clear"), t);
        assertTrue(t.contains("the VM itself was suspended"), t);
        assertTrue(t.contains("SVM_EXIT_ICEBP is intercept bit 8 of inst2_intercept (0x00000d7f): set"), t);
        String npf = line(t, "- vcpu0 vm exits due to nested page fault");
        assertTrue(npf.contains("1722004 (44.45% of 3874211 exits)"), npf);
        assertTrue(t.contains("result: fully understood"), t);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonReportCarriesTheSameFacts() {
        Samples.Run r = Samples.cli("explain", "--json", FILE);
        assertEquals(0, r.status(), r.err());
        Map<String, Object> m = (Map<String, Object>) Json.parse(r.out());
        assertEquals("bhyvectl", m.get("format"));
        assertEquals("bhyve", m.get("hypervisor"));
        assertEquals(0L, ((Number) m.get("status")).longValue());
        assertEquals(List.of(), m.get("not_interpreted"));
        List<Map<String, Object>> facts = new ArrayList<>();
        for (Object s : (List<Object>) m.get("sections")) {
            for (Object f : (List<Object>) ((Map<String, Object>) s).get("facts")) facts.add((Map<String, Object>) f);
        }
        for (Map<String, Object> f : facts) {
            assertFalse(((String) f.get("source")).isBlank(), "fact without source: " + f);
        }
        Map<String, Object> exit = data(facts, "exit_reason[0] = 0x88");
        assertEquals("SVM_EXIT_ICEBP", exit.get("name"));
        assertEquals("0x88", exit.get("code"));
        Map<String, Object> exc = data(facts, "exc_intercept 0x00040000");
        assertEquals(List.of("#MC"), exc.get("set_flags"));
        Map<String, Object> fl = data(facts, "rflags 0x0000000000040193");
        assertEquals(List.of("CF", "AF", "SF", "TF", "AC"), fl.get("set_flags"));
        List<String> setBits = ((List<Object>) fl.get("set")).stream()
                .map(o -> (String) ((Map<String, Object>) o).get("bits")).toList();
        assertEquals(List.of("0", "1", "4", "7", "8", "18"), setBits);
        Map<String, Object> rip = data(facts, "rip 0xfffff8054a3f1c21 is guest-virtual");
        assertEquals(true, rip.get("needs_cr3_walk"));
        assertEquals("guest-virtual", rip.get("rip_space"));
        Map<String, Object> ud = data(facts, "current (exception bhyve has queued");
        assertEquals("#UD", ud.get("mnemonic"));
        assertEquals(6L, ((Number) ud.get("vector")).longValue());
        String cr = text(facts, "cr_intercept 0xfee2fee2");
        assertTrue(cr.contains("EXCEPT CR0, CR2, CR3, CR4, CR8 "), cr);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(List<Map<String, Object>> facts, String start) {
        for (Map<String, Object> f : facts) {
            if (((String) f.get("text")).startsWith(start)) return (Map<String, Object>) f.get("data");
        }
        throw new AssertionError("no fact starting with " + start);
    }

    private static String text(List<Map<String, Object>> facts, String start) {
        for (Map<String, Object> f : facts) if (((String) f.get("text")).startsWith(start)) return (String) f.get("text");
        throw new AssertionError("no fact starting with " + start);
    }
}
