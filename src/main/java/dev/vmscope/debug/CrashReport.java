package dev.vmscope.debug;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.disasm.Disassembler;
import dev.vmscope.memory.MemoryRegion;
import dev.vmscope.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes what a developer needs after the VM died: a text report and a JSON twin (marked
 * {@code "format": "vmscope-crash-v1"} for {@code vmscope explain}), each written atomically as
 * {@code vmscope-crash-<pid>-<time>.txt/.json}. Every section is gathered on its own, so a failing part
 * (a vCPU whose state cannot be read, unmapped RIP) is reported in place and the rest still appears.
 */
public final class CrashReport {
    public static final String FORMAT = "vmscope-crash-v1";
    private static final int RECORDER_LAST = 32;

    /** What ended the VM. */
    public sealed interface Cause {
        int vcpu();
        String title();
        default byte[] instructionBytes() { return null; }
    }

    /** KVM_EXIT_SHUTDOWN on x86. */
    public record TripleFault(int vcpu) implements Cause {
        public String title() { return "triple fault (KVM_EXIT_SHUTDOWN)"; }
    }

    /**
     * KVM_EXIT_INTERNAL_ERROR; for suberror 1 (KVM_INTERNAL_ERROR_EMULATION) {@code insn} holds the bytes KVM
     * failed to emulate, when it reported them.
     */
    public record InternalError(int vcpu, int suberror, long[] data, byte[] insn) implements Cause {
        public String title() {
            String sub = switch (suberror) { // linux include/uapi/linux/kvm.h KVM_INTERNAL_ERROR_*
                case 1 -> "emulation failure";
                case 2 -> "simultaneous exceptions";
                case 3 -> "delivery event error";
                case 4 -> "unexpected exit reason";
                default -> "suberror " + suberror;
            };
            return "KVM internal error: " + sub;
        }
        @Override public byte[] instructionBytes() { return insn; }
    }

    /** KVM_EXIT_FAIL_ENTRY with hardware_entry_failure_reason (VMX: exit reason with bit 31 set; SVM: VMEXIT_INVALID). */
    public record EntryFailure(int vcpu, long hardwareReason, int hostCpu) implements Cause {
        public String title() { return String.format("VM entry failed: hardware reason 0x%x on host CPU %d", hardwareReason, hostCpu); }
    }

    /** An exit vmscope has no handler for. */
    public record UnhandledExit(int vcpu, int reason, String detail) implements Cause {
        public String title() { return "unhandled exit " + FlightRecorder.name(reason) + (detail.isEmpty() ? "" : ": " + detail); }
    }

    /** A bug in vmscope itself. */
    public record VmscopeError(int vcpu, Throwable error) implements Cause {
        public String title() { return "vmscope internal error: " + error; }
    }

    /** The files written. */
    public record Written(Path text, Path json) {}

    private final DebugTarget target;
    private final FlightRecorder recorder;
    private final Supplier<Map<String, Object>> stats;
    private final Supplier<String> statsText;
    private final Path dir;
    private final Clock clock;

    /** recorder and stats may be null. */
    public CrashReport(DebugTarget target, FlightRecorder recorder, Supplier<Map<String, Object>> stats, Path dir, Clock clock) {
        this(target, recorder, stats, null, dir, clock);
    }

    /** {@code statsText}, when given, is the human rendering of the statistics for the text report (the JSON keeps {@code stats}). */
    public CrashReport(DebugTarget target, FlightRecorder recorder, Supplier<Map<String, Object>> stats, Supplier<String> statsText,
                       Path dir, Clock clock) {
        this.target = target;
        this.recorder = recorder;
        this.stats = stats;
        this.statsText = statsText;
        this.dir = dir;
        this.clock = clock;
    }

