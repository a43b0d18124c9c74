package dev.vmscope.explain;

import dev.vmscope.explain.parse.Detector;
import dev.vmscope.explain.parse.Format;
import dev.vmscope.explain.parse.Text;
import dev.vmscope.explain.parse.VmscopeCrashDump;
import dev.vmscope.explain.parse.VmscopeCrashParser;
import dev.vmscope.explain.report.Explainer;
import dev.vmscope.explain.report.Report;
import dev.vmscope.explain.report.ReportRenderer;
import dev.vmscope.util.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vmscope explain on crash reports written by the real VMM (a guest that loads an empty IDT and runs ud2:
 * guests/triple.S), JSON and text; variants of the cause/registers are derived from that sample by substitution.
 */
class CrashReportExplainTest {
    private static final String JSON = "vmscope-crash-triple.json", TEXT = "vmscope-crash-triple.txt";

    private static String sample(String name) { return new String(Samples.bytes(name), StandardCharsets.UTF_8); }

    private static Report report(String name, String content) {
        return Explainer.explain(name, content.getBytes(StandardCharsets.UTF_8), Optional.empty());
    }

    private static String text(String name, String content) { return ReportRenderer.text(report(name, content)); }

    /** The JSON sample with the "cause" object replaced. */
    private static String withCause(String causeJson) {
        return sample(JSON).replaceFirst("(?s)\"cause\": \\{.*?\\n  \\}", "\"cause\": " + causeJson);
    }

