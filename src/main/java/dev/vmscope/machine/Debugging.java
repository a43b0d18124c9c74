package dev.vmscope.machine;

import dev.vmscope.hypervisor.ExitReason;
import dev.vmscope.debug.CrashReport;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.debug.DebugOptions;
import dev.vmscope.debug.ElfCoreWriter;
import dev.vmscope.debug.FlightRecorder;
import dev.vmscope.debug.GdbServer;
import dev.vmscope.debug.MonitorCommands;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.vcpu.ExitSummary;
import dev.vmscope.vcpu.Vcpu;
import dev.vmscope.vcpu.VcpuHooks;
import dev.vmscope.vcpu.VmStop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;

/**
 * Everything a machine offers for debugging: the always-on flight recorder, crash reports on fatal
 * stops, ELF cores on request, and the GDB server.
 */
public final class Debugging implements AutoCloseable {
    /** Hidden switch for measuring the recorder's cost: -Dvmscope.recorder=off leaves it empty. */
    static final boolean RECORDER_ON = !"off".equals(System.getProperty("vmscope.recorder"));

    private final Machine m;
    private final FlightRecorder recorder;
    private final MachineDebugTarget target;
    private final String probeEvidence;
    private volatile GdbServer gdb;

    Debugging(Machine m, DebugCapabilities caps, String probeEvidence) {
        this.m = m;
        this.probeEvidence = probeEvidence;
        this.recorder = new FlightRecorder(m.vcpus().size());
        this.target = new MachineDebugTarget(m, caps, new PageTranslator(m));
        if (RECORDER_ON) for (CpuRuntime rt : m.runtimes()) rt.setRecorder(new Recording());
    }

    public FlightRecorder recorder() { return recorder; }

    /** The GDB server's bound port (useful with port 0), or -1 when no server runs. */
    public int gdbPort() { return gdb == null ? -1 : gdb.port(); }

    MachineDebugTarget target() { return target; }

    /** Starts the GDB server if asked; with --gdb-wait every vCPU starts paused. */
    void startGdb(DebugOptions opt) throws IOException {
        if (opt.gdb() == null) return;
        if (opt.gdbWait()) for (Vcpu v : m.vcpus()) v.requestPause(true);
        MonitorCommands.Sources sources = new MonitorCommands.Sources(this::statsText, m::interruptControllerState, recorder);
        gdb = GdbServer.start(opt, target, sources, s -> m.diag().println("vmscope: " + s));
        if (!target.capabilities().softwareBreakpoints())
            m.diag().println("vmscope: gdb: this host's KVM does not deliver int3 intercepts (KVM_GUESTDBG_USE_SW_BP; "
                    + probeEvidence + "); GDB's software breakpoints use the 4 hardware debug registers instead");
        if (!target.capabilities().dataBreakpoints())
            m.diag().println("vmscope: gdb: this host's debug registers do not fire on data accesses (" + probeEvidence
                    + "); write watchpoints are emulated by single-stepping every vCPU (slow; a store of an unchanged value "
                    + "goes unseen), read/access watchpoints are refused");
    }

