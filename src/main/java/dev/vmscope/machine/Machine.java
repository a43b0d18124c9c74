package dev.vmscope.machine;

import dev.vmscope.bus.Bus;
import dev.vmscope.devices.VmControl;
import dev.vmscope.hypervisor.Hypervisor;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.loader.LoadResult;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.vcpu.ExitStats;
import dev.vmscope.vcpu.ExitStatus;
import dev.vmscope.vcpu.ExitTrace;
import dev.vmscope.vcpu.Vcpu;
import dev.vmscope.vcpu.VmStop;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A running PC machine: the backend's VM, guest RAM, the two buses and the vCPUs. It owns the VM's lifecycle:
 * the first stop request (guest exit, fatal exit, timeout) wins, every vCPU is kicked out of the guest,
 * and {@link #run()} returns the process status. {@link MachineBuilder} creates and wires it.
 */
public final class Machine implements AutoCloseable, VmStop, VmControl {
    private final MachineConfig config;
    private final Hypervisor hypervisor;
    private final VirtualMachine vm;
    private final GuestMemory memory;
    private final Arena ram;
    private final Bus pio;
    private final Bus mmio;
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final ExitTrace trace;
    private final PrintStream diag;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Runnable> onStop = new ArrayList<>();
    private volatile boolean stopping;
    private int status;
    private String stopMessage;
    private Fatal fatal;
    private long wallNanos;
    private final List<CpuRuntime> runtimes = new ArrayList<>();
    private UserIrqchip userIrqchip;
    private PcDevices devices;
    private Debugging debugging;
    private LoadResult loaded;
    private Firmware firmware;

    /** Takes ownership of the backend, its VM and the RAM arena (closed by {@link #close()}). */
    Machine(MachineConfig config, PrintStream diag, Hypervisor hypervisor, VirtualMachine vm, GuestMemory memory, Arena ram) {
        this.config = config;
        this.diag = diag;
        this.trace = config.trace() ? new ExitTrace(diag) : null;
        this.hypervisor = hypervisor;
        this.vm = vm;
        this.memory = memory;
        this.ram = ram;
        Bus.FaultReporter report = (bus, dev, off, size, write, e) -> diag.println(String.format(
                "vmscope: device fault: %s device '%s' %s of %d byte(s) at offset 0x%x threw %s (the access acts as unclaimed; "
                        + "further faults of this device are only counted)", bus, dev.name(), write ? "write" : "read", size, off, e));
        this.pio = new Bus("pio", report);
        this.mmio = new Bus("mmio", report);
    }

    /** Unclaimed accesses and device faults of both buses, for the exit summary and --stats-json. */
    public List<dev.vmscope.vcpu.ExitSummary.BusCounters> busCounters() {
        List<dev.vmscope.vcpu.ExitSummary.BusCounters> l = new ArrayList<>();
        for (Bus b : List.of(pio, mmio))
            l.add(new dev.vmscope.vcpu.ExitSummary.BusCounters(b.kind(), b.unclaimedReads(), b.unclaimedWrites(), b.faultsByDevice()));
        return l;
    }

    void setFirmware(Firmware f) { firmware = f; }

    /** The --bios image's mapping, or null for direct kernel boot. */
    Firmware firmware() { return firmware; }

    public MachineConfig config() { return config; }

    /** The accelerator running this machine ("kvm" or "emu"). */
    public Hypervisor hypervisor() { return hypervisor; }

    public VirtualMachine vm() { return vm; }

    public GuestMemory memory() { return memory; }

    public Bus pio() { return pio; }

    public Bus mmio() { return mmio; }

    public List<Vcpu> vcpus() { return vcpus; }

    public ExitTrace trace() { return trace; }

    public PrintStream diag() { return diag; }

    Vcpu addVcpu(int id, VirtualMachine.CpuidSpec cpuid) {
        Vcpu v = new Vcpu(vm.createVcpu(id, cpuid), pio, mmio, this, trace);
        vcpus.add(v);
        return v;
    }

    void addRuntime(CpuRuntime rt) { runtimes.add(rt); }

    List<CpuRuntime> runtimes() { return runtimes; }

    void setUserIrqchip(UserIrqchip u) { userIrqchip = u; }

    void setDevices(PcDevices d) { devices = d; }

    public PcDevices devices() { return devices; }

    void setDebugging(Debugging d) { debugging = d; }

    void setLoaded(LoadResult r) { loaded = r; }

    /** What the loader put where, with the kernel's symbols (for the debugger and reports). */
    public LoadResult loaded() { return loaded; }

    public Debugging debugging() { return debugging; }

    /** Interrupt-controller state for `monitor lapic`: the Java controllers, or KVM's LAPIC pages. */
    public String interruptControllerState() {
        if (userIrqchip != null) return userIrqchip.describe();
        if (vm.kernelIrqchip().isEmpty()) return "no interrupt controller state available";
        StringBuilder sb = new StringBuilder("in-kernel irqchip (KVM); local APIC register pages via KVM_GET_LAPIC:\n");
        for (Vcpu v : vcpus) {
            try {
                byte[] p = vm.kernelIrqchip().get().lapicPage(v.cpu());
                java.util.function.IntUnaryOperator r = o -> (p[o] & 0xff) | (p[o + 1] & 0xff) << 8 | (p[o + 2] & 0xff) << 16 | (p[o + 3] & 0xff) << 24;
                sb.append(String.format("vCPU %d: ID 0x%08x TPR 0x%02x SVR 0x%08x ESR 0x%x ICR 0x%08x_%08x LVT-timer 0x%08x%n",
                        v.id(), r.applyAsInt(0x20), r.applyAsInt(0x80), r.applyAsInt(0xf0), r.applyAsInt(0x280),
                        r.applyAsInt(0x310), r.applyAsInt(0x300), r.applyAsInt(0x320)));
            } catch (RuntimeException e) {
                sb.append("vCPU ").append(v.id()).append(": unavailable while running (").append(e.getMessage()).append(")\n");
            }
        }
        return sb.toString();
    }

    /**
     * Why IPIs are missing from traces and statistics, or null when they are there: with the in-kernel
     * irqchip an ICR write is handled inside KVM (APIC-access / x2APIC MSR exits never reach userspace).
     */
    public String ipiVisibilityNote() {
        if (userIrqchip != null || config.smp() < 2) return null;
        return "--irqchip kernel: IPIs (INIT, SIPI, fixed, NMI) are delivered inside KVM and never exit to "
                + "vmscope, so they are neither traced nor counted; use --irqchip user to see them";
    }

    /** Runs when the VM stops, before run() returns (flush consoles, stop timers). */
    public synchronized void onStop(Runnable r) { onStop.add(r); }

    // ---- VmStop (vCPUs) and VmControl (devices) ----

    @Override public void stop(int status, String message, Fatal fatal) {
        synchronized (this) {
            if (stopping) return;
            stopping = true;
            this.status = status;
            this.stopMessage = message;
            this.fatal = fatal;
        }
        for (Vcpu v : vcpus) v.kick();
        stopped.countDown();
    }

    @Override public boolean stopping() { return stopping; }

    @Override public void exit(int status, String why) { stop(status, why, null); }

    @Override public void reset(String why) {
        stop(ExitStatus.OK, "guest requested a reset (" + why + "); vmscope does not reboot", null);
    }

    @Override public void powerOff(String why) { stop(ExitStatus.OK, "guest powered off (" + why + ")", null); }

    public synchronized int status() { return status; }

    public synchronized String stopMessage() { return stopMessage; }

    public synchronized Fatal fatal() { return fatal; }

    public long wallNanos() { return wallNanos; }

    public List<ExitStats> stats() {
        List<ExitStats> l = new ArrayList<>();
        for (Vcpu v : vcpus) l.add(v.stats());
        return l;
    }

    /** Starts every vCPU and waits until the VM stops or the timeout expires; returns the process status. */
    public int run() throws InterruptedException {
        long t0 = System.nanoTime();
        if (debugging != null) {
            try { debugging.startGdb(config.debug()); }
            catch (java.io.IOException e) { throw new IllegalStateException("cannot start the GDB server: " + e.getMessage(), e); }
        }
        for (Vcpu v : vcpus) v.start();
        dev.vmscope.util.Timing.mark("vCPUs started");
        long timeout = config.timeoutMillis();
        boolean done = timeout > 0 ? stopped.await(timeout, TimeUnit.MILLISECONDS) : awaitForever();
        if (!done) stop(ExitStatus.TIMEOUT, "timeout: the guest was still running after " + timeout + " ms", null);
        for (Vcpu v : vcpus) {
            v.thread().join(2000);
            if (v.thread().isAlive()) diag.println("vmscope: warning: vCPU " + v.id() + " did not leave the guest within 2 s");
        }
        wallNanos = System.nanoTime() - t0;
        readKernelCounters();
        dev.vmscope.util.Timing.mark("VM stopped");
        if (debugging != null) debugging.afterStop(config.debug());
        List<Runnable> hooks;
        synchronized (this) { hooks = List.copyOf(onStop); }
        for (Runnable r : hooks) {
            try { r.run(); } catch (RuntimeException e) { diag.println("vmscope: warning: " + e.getMessage()); }
        }
        return status();
    }

    private void readKernelCounters() {
        for (Vcpu v : vcpus) {
            try { v.stats().setKernelCounters(v.cpu().counters()); }
            catch (RuntimeException e) { /* the summary simply lacks the backend's counters */ }
        }
    }

    private boolean awaitForever() throws InterruptedException {
        stopped.await();
        return true;
    }

    @Override public void close() {
        if (userIrqchip != null) userIrqchip.close();
        if (debugging != null) debugging.close();
        if (devices != null) devices.close();
        for (Vcpu v : vcpus) if (v.thread() != null && v.thread().isAlive()) return; // never unmap under a live vCPU
        for (Vcpu v : vcpus) v.cpu().close();
        vm.close();
        hypervisor.close();
        ram.close();
    }
}
