package dev.vmscope.explain;

import dev.vmscope.explain.report.Explainer;
import dev.vmscope.explain.report.Report;
import dev.vmscope.explain.report.ReportRenderer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real paste survives what pasting does to it: mail quoting, indentation, CRLF, log prefixes (journal, syslog,
 * dmesg), JSON log records with escaped newlines. Each variant must give the same key statements as the original.
 */
class PasteTest {
    private static final String QEMU = String.join("\n", "KVM: entry failed, hardware error 0x0",
            "RAX=0000000000000000 RBX=ffffff80011f6000 RCX=0000000000000001 RDX=ffffff0000000438",
            "RIP=ffffff800004ddf7 RFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0",
            "CS =0008 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]",
            "SS =0010 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]") + "\n";

    private static String explain(String text) {
        Report r = Explainer.explain("paste.txt", text.getBytes(StandardCharsets.UTF_8), Optional.empty());
        return ReportRenderer.text(r);
    }

    private static String each(String text, UnaryOperator<String> perLine) {
        StringBuilder b = new StringBuilder();
        for (String l : text.split("\n")) b.append(perLine.apply(l)).append('\n');
        return b.toString();
    }

    @Test
    void aQemuEntryFailureReadsTheSameHoweverItWasPasted() {
        String json = "{\"component\":\"virt-launcher\",\"level\":\"error\",\"msg\":\"" + QEMU.replace("\n", "\\n")
                .replace("\"", "\\\"") + "\",\"pos\":\"qemu.go:1\"}\n";
        List<String> variants = List.of(QEMU,
                each(QEMU, l -> "> " + l),
                each(QEMU, l -> "> > " + l),
                each(QEMU, l -> "    " + l),
                QEMU.replace("\n", "\r\n"),
                each(QEMU, l -> "Dec 03 10:00:00 host qemu-system-x86_64[4242]: " + l),
                each(QEMU, l -> "[  673.850218] " + l),
                each(QEMU, l -> "qemu-system-x86_64: " + l),
                "```\n" + QEMU + "```\n",
                json);
        for (String v : variants) {
            String out = explain(v);
            assertTrue(out.contains("VMfail"), v + "\n=>\n" + out);
            assertTrue(out.contains("CPU mode: 64-bit mode"), v + "\n=>\n" + out);
            assertTrue(out.contains("paging: on"), v + "\n=>\n" + out);
            assertTrue(out.contains("next step: load kvm_intel with dump_invalid_vmcs=1"), v + "\n=>\n" + out);
        }
    }

    @Test
    void aMailWrappedKernelWarningIsJoined() {
        String wrapped = "[ 6044.472516] kvm [3412]: vcpu0, guest rIP: 0xfffff8019c8d6103\nunhandled rdmsr: 0x611\n";
        String out = explain(wrapped);
        assertTrue(out.contains("RDMSR of MSR 0x611 = MSR_PKG_ENERGY_STATUS"), out);
        assertTrue(out.contains("at guest RIP 0xfffff8019c8d6103"), out);
    }

    @Test
    void aBhyveBlockWhoseTabsBecameSpacesIsRead() {
        String block = "vm exit[0]\n        reason          VMX\n        rip             0x0000000000001028\n"
                + "        inst_length     3\n        status          0\n        exit_reason     28\n"
                + "        qualification   0x0000000000010030\n";
        String out = explain(block);
        assertTrue(out.contains("EXIT_REASON_CR_ACCESS"), out);
        assertTrue(out.contains("access type=LMSW"), out);
        assertTrue(out.contains("next step: dump the vCPU with bhyvectl"), out);
    }
}
