package dev.vmscope.explain.parse;

import java.util.List;
import java.util.Map;

/**
 * A vmscope crash report (dev.vmscope.debug.CrashReport), read from its JSON twin ({@code "format":
 * "vmscope-crash-v1"}) or from the text report. Numbers the report did not carry are absent from the maps; a
 * text report has no internal-error data words, a JSON report no mp_state.
 */
public record VmscopeCrashDump(String file, boolean json, String time, Cause cause, List<Cpu> cpus,
        List<Ram> memory, List<Recorder> recorders, Map<String, String> stats, List<ReasonCount> statsByReason,
        Map<String, String> host, List<Unparsed> unparsed) implements ParsedDump {

    /**
     * What ended the VM. {@code kind} is the CrashReport.Cause record name (TripleFault, InternalError,
     * EntryFailure, UnhandledExit, VmscopeError) or "unknown"; the other fields belong to one kind each.
     */
    public record Cause(String kind, String title, int vcpu, Integer suberror, List<Long> data, String insnBytes,
            Long hardwareReason, Integer hostCpu, String exitReason, List<String> stack, int line) {}

    /** One vCPU's state; {@code regs} holds GPRs, rip, rflags, cr0-cr8, efer, dr6, dr7 by lower-case name. */
    public record Cpu(int vcpu, Map<String, Long> regs, List<Segment> segments, Table gdt, Table idt,
            String events, String mpState, Integer modeBits, List<String> code, String codeSource, String error,
            int line) {}

    /** attributes: bits 8..23 of the descriptor's high dword (type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15). */
    public record Segment(String name, int selector, long base, long limit, int attributes, int line) {}

    /** GDTR / IDTR. */
    public record Table(long base, long limit) {}

    /** A guest memory region; {@code kind} "ram" or "rom" (firmware image and its PAM alias). */
    public record Ram(long start, long end, String kind, int line) {}

    /** The flight recorder's ring for one vCPU: {@code total} exits seen, the last ones kept. */
    public record Recorder(int vcpu, long total, List<Exit> exits, int line) {}

    /** One recorded exit: KVM exit reason name as FlightRecorder spells it, and its one-line detail. */
    public record Exit(long nanos, String reason, long rip, String detail, int line) {}

    /** Exit statistics by KVM exit reason, summed over vCPUs. */
    public record ReasonCount(String reason, long count) {}

    @Override
    public Format format() { return Format.VMSCOPE_CRASH; }

    /**
     * The host CPU vendor the report records (vmscope writes /proc/cpuinfo's vendor_id since it has a "host"
     * section); for older reports, known only for an entry failure: VMX sets bit 31 of the exit reason, SVM
     * reports VMEXIT_INVALID (-1).
     */
    @Override
    public Vendor vendor() {
        Vendor h = hostVendor();
        if (h != Vendor.UNKNOWN) return h;
        if (cause == null || cause.hardwareReason() == null) return Vendor.UNKNOWN;
        long hw = cause.hardwareReason();
        if (hw == -1L || hw == 0xffffffffL) return Vendor.AMD;
        return (hw & 0x80000000L) != 0 ? Vendor.INTEL : Vendor.UNKNOWN;
    }

    /** From the host section's cpu_vendor (CPUID leaf 0 vendor string), or UNKNOWN. */
    public Vendor hostVendor() {
        return switch (host.getOrDefault("cpu_vendor", "")) {
            case "GenuineIntel" -> Vendor.INTEL;
            case "AuthenticAMD", "HygonGenuine" -> Vendor.AMD;
            default -> Vendor.UNKNOWN;
        };
    }

    @Override
    public int recognized() {
        return (cause != null ? 1 : 0) + cpus.size() + memory.size() + recorders.size() + stats.size() + host.size();
    }

    public Cpu cpu(int v) {
        for (Cpu c : cpus) if (c.vcpu() == v) return c;
        return null;
    }
}
