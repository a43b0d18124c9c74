package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.explain.tables.BhyveExitCodes;
import dev.vmscope.explain.tables.ControlRegisters;
import dev.vmscope.explain.tables.Decoded;
import dev.vmscope.explain.tables.ExceptionVectors;
import dev.vmscope.explain.tables.ExitCodeInfo;
import dev.vmscope.explain.tables.KvmExitReasons;
import dev.vmscope.explain.tables.SvmExitCodes;
import dev.vmscope.explain.tables.VmcbIntercepts;
import dev.vmscope.explain.tables.VmxExitReasons;

import java.util.Optional;

/**
 * The report's only door to the knowledge tables of dev.vmscope.explain.tables (built on branch explain-tables).
 * Methods marked HOOK(explain-tables) wait for tables that have not landed yet and return empty, so the report
 * says "not decoded" instead of guessing.
 */
final class Knowledge {
    private Knowledge() {}

    /** Hardware exit code: SVM EXITCODE on AMD, VMX basic exit reason on Intel. */
    static Optional<ExitCodeInfo> exit(Vendor v, long code) {
        return switch (v) {
            case AMD -> SvmExitCodes.lookup(code);
            case INTEL -> VmxExitReasons.lookup(code);
            case UNKNOWN -> Optional.empty();
        };
    }

    static Optional<ExitCodeInfo> svmByName(String name) { return SvmExitCodes.table().byName(name); }

    static Optional<ExitCodeInfo> vmxByName(String name) { return VmxExitReasons.table().byName(name); }

    static Optional<ExitCodeInfo> bhyveExit(long code) { return BhyveExitCodes.lookup(code); }

    static Optional<ExitCodeInfo> kvmInternalError(long suberror) { return KvmExitReasons.internalError(suberror); }

    static Decoded rflags(long v) { return ControlRegisters.RFLAGS.decode(v); }

    static Decoded cr0(long v) { return ControlRegisters.CR0.decode(v); }

    static Decoded cr4(long v) { return ControlRegisters.CR4.decode(v); }

    static Decoded efer(long v) { return ControlRegisters.EFER.decode(v); }

    static Decoded vmcb(VmcbIntercepts.Word w, long v) { return VmcbIntercepts.layout(w).decode(v); }

    static Decoded exceptionBitmap(long v) { return ExceptionVectors.BITMAP.decode(v); }

    /** "#UD" etc. */
    static String vector(int v) { return ExceptionVectors.label(v); }

    static Optional<ExceptionVectors.Vector> vectorInfo(int v) { return ExceptionVectors.lookup(v); }

    /** HOOK(explain-tables): EXITINTINFO / EVENTINJ (SVM) and IDT-vectoring / interruption info (VMX) layouts. */
    static Optional<Decoded> eventInfo(Vendor v, long value) { return Optional.empty(); }

    /** HOOK(explain-tables): MSR names. */
    static Optional<String> msrName(long msr) { return Optional.empty(); }

    /** HOOK(explain-tables): I/O port names. */
    static Optional<String> portName(long port) { return Optional.empty(); }

    /** HOOK(explain-tables): bhyve vm_stat descriptions to VMM_STAT identifiers. */
    static Optional<String> bhyveStat(String description) { return Optional.empty(); }

    /** HOOK(explain-tables): VMCS execution/exit/entry control layouts. */
    static Optional<Decoded> vmcsControls(String field, long value) { return Optional.empty(); }

    static final String SOURCE_SVM_HANDLING = Cite.BHYVE_SVM;
}