    @Test
    void bothTwinsAreDetectedByTheirMarker() {
        for (String s : List.of(JSON, TEXT))
            assertEquals(Optional.of(Format.VMSCOPE_CRASH), Detector.detect(Text.lines(Samples.bytes(s))), s);
        // A JSON file without the format marker is not taken for a crash report.
        String other = sample(JSON).replace(VmscopeCrashParser.FORMAT_MARKER, "something-else");
        assertEquals(Optional.empty(), Detector.detect(Text.lines(other.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void tripleFaultIsExplained() {
        Samples.Run run = Samples.cli("explain", Samples.path(JSON).toString());
        assertEquals(0, run.status(), run.out() + run.err());
        String t = run.out();
        assertTrue(t.contains("hypervisor: vmscope on KVM"), t);
        assertTrue(t.contains("KVM exit reason 8 = KVM_EXIT_SHUTDOWN"), t);
        assertTrue(t.contains("VMX basic exit reason 2 EXIT_REASON_TRIPLE_FAULT"), t);
        assertTrue(t.contains("SVM exit code 0x7f SVM_EXIT_SHUTDOWN"), t);
        assertTrue(t.contains("source: Linux arch/x86/kvm/vmx/vmx.c handle_triple_fault()"), t);
        assertTrue(t.contains("cr0 0x11: set PE (bit 0), ET (bit 4)"), t);
        assertTrue(t.contains("protected mode, 32-bit code (CR0.PE=1, EFER.LMA=0, CS.D=1); RIP 0x10007f is an offset in"
                + " CS: linear = CS.base + EIP = 0x10007f; paging off"), t);
        assertTrue(t.contains("IDTR base 0x0 limit 0x0: EMPTY"), t);
        assertTrue(t.contains("no gate for #DF (vector 8), #NP (vector 11), #GP (vector 13)"), t);
        assertTrue(t.contains("the instruction at RIP is 'ud2': #UD (vector 6)"), t);
        assertTrue(t.contains("bytes written: \"triple: faulting\\n\""), t);
        assertTrue(t.contains("last exit: SHUTDOWN a=0x0 b=0x0 c=0x0 at rip 0x10007f"), t);
        assertTrue(t.contains("same RIP as the vCPU state above"), t);
        assertTrue(t.contains("KVM_EXIT_IO: 17 exits"), t);
        assertTrue(t.contains("result: fully understood"), t);
    }

    @Test
    void textTwinSaysTheSameAsJson() {
        String j = ReportRenderer.text(report("r", sample(JSON))).replaceAll(" \\(line \\d+\\)", "");
        // Only the text twin carries mp_state.
        String t = ReportRenderer.text(report("r", sample(TEXT))).replaceAll(" \\(line \\d+\\)", "")
                .replaceAll("  - mp_state RUNNABLE.*\n.*\n", "");
        assertEquals(j, t);
        VmscopeCrashDump d = (VmscopeCrashDump) Detector.parser(Format.VMSCOPE_CRASH).parse("r", Samples.bytes(TEXT),
                Text.lines(Samples.bytes(TEXT)));
        assertEquals(32, d.cpus().getFirst().modeBits());
        assertEquals("RUNNABLE", d.cpus().getFirst().mpState());
        assertEquals(18, d.recorders().getFirst().exits().size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonRenderingCarriesTheSections() {
        Samples.Run run = Samples.cli("explain", "--json", Samples.path(TEXT).toString());
        assertEquals(0, run.status(), run.err());
        Map<String, Object> m = (Map<String, Object>) Json.parse(run.out());
        assertEquals("vmscope-crash", m.get("format"));
        assertEquals("vmscope on KVM", m.get("hypervisor"));
        List<String> titles = ((List<Map<String, Object>>) m.get("sections")).stream().map(s -> (String) s.get("title")).toList();
        assertEquals(List.of("Fatal event", "vCPU 0", "Triple fault", "Flight recorder", "Exit statistics", "Memory map"), titles);
    }

    @Test
    void entryFailureByVendor() {
        String intel = text("i", withCause("{\"kind\": \"EntryFailure\", \"title\": \"VM entry failed\", \"vcpu\": 0,"
                + " \"hardware_entry_failure_reason\": \"0x80000021\", \"host_cpu\": 3}"));
        assertTrue(intel.contains("vendor: Intel"), intel);
        assertTrue(intel.contains("basic exit reason = 0x21: EXIT_REASON_INVALID_STATE"), intel);
        String amd = text("a", withCause("{\"kind\": \"EntryFailure\", \"title\": \"VM entry failed\", \"vcpu\": 0,"
                + " \"hardware_entry_failure_reason\": \"0xffffffffffffffff\", \"host_cpu\": 1}"));
        assertTrue(amd.contains("vendor: AMD"), amd);
        assertTrue(amd.contains("VMEXIT_INVALID"), amd);
        assertTrue(amd.contains("SVM_EXIT_ERR"), amd);
        String err = text("e", sample(TEXT).replace("cause: triple fault (KVM_EXIT_SHUTDOWN) (vCPU 0)",
                "cause: VM entry failed: hardware reason 0x7 on host CPU 2 (vCPU 0)"));
        assertTrue(err.contains("bit 31 clear"), err);
        assertTrue(err.contains("invalid control field"), err);
        assertTrue(err.contains("vendor not determined"), err);
    }

    @Test
    void internalErrorSuberrorAndData() {
        String j = text("j", withCause("{\"kind\": \"InternalError\", \"title\": \"KVM internal error: emulation failure\","
                + " \"vcpu\": 0, \"suberror\": 1, \"data\": [\"0x2\", \"0x0\"], \"insn_bytes\": \"0f 0b\"}"));
        assertTrue(j.contains("suberror 1 = KVM_INTERNAL_ERROR_EMULATION"), j);
        assertTrue(j.contains("data[0] = 0x2"), j);
        assertTrue(j.contains("instruction bytes KVM could not emulate: 0f 0b"), j);
        assertFalse(j.contains("Triple fault:"), j);
        String t = text("t", sample(TEXT).replace("cause: triple fault (KVM_EXIT_SHUTDOWN) (vCPU 0)",
                "cause: KVM internal error: delivery event error (vCPU 0)"));
        assertTrue(t.contains("suberror 3 = KVM_INTERNAL_ERROR_DELIVERY_EV"), t);
        assertTrue(t.contains("the text report carries no internal-error data words"), t);
        assertTrue(t.contains("result: partly understood"), t);
    }

    @Test
    void cpuModeFollowsCr0EferAndCs() {
        String lm = sample(JSON).replace("\"value\": \"0x11\"", "\"value\": \"0x80000011\"")
                .replaceFirst("\"efer\": \\{\\s*\"value\": \"0x0\"", "\"efer\": {\"value\": \"0x500\"")
                .replaceFirst("\"attributes\": \"0xc09b\"", "\"attributes\": \"0xa09b\"");
        String t = text("lm", lm);
        assertTrue(t.contains("64-bit mode (long mode), 64-bit code (CR0.PE=1, EFER.LMA=1 and CS.L=1); RIP 0x10007f is"
                + " itself the linear address; paging on"), t);
        assertTrue(t.contains("(16-byte gates)"), t);
        String real = text("rm", sample(JSON).replace("\"value\": \"0x11\"", "\"value\": \"0x10\""));
        assertTrue(real.contains("real mode, 16-bit code (CR0.PE=0)"), real);
    }

    @Test
    void usableIdtPointsElsewhereAndSaysWhatIsMissing() {
        String t = text("idt", sample(TEXT).replace("idt base 0000000000000000 limit 0000", "idt base 0000000000001000 limit 07ff"));
        assertTrue(t.contains("all 256 vectors have a 8-byte gate slot"), t);
        assertTrue(t.contains("the IDT has a gate slot for #DF and #GP, so the chain broke elsewhere"), t);
        assertTrue(t.contains("IDT gate contents, GDT entries and the handler stack are in guest memory"), t);
    }

    @Test
    void damagedReportsNameTheLine() {
        String cut = sample(JSON).substring(0, sample(JSON).indexOf("\"memory\""));
        Report r = report("cut.json", cut);
        assertEquals(2, r.status(), r.notInterpreted().toString());
        assertTrue(r.notInterpreted().stream().anyMatch(s -> s.matches("cut\\.json:\\d+: not interpreted: .*valid JSON.*")),
                r.notInterpreted().toString());
        Report bad = report("bad.txt", sample(TEXT).replace("  kernel_gs_base 0000000000000000", "  kernel_gs_base zz"));
        assertEquals(1, bad.status());
        assertTrue(bad.notInterpreted().stream().anyMatch(s -> s.startsWith("bad.txt:26: not interpreted: '  kernel_gs_base zz'")),
                bad.notInterpreted().toString());
    }

    /** --smp 2: the AP was never started, so vCPU 1 is in its reset state with RIP outside RAM. */
    @Test
    void secondVcpuInResetState() {
        for (String f : List.of("vmscope-crash-smp2.json", "vmscope-crash-smp2.txt")) {
            Report r = report(f, sample(f));
            assertEquals(0, r.status(), r.notInterpreted().toString());
            String t = ReportRenderer.text(r);
            assertTrue(t.contains("vCPU 1:\n"), t);
            assertTrue(t.contains("real mode, 16-bit code (CR0.PE=0); RIP 0xfff0 is an offset in CS: linear = CS.base + IP"
                    + " = 0xfffffff0 (the architectural reset vector"), t);
            assertTrue(t.contains("it lies OUTSIDE guest RAM"), t);
            assertTrue(t.contains("IDTR base 0x0 limit 0xffff: all 256 vectors have a 4-byte IVT entry"), t);
            assertTrue(t.contains("vCPU 1: 1 exits in all, the last 1 kept: INTR x1"), t);
            assertTrue(t.contains("KVM_EXIT_INTR: 1 exits"), t);
            assertEquals(f.endsWith(".txt"), t.contains("mp_state UNINITIALIZED: an application processor that was never started"), t);
            // Only vCPU 0 triple-faulted.
            assertEquals(1, r.sections().stream().filter(s -> s.title().equals("Triple fault")).count());
            assertTrue(r.sections().stream().filter(s -> s.title().equals("Triple fault")).findFirst().orElseThrow()
                    .facts().stream().noneMatch(x -> x.text().contains("0xfff0")));
        }
    }

    /** A report from a vmscope that records its host: the vendor picks the hardware form of each event. */
    @Test
    void hostSectionNamesTheVendorAndNarrowsTheDecode() {
        String amdText = sample(TEXT).replace("cause: triple fault (KVM_EXIT_SHUTDOWN) (vCPU 0)\n",
                "cause: triple fault (KVM_EXIT_SHUTDOWN) (vCPU 0)\n\n== host ==\n  vmscope         0.1.0\n"
                + "  java            25.0.1+8-LTS\n  kernel          6.12.0-pvm\n  cpu_vendor      AuthenticAMD\n"
                + "  cpu_model       AMD EPYC\n  cpu_flags_virt  hypervisor\n");
        String intelJson = sample(JSON).replace("  \"vcpus\": [", "  \"host\": {\"vmscope\": \"0.1.0\", \"kernel\": \"6.1.0\","
                + " \"cpu_vendor\": \"GenuineIntel\", \"cpu_model\": \"Intel(R) Xeon(R) Gold 6338\", \"cpu_flags_virt\": \"vmx\"},\n"
                + "  \"vcpus\": [");
        Report amd = report("amd.txt", amdText), intel = report("intel.json", intelJson);
        for (Report r : List.of(amd, intel)) assertEquals(0, r.status(), r.notInterpreted().toString());
        String a = ReportRenderer.text(amd), i = ReportRenderer.text(intel);
        assertTrue(a.contains("ran on AMD EPYC (AuthenticAMD, AMD-V (SVM), itself a guest: nested virtualization), Linux"
                + " 6.12.0-pvm, vmscope 0.1.0 on Java 25.0.1+8-LTS"), a);
        assertTrue(a.contains("vendor: AMD (SVM, VMCB)"), a);
        assertTrue(a.contains("SVM exit code 0x7f SVM_EXIT_SHUTDOWN"), a);
        assertFalse(a.contains("EXIT_REASON_TRIPLE_FAULT"), a);
        assertTrue(i.contains("ran on Intel(R) Xeon(R) Gold 6338 (GenuineIntel, Intel VT-x (VMX)), Linux 6.1.0"), i);
        assertTrue(i.contains("VMX basic exit reason 2 EXIT_REASON_TRIPLE_FAULT"), i);
        assertFalse(i.contains("SVM_EXIT_SHUTDOWN"), i);
        // An entry failure with bit 31 clear is a VM-instruction error once the host is known to be Intel.
        String err = text("e.json", intelJson.replaceFirst("(?s)\"cause\": \\{.*?\\n  \\}", "\"cause\": {\"kind\": \"EntryFailure\","
                + " \"title\": \"VM entry failed\", \"vcpu\": 0, \"hardware_entry_failure_reason\": \"0x7\", \"host_cpu\": 1}"));
        assertTrue(err.contains("the host is Intel (from the report), so this is the VM-instruction error"), err);
        assertFalse(err.contains("vendor not determined"), err);
    }
}
