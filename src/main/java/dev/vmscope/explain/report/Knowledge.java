package dev.vmscope.explain.report;

import dev.vmscope.explain.parse.Vendor;
import dev.vmscope.facts.BhyveExitCodes;
import dev.vmscope.facts.BitLayout;
import dev.vmscope.facts.ExitQualifications;
import dev.vmscope.facts.SegmentAttributes;
import dev.vmscope.facts.BhyveStats;
import dev.vmscope.facts.EventInfo;
import dev.vmscope.facts.IoPorts;
import dev.vmscope.facts.Msrs;
import dev.vmscope.facts.ControlRegisters;
import dev.vmscope.facts.Decoded;
import dev.vmscope.facts.ExceptionVectors;
import dev.vmscope.facts.ExitCodeInfo;
import dev.vmscope.facts.KvmExitReasons;
import dev.vmscope.facts.SvmExitCodes;
import dev.vmscope.facts.VmcbIntercepts;
import dev.vmscope.facts.VmcbLayout;
import dev.vmscope.facts.VmxInstructionErrors;
import dev.vmscope.facts.VmxExitReasons;
import dev.vmscope.facts.VmxControls;

import java.util.Optional;

/**
 * The report's only door to the knowledge tables of dev.vmscope.facts (built on branch explain-tables).
 * Values no table covers are shown raw, never guessed.
 */
final class Knowledge {
    private Knowledge() {}

    /** Hardware exit code: SVM EXITCODE on AMD, VMX basic exit reason on Intel. */
    static Optional<ExitCodeInfo> exit(Vendor v, long code) {
        return switch (v) {
            case AMD -> SvmExitCodes.lookup(code);
            case INTEL -> VmxExitReasons.lookup(code);
            case UNKNOWN, ARM64 -> Optional.empty();
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

    /** EXITINTINFO / EVENTINJ (SVM) or interruption information (VMX). */
    static Optional<Decoded> eventInfo(Vendor v, long value) {
        return switch (v) {
            case AMD -> Optional.of(EventInfo.decodeSvm(value));
            case INTEL -> Optional.of(EventInfo.decodeVmx(value));
            case UNKNOWN, ARM64 -> Optional.empty();
        };
    }

    static Optional<Msrs.Msr> msr(long msr) { return Msrs.lookup(msr); }

    static Optional<IoPorts.Port> port(long port) {
        return port < 0 || port > 0xffff ? Optional.empty() : IoPorts.lookup((int) port);
    }

    /** bhyve vm_stat description to its VMM_STAT entry (identifier and what it really counts). */
    static Optional<BhyveStats.Stat> bhyveStat(String description) { return BhyveStats.byDescription(description); }

    /** VMCS pin-based / primary / secondary processor-based / VM-exit / VM-entry control word. */
    static Decoded vmxControls(VmxControls.Word w, long v) { return VmxControls.layout(w).decode(v & 0xffffffffL); }

    static Optional<VmxControls.Word> vmxControlWord(String bhyvectlName) { return VmxControls.byBhyvectlName(bhyvectlName); }

    static Optional<ExitCodeInfo> kvmExit(long code) { return KvmExitReasons.lookup(code); }

    static Optional<ExitCodeInfo> kvmExitByName(String name) { return KvmExitReasons.table().byName(name); }

    static Optional<ExceptionVectors.Vector> exception(int vector) { return ExceptionVectors.lookup(vector); }

    /** EXITINFO1 layout for the SVM exits that define one (IOIO, NPF). */
    static Optional<BitLayout> svmExitInfo1(long code) {
        return code == 0x7b ? Optional.of(ExitQualifications.SVM_IOIO)
                : code == 0x400 ? Optional.of(ExitQualifications.SVM_NPF) : Optional.empty();
    }

    static Optional<BitLayout> vmxQualification(long reason) {
        return ExitQualifications.forVmxReason((int) (reason & 0xffff));
    }

    static Optional<ExitCodeInfo> vmxInstructionError(long n) { return VmxInstructionErrors.lookup(n); }

    /** VMCB INT_CTL (V_TPR, V_IRQ, ...): the low 32 bits of bhyvectl's 8-byte "v_irq/tpr" read at offset 0x60. */
    static Decoded intCtl(long v) { return VmcbLayout.INT_CTL.decode(v & 0xffffffffL); }

    /** Segment access rights in the VMX layout (bhyvectl prints both vendors that way). */
    static Decoded accessRights(long ar) { return SegmentAttributes.decodeVmx(ar); }
}
