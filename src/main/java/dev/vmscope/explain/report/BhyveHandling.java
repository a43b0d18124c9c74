package dev.vmscope.explain.report;

import java.util.Map;
import java.util.Optional;

/**
 * What bhyve's kernel does with an SVM exit code, per the switch in FreeBSD sys/amd64/vmm/amd/svm.c
 * svm_vmexit(). Keyed by the SVM_EXIT_* names of the tables; codes not listed here fall to the default branch.
 */
final class BhyveHandling {
    private BhyveHandling() {}

    private static final String INJECT_UD = "handled in the kernel: bhyve injects #UD (vector 6) into the guest"
            + " (vm_inject_ud) and marks the exit handled, so it never reaches bhyve userspace; the guest sees #UD,"
            + " not #DB";

    private static final Map<String, String> SVM = Map.ofEntries(
            Map.entry("SVM_EXIT_ICEBP", INJECT_UD),
            Map.entry("SVM_EXIT_SHUTDOWN", INJECT_UD),
            Map.entry("SVM_EXIT_VMRUN", INJECT_UD),
            Map.entry("SVM_EXIT_VMMCALL", INJECT_UD),
            Map.entry("SVM_EXIT_VMLOAD", INJECT_UD),
            Map.entry("SVM_EXIT_VMSAVE", INJECT_UD),
            Map.entry("SVM_EXIT_STGI", INJECT_UD),
            Map.entry("SVM_EXIT_CLGI", INJECT_UD),
            Map.entry("SVM_EXIT_SKINIT", INJECT_UD),
            Map.entry("SVM_EXIT_INVLPGA", INJECT_UD),
            Map.entry("SVM_EXIT_INVD", "handled in the kernel: ignored (the instruction is skipped)"),
            Map.entry("SVM_EXIT_WBINVD", "handled in the kernel: ignored (the instruction is skipped)"),
            Map.entry("SVM_EXIT_MONITOR", "passed to bhyve userspace as VM_EXITCODE_MONITOR"),
            Map.entry("SVM_EXIT_MWAIT", "passed to bhyve userspace as VM_EXITCODE_MWAIT"));

    /** Handling of an SVM exit by name; unknown names get the default branch's behaviour. */
    static String svm(String name) {
        return Optional.ofNullable(SVM.get(name)).orElse("not one of the instruction intercepts handled inline;"
                + " intercepts without a case count VMEXIT_UNKNOWN and reach bhyve userspace as VM_EXITCODE_SVM,"
                + " where vmexit_svm() prints a 'vm exit[N]' block and stops the VM (usr.sbin/bhyve/amd64/vmexit.c)");
    }

    static boolean injectsUd(String name) { return INJECT_UD.equals(SVM.get(name)); }
}