    private String statsText() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ExitSummary.print(new PrintStream(b, true), m.stats(), m.wallNanos(), m.busCounters());
        return b.toString();
    }

    /** After the VM stopped: crash report for fatal stops, ELF core when asked. Vcpus are no longer running. */
    void afterStop(DebugOptions opt) {
        VmStop.Fatal f = m.fatal();
        if (f != null) {
            try {
                CrashReport.Written w = new CrashReport(target, recorder,
                        () -> ExitSummary.json(m.stats(), m.wallNanos(), m.status(), m.stopMessage(), m.busCounters()), () -> "stop: " + m.stopMessage() + "\n" + statsText(), opt.crashDir(),
                        Clock.systemUTC()).write(cause(f));
                m.diag().println("vmscope: crash report written: " + w.text() + " and " + w.json());
            } catch (IOException | RuntimeException e) {
                m.diag().println("vmscope: could not write the crash report: " + e.getMessage());
            }
        }
        if (opt.dumpCore() != null && (f != null || opt.gdb() == null)) {
            try {
                ElfCoreWriter.write(target, opt.dumpCore());
                m.diag().println("vmscope: ELF core written: " + opt.dumpCore());
            } catch (IOException | RuntimeException e) {
                m.diag().println("vmscope: could not write the ELF core: " + e.getMessage());
            }
        }
        holdForDebugger(f != null);
    }

    /**
     * With GDB connected when the VM ends, the stop reply must reach it before the machine is closed; after a
     * fatal stop GDB may go on reading the dead VM's registers and memory until it detaches or disconnects.
     */
    private void holdForDebugger(boolean fatal) {
        GdbServer g = gdb;
        if (g == null || !g.connected()) return;
        target.postFinal();
        try {
            if (fatal) {
                m.diag().println("vmscope: gdb: the VM is dead; GDB can still read its registers and memory (detach, kill or quit GDB to exit)");
                g.awaitDisconnect(0);
            } else {
                g.awaitDisconnect(5000); // GDB closes a plain remote connection once the inferior exited
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CrashReport.Cause cause(VmStop.Fatal f) {
        return switch (f.exit()) {
            case VcpuExit.Shutdown s -> new CrashReport.TripleFault(f.vcpu());
            case VcpuExit.InternalError e -> new CrashReport.InternalError(f.vcpu(), e.suberror(), e.data(), e.insn());
            case VcpuExit.FailEntry e -> new CrashReport.EntryFailure(f.vcpu(), e.hardwareReason(), e.cpu());
            case null -> new CrashReport.VmscopeError(f.vcpu(), new IllegalStateException(f.detail()));
            default -> new CrashReport.UnhandledExit(f.vcpu(), f.exit().code(), f.detail());
        };
    }

    /** Feeds every exit into the flight recorder: a few stores, no allocation. */
    private final class Recording implements VcpuHooks {
        @Override public void afterExit(Vcpu v, VcpuExit exit, long guestNanos, long handleNanos) {
            long rip = v.cpu().exitRip();
            long now = System.nanoTime();
            switch (exit) {
                case VcpuExit.IoIn in -> recorder.record(v.id(), now, ExitReason.IO, rip, in.port(), in.size(), in.count());
                case VcpuExit.IoOut out -> recorder.record(v.id(), now, ExitReason.IO, rip, out.port(),
                        out.size() | 1 << 8, out.count() == 1 ? out.value(0) : out.count());
                case VcpuExit.MmioRead r -> recorder.record(v.id(), now, ExitReason.MMIO, rip, r.address(), r.length(), 0);
                case VcpuExit.MmioWrite w -> recorder.record(v.id(), now, ExitReason.MMIO, rip, w.address(), w.length() | 1 << 8, w.value());
                case VcpuExit.Debug d -> recorder.record(v.id(), now, ExitReason.DEBUG, rip, d.dr6(), d.dr7(), d.exception());
                case VcpuExit.FailEntry f -> recorder.record(v.id(), now, ExitReason.FAIL_ENTRY, rip, f.hardwareReason(), f.cpu(), 0);
                case VcpuExit.InternalError e -> recorder.record(v.id(), now, ExitReason.INTERNAL_ERROR, rip, e.suberror(),
                        e.data().length, e.data().length > 0 ? e.data()[0] : 0);
                case VcpuExit.SystemEvent s -> recorder.record(v.id(), now, ExitReason.SYSTEM_EVENT, rip, s.type(), 0, 0);
                case VcpuExit.RdMsr r -> recorder.record(v.id(), now, ExitReason.X86_RDMSR, rip, r.index(), 0, 0);
                case VcpuExit.WrMsr w -> recorder.record(v.id(), now, ExitReason.X86_WRMSR, rip, w.index(), 0, w.value());
                default -> recorder.record(v.id(), now, exit.code(), rip, 0, 0, 0);
            }
        }
    }

    @Override public void close() {
        if (gdb != null) {
            try { gdb.close(); } catch (IOException e) { /* closing anyway */ }
        }
    }
}
