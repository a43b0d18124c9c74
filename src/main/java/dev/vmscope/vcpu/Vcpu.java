package dev.vmscope.vcpu;

import dev.vmscope.bus.Bus;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualCpu;

/**
 * One vCPU: its thread, its run loop and exit dispatch. Port I/O and MMIO go to the buses; the rep loop
 * of string I/O runs here so devices only ever see single accesses, and data moves only through the
 * exit's buffer (never guest RAX). No exception escapes the loop: anything unexpected stops the VM with a
 * diagnostic naming the exit, the vCPU and RIP.
 */
public final class Vcpu implements Runnable {
    private final VirtualCpu cpu;
    private final Bus pio;
    private final Bus mmio;
    private final VmStop vm;
    private final ExitStats stats;
    private final ExitTrace trace;
    private volatile VcpuHooks hooks = VcpuHooks.NONE;
    private volatile boolean pauseRequested;
    private Thread thread;

    public Vcpu(VirtualCpu cpu, Bus pio, Bus mmio, VmStop vm, ExitTrace trace) {
        this.cpu = cpu;
        this.pio = pio;
        this.mmio = mmio;
        this.vm = vm;
        this.trace = trace;
        this.stats = new ExitStats(cpu.id());
    }

    public int id() { return cpu.id(); }

    /** The backend's vCPU (KVM or the software CPU). */
    public VirtualCpu cpu() { return cpu; }

    public ExitStats stats() { return stats; }

    public void setHooks(VcpuHooks h) { hooks = h; }

    public synchronized Thread start() {
        thread = Thread.ofPlatform().name("vcpu" + id()).daemon(true).start(this);
        return thread;
    }

    /** Deterministic mode: this vCPU runs on {@link RoundRobin}'s thread, shared with the others. */
    synchronized void adoptThread(Thread t) { thread = t; }

    public Thread thread() { return thread; }

    /** From any thread: make the vCPU leave the guest (KVM_RUN, or the software CPU's loop) and look at its flags. */
    public void kick() { cpu.kick(); }

    public void requestPause(boolean pause) {
        pauseRequested = pause;
        if (pause) kick();
    }

    public boolean pauseRequested() { return pauseRequested; }

    @Override public void run() {
        try {
            CurrentVcpu.set(id());
            cpu.attachThread();
            loop();
        } catch (Throwable t) {
            vm.stop(ExitStatus.INTERNAL, "vCPU " + id() + ": vmscope internal error: " + t + where(t),
                    new VmStop.Fatal(id(), "internal-error", t.toString() + where(t), null));
        } finally {
            try { cpu.detachThread(); } catch (Throwable ignored) { /* the thread is ending anyway */ }
        }
    }

    private static String where(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length == 0 ? "" : " at " + st[0].getFileName() + ":" + st[0].getLineNumber();
    }

    private void loop() {
        while (!vm.stopping()) {
            if (pauseRequested) {
                hooks.onPause(this);
                continue;
            }
            if (runOnce(-1) == STOPPED) return;
        }
    }

    /** A round ended this vCPU's part: the VM is stopping (the exit's handling said so). */
    static final VcpuExit STOPPED = new VcpuExit.Unsupported(-1);

    /**
     * One entry into the guest and the handling of its exit: {@code budget} instructions at most (deterministic
     * mode), or until any exit when negative. Returns the exit, null when {@link VcpuHooks#beforeRun} said not
     * to run, or {@link #STOPPED} when the exit stopped the VM.
     */
    VcpuExit runOnce(long budget) {
        if (!hooks.beforeRun(this)) return null;
        long t0 = System.nanoTime();
        VcpuExit exit = budget < 0 ? cpu.run() : cpu.run(budget);
        long t1 = System.nanoTime();
        if (exit instanceof VcpuExit.BudgetUsed) return exit;   // the scheduler's, not the guest's: not counted
        boolean go = handle(exit);
        long t2 = System.nanoTime();
        account(exit, t1 - t0, t2 - t1);
        hooks.afterExit(this, exit, t1 - t0, t2 - t1);
        return go ? exit : STOPPED;
    }

    /** Deterministic mode: never blocks; false while the vCPU is halted with nothing to wake it, or waits for SIPI. */
    boolean runnable() { return hooks.runnable(this); }

    VcpuHooks hooks() { return hooks; }

    private void account(VcpuExit exit, long guest, long handle) {
        stats.exit(exit.code(), guest, handle);
        switch (exit) {
            case VcpuExit.IoIn in -> stats.port(in.port(), true, guest, handle);
            case VcpuExit.IoOut out -> stats.port(out.port(), false, guest, handle);
            case VcpuExit.MmioRead r -> stats.mmio(mmioName(r.address()), guest, handle);
            case VcpuExit.MmioWrite w -> stats.mmio(mmioName(w.address()), guest, handle);
            default -> { }
        }
    }

