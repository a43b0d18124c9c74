package dev.vmscope.vcpu;

import dev.vmscope.hypervisor.ExitReason;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.VcpuExit;

import dev.vmscope.facts.KvmExitReasons;
import dev.vmscope.facts.SvmExitCodes;
import dev.vmscope.facts.VmxExitReasons;

import java.util.HexFormat;

/** One-paragraph diagnostics for exits that stop the VM: the exit decoded, the vCPU, RIP and CPU mode. */
public final class Diagnostics {
    private Diagnostics() {}

    /** A KVM_INTERNAL_ERROR_* suberror named and explained from the explain tables (include/uapi/linux/kvm.h). */
    static String suberror(int s) {
        return KvmExitReasons.internalError(s).map(i -> i.name() + " (" + s + "): " + i.meaning())
                .orElse("unknown suberror " + s);
    }

    /**
     * The hardware reason of a failed VM entry: on Intel a VMX basic exit reason with bit 31 set (SDM vol. 3C
     * 27.8), on AMD an SVM exit code such as VMEXIT_INVALID (APM vol. 2 15.5.1). The host's vendor decides.
     */
    static String entryFailure(long reason) {
        boolean amd = hostVendor().equals("AuthenticAMD");
        return (amd ? SvmExitCodes.lookup(reason) : VmxExitReasons.lookup(reason))
                .map(i -> i.name() + ": " + i.meaning() + " [" + i.source() + "]")
                .orElse((amd ? "SVM exit code" : "VMX exit reason") + " not in the tables");
    }

    private static String hostVendor() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")))
                if (line.startsWith("vendor_id")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (java.io.IOException | RuntimeException e) {
            // unknown vendor: Intel's table is the default
        }
        return "GenuineIntel";
    }

    /** The CPU mode from CR0.PE, EFER.LMA and CS.L/D (SDM vol. 3 2.2, AMD APM vol. 2 1.2). */
    public static String mode(CpuState s) {
        if ((s.cr0() & 1) == 0) return "real mode";
        if ((s.efer() & 0x400) != 0) return s.cs().longMode() ? "64-bit mode" : "compatibility mode";
        return s.cs().defaultBig() ? "32-bit protected mode" : "16-bit protected mode";
    }

    static String describe(Vcpu v, VcpuExit exit, String why) {
        StringBuilder sb = new StringBuilder("vCPU ").append(v.id()).append(" stopped: ");
        switch (exit) {
            case VcpuExit.Shutdown s -> sb.append("triple fault (KVM_EXIT_SHUTDOWN): an exception occurred while delivering a double fault");
            case VcpuExit.InternalError e -> {
                sb.append("KVM internal error, ").append(suberror(e.suberror()));
                if (e.insn().length > 0) sb.append("; instruction bytes ").append(HexFormat.ofDelimiter(" ").formatHex(e.insn()));
                if (e.data().length > 0) {
                    sb.append("; data");
                    for (long d : e.data()) sb.append(String.format(" 0x%x", d));
                }
            }
            case VcpuExit.FailEntry f -> sb.append(String.format(
                    "VM entry failed (KVM_EXIT_FAIL_ENTRY), hardware entry failure reason 0x%x on host CPU %d: %s",
                    f.hardwareReason(), f.cpu(), entryFailure(f.hardwareReason())));
            case VcpuExit.Unknown u -> sb.append(String.format("KVM_EXIT_UNKNOWN, hardware exit reason 0x%x", u.hardwareReason()));
            default -> sb.append("unhandled exit ").append(ExitReason.name(exit.code())).append(" (").append(exit.code())
                    .append(")").append(KvmExitReasons.lookup(exit.code()).map(i -> ": " + i.meaning()).orElse(""));
        }
        if (why != null) sb.append(" [").append(why).append("]");
        sb.append(registers(v));
        return sb.toString();
    }

    static String halted(Vcpu v) {
        return "vCPU " + v.id() + " executed HLT with nothing that can wake it (no interrupt source)" + registers(v);
    }

    private static String registers(Vcpu v) {
        try {
            CpuState s = v.cpu().state();
            return String.format("%n  at RIP 0x%x (CS 0x%x, %s), RSP 0x%x, RFLAGS 0x%x, CR0 0x%x, CR3 0x%x, CR4 0x%x, EFER 0x%x",
                    s.rip(), s.cs().selector(), mode(s), s.rsp(), s.rflags(), s.cr0(), s.cr3(), s.cr4(), s.efer());
        } catch (RuntimeException e) {
            return "\n  (registers unavailable: " + e.getMessage() + ")";
        }
    }
}
