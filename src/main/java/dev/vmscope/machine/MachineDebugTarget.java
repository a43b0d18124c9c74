package dev.vmscope.machine;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.debug.DebugTarget;
import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.debug.StopEvent;
import dev.vmscope.debug.Translator;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.vcpu.Vcpu;
import dev.vmscope.vcpu.VcpuHooks;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The debugger's view of a real machine (all-stop). Pausing asks every vCPU to leave KVM_RUN and park
 * in its runtime; breakpoints, watchpoints and single-step are KVM_SET_GUEST_DEBUG; a KVM_EXIT_DEBUG
 * pauses the whole VM and posts a {@link StopEvent} once every vCPU is parked.
 * <p>On hosts whose debug registers never fire on data accesses ({@link DebugCapabilities#dataBreakpoints()}
 * false) write watchpoints are emulated: every running vCPU single-steps and the watched bytes are compared
 * after each instruction ({@link SteppedWatch}).
 */
final class MachineDebugTarget implements DebugTarget {
    /** DR6.BS, single-step (Intel SDM Vol. 3B 18.2.3). */
    private static final long DR6_BS = 1L << 14;

    private final Machine m;
    private final DebugCapabilities caps;
    private final Translator translator;
    private final LinkedBlockingQueue<StopEvent> events = new LinkedBlockingQueue<>();
    private final GuestDebug[] config;
    private final SteppedWatch watch;
    private volatile int stepping = -1;
    private final java.util.concurrent.atomic.AtomicBoolean finalPosted = new java.util.concurrent.atomic.AtomicBoolean();

    MachineDebugTarget(Machine m, DebugCapabilities caps, Translator translator) {
        this.m = m;
        this.caps = caps;
        this.translator = translator;
        this.config = new GuestDebug[m.vcpus().size()];
        this.watch = caps.dataBreakpoints() ? null : new SteppedWatch(m.memory(), translator);
        java.util.Arrays.fill(config, GuestDebug.OFF);
        for (CpuRuntime rt : m.runtimes()) rt.setDebugHooks(new Hooks());
        m.onStop(this::postFinal);
    }

    /** Posts the VM's end (Fatal or Exited) once, after the machine stopped. */
    void postFinal() {
        if (finalPosted.getAndSet(true)) return;
        if (m.fatal() != null) events.add(new StopEvent.Fatal(m.fatal().vcpu(), m.stopMessage()));
        else events.add(new StopEvent.Exited(m.status()));
    }

    @Override public int vcpuCount() { return m.vcpus().size(); }

    @Override public CpuState state(int vcpu) { return m.vcpus().get(vcpu).cpu().state(); }

    @Override public void setState(int vcpu, CpuState state) { m.vcpus().get(vcpu).cpu().setState(state); }

    /** With --bios, what the CPU sees: the ROM at 4 GiB and the PAM-selected BIOS window (Firmware.view). */
    @Override public GuestMemory memory() { return m.firmware() == null ? m.memory() : m.firmware().view(m.memory()); }

    @Override public Translator translator() { return translator; }

    @Override public void pause() {
        for (Vcpu v : m.vcpus()) v.requestPause(true);
        awaitParked();
    }

    /**
     * Waits until every live vCPU is parked (or the VM stops), kicking the ones still running. It does not give up:
     * pause() promises parked vCPUs, so a vCPU that takes longer than {@link #PARK_WARN_MILLIS} is named on the
     * console with what its thread is doing, and the wait goes on.
     */
    private void awaitParked() {
        long start = System.nanoTime(), nextWarn = PARK_WARN_MILLIS;
        for (int i = 0; i < m.vcpus().size(); i++) {
            Vcpu v = m.vcpus().get(i);
            CpuRuntime rt = m.runtimes().get(i);
            while (!rt.parked() && v.thread() != null && v.thread().isAlive() && !m.stopping()) {
                v.kick();
                long waited = (System.nanoTime() - start) / 1_000_000;
                if (waited >= nextWarn) {
                    StackTraceElement[] st = v.thread().getStackTrace();
                    m.diag().println("vmscope: gdb: vCPU " + v.id() + " has not paused after " + waited + " ms (thread "
                            + v.thread().getState() + (st.length > 0 ? " in " + st[0] : "") + "); still waiting");
                    nextWarn = waited + 30_000;
                }
                try { Thread.sleep(1); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
            }
        }
    }

    static final long PARK_WARN_MILLIS = 5000;

    @Override public void resume() {
        stepping = -1;
        armWatch();
        for (Vcpu v : m.vcpus()) v.requestPause(false);
        for (CpuRuntime rt : m.runtimes()) rt.kick();
    }

    @Override public void step(int vcpu) {
        stepping = vcpu;
        armWatch();
        apply(vcpu, config[vcpu], true);
        Vcpu v = m.vcpus().get(vcpu);
        v.requestPause(false);
        m.runtimes().get(vcpu).kick();
    }

    /** Takes the emulated watchpoints' snapshot while every vCPU is still paused. */
    private void armWatch() {
        if (watch != null) watch.arm(config[0]);
    }

    @Override public void setGuestDebug(int vcpu, GuestDebug debug) {
        config[vcpu] = debug;
        apply(vcpu, debug, debug.singleStep());
    }

    private void apply(int vcpu, GuestDebug d, boolean singleStep) {
        GuestDebug hw = watch == null ? d : SteppedWatch.executeOnly(d);
        boolean emulate = watch != null && SteppedWatch.hasWatch(d);
        // GDB's stepi must not land in an interrupt handler; the emulation steps must let interrupts in.
        m.vcpus().get(vcpu).cpu().setGuestDebug(new GuestDebug(singleStep || emulate, d.softwareBreakpoints(), hw.slots(), d.watches()),
                singleStep);
    }

    @Override public DebugCapabilities capabilities() { return caps; }

    @Override public StopEvent awaitStop(long timeoutMillis) throws InterruptedException {
        return events.poll(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
    }

    @Override public void kill() { m.stop(0, "killed by the debugger", null); }

    /** Turns a debug exit into a stop event: pause everyone, then post from another thread once all are parked. */
    private final class Hooks implements VcpuHooks {
        @Override public boolean onDebug(Vcpu v, VcpuExit.Debug d) {
            GuestDebug cfg = config[v.id()];
            boolean stepped = stepping == v.id();
            StopEvent e = null;
            if (watch != null && SteppedWatch.hasWatch(cfg)) {
                e = watch.check(v.id());
                boolean onlyStep = (d.dr6() & 0xf) == 0 && d.exception() == 1 && (d.dr6() & DR6_BS) != 0;
                if (e == null && onlyStep && !stepped) return true; // an emulation step with nothing changed: run on
            }
            if (e == null) e = StopEvent.fromDebugExit(v.id(), d.exception(), d.pc(), d.dr6(), d.watch(),
                    stepped ? cfg.withSingleStep(true) : cfg);
            if (stepped) {
                stepping = -1;
                apply(v.id(), config[v.id()], config[v.id()].singleStep());
            }
            for (Vcpu o : m.vcpus()) o.requestPause(true);
            StopEvent ev = e;
            Thread.ofVirtual().start(() -> { awaitParked(); events.add(ev); });
            return true;
        }
    }
}