    public Written write(Cause cause) throws IOException {
        Map<String, Object> json = Json.obj();
        StringBuilder txt = new StringBuilder();
        json.put("format", FORMAT);
        json.put("time", clock.instant().toString());
        json.put("pid", ProcessHandle.current().pid());
        txt.append("vmscope crash report ").append(clock.instant()).append('\n');
        txt.append("cause: ").append(cause.title()).append(cause.vcpu() >= 0 ? " (vCPU " + cause.vcpu() + ")" : "").append("\n\n");
        json.put("cause", cause(cause));
        Map<String, String> host = dev.vmscope.util.HostInfo.describe();
        json.put("host", new java.util.LinkedHashMap<String, Object>(host));
        txt.append("== host ==\n");
        host.forEach((k, val) -> txt.append(String.format("  %-15s %s%n", k, val)));
        txt.append('\n');

        List<Object> cpus = new ArrayList<>();
        for (int v = 0; v < target.vcpuCount(); v++) {
            Map<String, Object> m = Json.obj();
            m.put("vcpu", v);
            txt.append("== vCPU ").append(v).append(" ==\n");
            try {
                CpuState s = target.state(v);
                CrashSections.registers(s, m, txt);
                byte[] insn = v == cause.vcpu() && cause.instructionBytes() != null ? cause.instructionBytes() : null;
                CrashSections.code(target, v, s, insn, m, txt);
            } catch (RuntimeException e) {
                m.put("error", "state unavailable: " + e);
                txt.append("  state unavailable: ").append(e).append('\n');
            }
            cpus.add(m);
            txt.append('\n');
        }
        json.put("vcpus", cpus);

        List<Object> regions = new ArrayList<>();
        txt.append("== memory map ==\n");
        for (MemoryRegion r : target.memory().regions()) {
            Map<String, Object> m = Json.obj();
            m.put("kind", r.kind().id());
            m.put("start", hex(r.gpa()));
            m.put("end", hex(r.end() - 1));
            m.put("size", r.size());
            regions.add(m);
            txt.append(String.format("  %s 0x%016x-0x%016x (%d KiB)%n", r.kind(),
                    r.gpa(), r.end() - 1, r.size() / 1024));
        }
        json.put("memory", regions);

        if (recorder != null) {
            json.put("recent_exits", recorder.toJson(RECORDER_LAST));
            txt.append("\n== last exits (flight recorder) ==\n").append(recorder.dump(RECORDER_LAST));
        }
        if (stats != null) {
            txt.append("\n== exit statistics ==\n");
            try {
                Map<String, Object> st = stats.get();
                json.put("stats", st);
                if (statsText != null) txt.append(statsText.get().indent(2));
                else st.forEach((k, val) -> txt.append("  ").append(k).append(": ").append(val).append('\n'));
            } catch (RuntimeException e) {
                json.put("stats", "unavailable: " + e);
                txt.append("  unavailable: ").append(e).append('\n');
            }
        }

        String base = "vmscope-crash-" + ProcessHandle.current().pid() + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC).format(clock.instant());
        Files.createDirectories(dir); // --crash-dir may name a directory that does not exist yet
        Path t = dir.resolve(base + ".txt");
        for (int i = 1; Files.exists(t); i++) t = dir.resolve(base = base.replaceAll("-\\d+$", "") + "-" + i + ".txt");
        Path j = dir.resolve(base + ".json");
        AtomicFiles.writeString(j, Json.write(json) + "\n");
        AtomicFiles.writeString(t, txt.toString());
        return new Written(t, j);
    }

    private static Map<String, Object> cause(Cause c) {
        Map<String, Object> m = Json.obj();
        m.put("kind", c.getClass().getSimpleName());
        m.put("title", c.title());
        m.put("vcpu", c.vcpu());
        String exit = switch (c) { // the KVM exit that ended the VM (include/uapi/linux/kvm.h KVM_EXIT_*)
            case TripleFault t -> "KVM_EXIT_SHUTDOWN";
            case InternalError ie -> "KVM_EXIT_INTERNAL_ERROR";
            case EntryFailure ef -> "KVM_EXIT_FAIL_ENTRY";
            case UnhandledExit ue -> FlightRecorder.name(ue.reason());
            case VmscopeError ve -> null;
        };
        if (exit != null) m.put("exit", exit);
        switch (c) {
            case InternalError ie -> {
                m.put("suberror", ie.suberror());
                List<Object> d = new ArrayList<>();
                if (ie.data() != null) for (long x : ie.data()) d.add(hex(x));
                m.put("data", d);
                if (ie.insn() != null) m.put("insn_bytes", HexFormat.ofDelimiter(" ").formatHex(ie.insn()));
            }
            case EntryFailure ef -> {
                m.put("hardware_entry_failure_reason", hex(ef.hardwareReason()));
                m.put("host_cpu", ef.hostCpu());
            }
            case UnhandledExit ue -> m.put("exit_reason", FlightRecorder.name(ue.reason()));
            case VmscopeError ve -> {
                List<Object> st = new ArrayList<>();
                for (StackTraceElement e : ve.error().getStackTrace()) st.add(e.toString());
                m.put("stack", st);
            }
            default -> { }
        }
        return m;
    }

    static String hex(long v) { return String.format("0x%x", v); }

    /** Disassembly of {@code bytes}, or raw bytes and the reason when Capstone is not there. */
    static List<String> disassemble(byte[] bytes, long address, int bits) {
        List<String> out = new ArrayList<>();
        var dis = Disassembler.capstone();
        if (dis.isEmpty()) {
            out.add("Capstone unavailable: " + Disassembler.unavailableReason());
            out.add(String.format("0x%x: %s", address, HexFormat.ofDelimiter(" ").formatHex(bytes)));
            return out;
        }
        for (Disassembler.Insn i : dis.get().disassemble(bytes, address, bits, 4))
            out.add(String.format("0x%x: %-24s %s", i.address(), HexFormat.ofDelimiter(" ").formatHex(i.bytes()), i.text()));
        if (out.isEmpty()) out.add(String.format("0x%x: %s (not decodable)", address, HexFormat.ofDelimiter(" ").formatHex(bytes)));
        return out;
    }
}