    private String mmioName(long addr) {
        Bus.Entry e = mmio.lookup(addr);
        return e == null ? "unclaimed" : e.name();
    }

    /** Handles one exit; false ends this vCPU's loop (the VM is stopping). */
    boolean handle(VcpuExit exit) {
        switch (exit) {
            case VcpuExit.IoIn in -> {
                byte[] data = PortIo.in(pio, in.port(), in.size(), in.count());
                cpu.completeIn(data);
                if (trace != null) trace.io(id(), true, in.port(), in.size(), in.count(), data);
            }
            case VcpuExit.IoOut out -> {
                PortIo.out(pio, out);
                if (trace != null) trace.io(id(), false, out.port(), out.size(), out.count(), out.data());
            }
            case VcpuExit.MmioRead r -> {
                int len = r.length();
                long v = validSize(len) ? mmio.read(r.address(), len) : Bus.ones(Math.min(len, 8));
                cpu.completeMmioRead(v);
                if (trace != null) trace.mmio(id(), false, r.address(), len, v);
            }
            case VcpuExit.MmioWrite w -> {
                if (validSize(w.length())) mmio.write(w.address(), w.length(), w.value());
                if (trace != null) trace.mmio(id(), true, w.address(), w.length(), w.value());
            }
            case VcpuExit.Interrupted i -> { if (trace != null) trace.simple(id(), exit, ""); }
            case VcpuExit.IrqWindowOpen w -> { if (trace != null) trace.simple(id(), exit, ""); }
            case VcpuExit.Hlt h -> {
                if (trace != null) trace.simple(id(), exit, "");
                if (!hooks.onHalt(this)) {
                    vm.stop(ExitStatus.HALTED_FOREVER, Diagnostics.halted(this), null);
                    return false;
                }
            }
            case VcpuExit.Debug d -> {
                if (trace != null) trace.simple(id(), exit, String.format("pc=0x%x dr6=0x%x", d.pc(), d.dr6()));
                if (!hooks.onDebug(this, d)) return fatal(exit, "unexpected debug exit");
            }
            case VcpuExit.RdMsr r -> {
                Long v = hooks.onMsr(this, exit);
                cpu.completeMsr(v == null, v == null ? 0 : v);
                if (trace != null) trace.simple(id(), exit, String.format("msr=0x%x %s", r.index(),
                        v == null ? "#GP (not handled)" : String.format("data=0x%x", v)));
            }
            case VcpuExit.WrMsr w -> {
                Long v = hooks.onMsr(this, exit);
                cpu.completeMsr(v == null, 0);
                if (trace != null) trace.simple(id(), exit, String.format("msr=0x%x data=0x%x%s", w.index(), w.value(),
                        v == null ? " #GP (not handled)" : ""));
            }
            case VcpuExit.SystemEvent s -> {
                if (trace != null) trace.simple(id(), exit, "type=" + s.type());
                // KVM_SYSTEM_EVENT_SHUTDOWN = 1, RESET = 2 (include/uapi/linux/kvm.h)
                if (s.type() == 1) { vm.stop(ExitStatus.OK, "guest powered off (KVM system event)", null); return false; }
                if (s.type() == 2) { vm.stop(ExitStatus.OK, "guest requested a reset (KVM system event); vmscope does not reboot", null); return false; }
                return fatal(exit, "unhandled system event " + s.type());
            }
            case VcpuExit.Shutdown s -> {
                if (trace != null) trace.simple(id(), exit, "");
                vm.stop(ExitStatus.GUEST_SHUTDOWN, Diagnostics.describe(this, exit, "triple fault"),
                        new VmStop.Fatal(id(), "triple-fault", "KVM_EXIT_SHUTDOWN", exit));
                return false;
            }
            default -> {
                if (trace != null) trace.simple(id(), exit, "");
                return fatal(exit, null);
            }
        }
        return true;
    }

    private static boolean validSize(int len) { return len == 1 || len == 2 || len == 4 || len == 8; }

    private boolean fatal(VcpuExit exit, String why) {
        String kind = switch (exit) {
            case VcpuExit.InternalError e -> "internal-error";
            case VcpuExit.FailEntry e -> "entry-failure";
            default -> "unhandled-exit";
        };
        String msg = Diagnostics.describe(this, exit, why);
        vm.stop(ExitStatus.VMM_FATAL, msg, new VmStop.Fatal(id(), kind, msg, exit));
        return false;
    }

    @Override public String toString() { return "vCPU " + id(); }
}
