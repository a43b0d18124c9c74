package dev.vmscope.facts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Compares our exit tables with the Linux uapi headers installed on this machine (linux-libc-dev), in
 * both directions. Table names the header lacks must be APM/SDM-only names or codes newer than the header.
 */
class HeaderCrossCheckTest {
    private static final Path SVM_H = Path.of("/usr/include/x86_64-linux-gnu/asm/svm.h");
    private static final Path VMX_H = Path.of("/usr/include/x86_64-linux-gnu/asm/vmx.h");
    private static final Path KVM_H = Path.of("/usr/include/linux/kvm.h");

    /** {@code #define NAME LITERAL} lines (hex, decimal, negative); macros and expressions are skipped. */
    static Map<String, Long> defines(Path header, String prefix) throws IOException {
        Pattern p = Pattern.compile("^#define\\s+(" + Pattern.quote(prefix) + "\\w*)\\s+(-?(?:0[xX][0-9a-fA-F]+|\\d+))[uUlL]*\\s*(?:/\\*.*)?$");
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(header)) {
            Matcher m = p.matcher(line.strip());
            if (!m.matches()) continue;
            String lit = m.group(2);
            long v = lit.startsWith("0x") || lit.startsWith("0X") ? Long.parseUnsignedLong(lit.substring(2), 16) : Long.parseLong(lit);
            out.put(m.group(1), v);
        }
        return out;
    }

    private static void assumeHeader(Path h) {
        assumeTrue(Files.isReadable(h), "assumption: " + h + " missing (install linux-libc-dev); cross-check skipped");
    }

    /** Header -> table: every header constant exists in the table under the same name with the same value. */
    private static List<String> headerToTable(Map<String, Long> header, CodeTable table) {
        List<String> bad = new ArrayList<>();
        header.forEach((name, v) -> {
            Optional<ExitCodeInfo> byName = table.byName(name);
            if (byName.isEmpty()) bad.add("header " + name + "=" + Long.toHexString(v) + " missing from " + table.title());
            else if (byName.get().code() != v) bad.add(name + ": header " + Long.toHexString(v) + " table " + Long.toHexString(byName.get().code()));
            Optional<ExitCodeInfo> byCode = table.lookup(v);
            if (byCode.isPresent() && !byCode.get().name().equals(name)) bad.add(Long.toHexString(v) + ": header " + name + " table " + byCode.get().name());
        });
        return bad;
    }

    /** Table -> header: names absent from the header must be allowed as APM/SDM-only, or be newer than it. */
    private static List<String> tableToHeader(Map<String, Long> header, CodeTable table, String prefix,
                                              java.util.function.Predicate<ExitCodeInfo> allowedAbsent) {
        List<String> bad = new ArrayList<>();
        for (ExitCodeInfo e : table.entries()) {
            if (!e.name().startsWith(prefix)) continue;
            Long hv = header.get(e.name());
            if (hv == null) {
                if (!allowedAbsent.test(e)) bad.add("table " + e.name() + "=" + Long.toHexString(e.code()) + " not in header and not allowed");
            } else if (hv != e.code()) {
                bad.add(e.name() + ": table " + Long.toHexString(e.code()) + " header " + Long.toHexString(hv));
            }
        }
        return bad;
    }

    @Test
    void svmExitCodesMatchLinuxSvmH() throws IOException {
        assumeHeader(SVM_H);
        Map<String, Long> h = defines(SVM_H, "SVM_EXIT_");
        Map<String, Long> vmg = defines(SVM_H, "SVM_VMGEXIT_");
        vmg.values().removeIf(v -> v < 0x80000000L); // sub-codes (SET_AP_JUMP_TABLE=0, AP_CREATE=1, ...)
        assertTrue(h.size() > 80, "parsed too few SVM_EXIT_ defines: " + h.size());
        long excpBase = h.remove("SVM_EXIT_EXCP_BASE"), lastExcp = h.remove("SVM_EXIT_LAST_EXCP");
        assertEquals("SVM_EXIT_EXCP_0", SvmExitCodes.lookup(excpBase).orElseThrow().name());
        assertEquals("SVM_EXIT_EXCP_31", SvmExitCodes.lookup(lastExcp).orElseThrow().name());
        h.putAll(vmg);
        List<String> bad = new ArrayList<>(headerToTable(h, SvmExitCodes.table()));
        Set<String> apmOnly = Set.of("SVM_EXIT_INVLPGB", "SVM_EXIT_INVLPGB_ILLEGAL", "SVM_EXIT_MCOMMIT", "SVM_EXIT_TLBSYNC",
                "SVM_EXIT_BUS_LOCK", "SVM_EXIT_IDLE_HLT", "SVM_EXIT_BUSY");
        Pattern ranges = Pattern.compile("SVM_EXIT_(READ|WRITE)_(CR|DR)\\d+|SVM_EXIT_EXCP_\\d+|SVM_EXIT_CR\\d+_WRITE_TRAP");
        bad.addAll(tableToHeader(h, SvmExitCodes.table(), "SVM_", e -> apmOnly.contains(e.name()) || ranges.matcher(e.name()).matches()));
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void vmxExitReasonsMatchLinuxVmxH() throws IOException {
        assumeHeader(VMX_H);
        Map<String, Long> h = defines(VMX_H, "EXIT_REASON_");
        assertTrue(h.size() > 50, "parsed too few EXIT_REASON_ defines: " + h.size());
        List<String> bad = new ArrayList<>(headerToTable(h, VmxExitReasons.table()));
        Set<String> sdmOnly = Set.of("EXIT_REASON_IO_SMI", "EXIT_REASON_OTHER_SMI", "EXIT_REASON_GETSEC", "EXIT_REASON_RSM",
                "EXIT_REASON_PCONFIG", "EXIT_REASON_SPP", "EXIT_REASON_LOADIWKEY", "EXIT_REASON_ENCLV",
                "EXIT_REASON_ENQCMD_PASID", "EXIT_REASON_ENQCMDS_PASID", "EXIT_REASON_SEAMCALL", "EXIT_REASON_TDCALL",
                "EXIT_REASON_RDMSRLIST", "EXIT_REASON_WRMSRLIST");
        long max = h.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        bad.addAll(tableToHeader(h, VmxExitReasons.table(), "EXIT_REASON_", e -> sdmOnly.contains(e.name()) || e.code() > max));
        assertTrue(bad.isEmpty(), String.join("\n", bad));
        // Exit-reason flag bits Linux defines must be the same bits in our layout.
        Map<String, Long> flags = defines(VMX_H, "VMX_EXIT_REASONS_");
        assertEquals(0x80000000L, flags.get("VMX_EXIT_REASONS_FAILED_VMENTRY"));
        assertEquals("VM-entry failure", VmxExitReasons.EXIT_REASON.decode(flags.get("VMX_EXIT_REASONS_FAILED_VMENTRY")).setNames().getFirst());
        Long enclave = flags.get("VMX_EXIT_REASONS_SGX_ENCLAVE_MODE");
        if (enclave != null) assertEquals(List.of("enclave"), VmxExitReasons.EXIT_REASON.decode(enclave).setNames());
    }

    @Test
    void kvmExitReasonsMatchLinuxKvmH() throws IOException {
        assumeHeader(KVM_H);
        Map<String, Long> h = defines(KVM_H, "KVM_EXIT_");
        // Sub-type constants that share the prefix but are not kvm_run.exit_reason values.
        h.keySet().removeIf(n -> n.matches("KVM_EXIT_(HYPERV_(SYNIC|HCALL|SYNDBG)|XEN_HCALL|IO_IN|IO_OUT)|KVM_EXIT_.*_FLAG_.*"));
        assertTrue(h.size() > 30, "parsed too few KVM_EXIT_ defines: " + h.size());
        long max = h.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        List<String> bad = new ArrayList<>(headerToTable(h, KvmExitReasons.table()));
        bad.addAll(tableToHeader(h, KvmExitReasons.table(), "KVM_EXIT_", e -> e.code() > max));

        Map<String, Long> ie = defines(KVM_H, "KVM_INTERNAL_ERROR_");
        assertFalse(ie.isEmpty(), "no KVM_INTERNAL_ERROR_ defines parsed");
        long maxIe = ie.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        bad.addAll(headerToTable(ie, KvmExitReasons.internalErrors()));
        bad.addAll(tableToHeader(ie, KvmExitReasons.internalErrors(), "KVM_INTERNAL_ERROR_", e -> e.code() > maxIe));
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    /**
     * The kernel's own arch/x86/include/asm (vmx.h with vmxfeatures.h), from Debian's linux-headers-amd64
     * (test.sh installs it): the newest /usr/src/linux-headers-*-common that has both, if any.
     */
    static Optional<Path> kernelAsm() throws IOException {
        Path src = Path.of("/usr/src");
        if (!Files.isDirectory(src)) return Optional.empty();
        try (var dirs = Files.list(src)) {
            return dirs.filter(d -> d.getFileName().toString().matches("linux-headers-.*-common"))
                    .map(d -> d.resolve("arch/x86/include/asm"))
                    .filter(d -> Files.isReadable(d.resolve("vmx.h")) && Files.isReadable(d.resolve("vmxfeatures.h")))
                    .max(java.util.Comparator.comparing(Path::toString));
        }
    }

    /**
     * Control-bit defines of the kernel's vmx.h: literal values, and {@code VMCS_CONTROL_BIT(X)}, which is
     * {@code BIT(VMX_FEATURE_X & 0x1f)} with {@code #define VMX_FEATURE_X ( word*32+ bit)} in vmxfeatures.h.
     */
    static Map<String, Long> controlDefines(Path asm, String prefix) throws IOException {
        Map<String, Long> feature = new LinkedHashMap<>();
        Pattern f = Pattern.compile("^#define\\s+VMX_FEATURE_(\\w+)\\s+\\(\\s*(\\d+)\\s*\\*\\s*32\\s*\\+\\s*(\\d+)\\s*\\).*");
        for (String line : Files.readAllLines(asm.resolve("vmxfeatures.h"))) {
            Matcher m = f.matcher(line.strip());
            if (m.matches()) feature.put(m.group(1), Long.parseLong(m.group(2)) * 32 + Long.parseLong(m.group(3)));
        }
        Map<String, Long> out = new LinkedHashMap<>(defines(asm.resolve("vmx.h"), prefix));
        Pattern c = Pattern.compile("^#define\\s+(" + Pattern.quote(prefix) + "\\w*)\\s+VMCS_CONTROL_BIT\\((\\w+)\\).*");
        for (String line : Files.readAllLines(asm.resolve("vmx.h"))) {
            Matcher m = c.matcher(line.strip());
            if (!m.matches()) continue;
            Long bit = feature.get(m.group(2));
            assertTrue(bit != null, "vmxfeatures.h has no VMX_FEATURE_" + m.group(2) + " for " + m.group(1));
            out.put(m.group(1), 1L << (bit & 0x1f));
        }
        return out;
    }

    /**
     * Names older kernel headers spell differently from the current kernel source our table cites: Debian 12's
     * 6.1 headers still have SECONDARY_EXEC_XSAVES, which later kernels renamed SECONDARY_EXEC_ENABLE_XSAVES
     * (same bit 20, "enable XSAVES/XRSTORS", SDM vol. 3 table 25-7).
     */
    private static final Map<String, String> RENAMED = Map.of("SECONDARY_EXEC_XSAVES", "SECONDARY_EXEC_ENABLE_XSAVES");

    /**
     * VMCS control bit names (PIN_BASED_*, CPU_BASED_*, SECONDARY_EXEC_*, VM_EXIT_*, VM_ENTRY_*) live in the kernel's
     * non-uapi arch/x86/include/asm/vmx.h (linux-headers); the uapi vmx.h in /usr/include normally has exit
     * reasons only. Every single-bit define the header has must decode, in our layout, to the same name.
     */
    @Test
    void vmxControlNamesMatchTheKernelHeader() throws IOException {
        Optional<Path> asm = kernelAsm();
        Path where = asm.map(d -> d.resolve("vmx.h")).orElse(VMX_H);
        if (asm.isEmpty()) assumeHeader(VMX_H);
        Map<String, BitLayout> words = Map.of("PIN_BASED_", VmxControls.PIN, "CPU_BASED_", VmxControls.PROC,
                "SECONDARY_EXEC_", VmxControls.PROC2, "VM_EXIT_", VmxControls.EXIT, "VM_ENTRY_", VmxControls.ENTRY);
        List<String> bad = new ArrayList<>();
        int seen = 0;
        for (var w : words.entrySet()) {
            Map<String, Long> defs = asm.isPresent() ? controlDefines(asm.get(), w.getKey()) : defines(VMX_H, w.getKey());
            for (var e : defs.entrySet()) {
                if (Long.bitCount(e.getValue()) != 1) continue; // masks such as *_ALWAYSON_WITHOUT_TRUE_MSR
                seen++;
                var names = w.getValue().decode(e.getValue()).setNames();
                if (names.contains(RENAMED.getOrDefault(e.getKey(), e.getKey()))) continue;
                bad.add(e.getKey() + "=0x" + Long.toHexString(e.getValue()) + " decodes as " + names);
            }
        }
        assumeTrue(seen > 0, "assumption: " + where + " has no VMCS control bit defines (uapi header; install"
                + " linux-headers-amd64 for the kernel's own); names are cited from the kernel source instead");
        System.err.println("HeaderCrossCheckTest: " + seen + " VMCS control bits checked against " + where);
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }
}
