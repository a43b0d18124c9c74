package dev.vmscope.machine;

import dev.vmscope.bus.Bus;
import dev.vmscope.devices.VmControl;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.Hypervisor;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.loader.LoadResult;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.vcpu.ExitStats;
import dev.vmscope.vcpu.ExitStatus;
import dev.vmscope.vcpu.ExitSummary;
import dev.vmscope.devices.irq.GuestTime;
import dev.vmscope.vcpu.ExitTrace;
import dev.vmscope.vcpu.InstructionClock;
import dev.vmscope.vcpu.RoundRobin;
import dev.vmscope.vcpu.Vcpu;
import dev.vmscope.vcpu.VmStop;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * A running PC machine: the backend's VM, guest RAM, the two buses and the vCPUs. It owns the VM's lifecycle:
 * the first stop request (guest exit, fatal exit, timeout) wins, every vCPU is kicked out of the guest,
 * and {@link #run()} returns the process status. {@link MachineBuilder} creates and wires it.
 */
public final class Machine implements AutoCloseable, VmStop, VmControl {
    private final MachineConfig config;
    private final PrintStream diag;
    private final Hypervisor hypervisor;
    private final VirtualMachine vm;
    private final Arena ram;
    private final GuestMemory memory;
    private final Lifecycle life;
    private final Platform platform;
    private final List<Vcpu> vcpus;
    private final List<CpuRuntime> runtimes;
    private final LoadResult loaded;
    private final Debugging debugging;
    private final List<Runnable> onStop = new ArrayList<>();
    private long wallNanos;

    /** What the builder made before the machine: the buses and everything registered on them. */
    record Platform(Bus pio, Bus mmio, ExitTrace trace, PcDevices devices, UserIrqchip userIrqchip, Firmware firmware,
                    GuestTime time) {}

    /** Instructions a vCPU runs per turn in deterministic mode (-Dvmscope.quantum=N). */
    static final long QUANTUM = Math.max(1, Long.getLong("vmscope.quantum", 10_000));

    /**
     * Takes ownership of the backend, its VM, the RAM arena and the platform (all closed by {@link #close()}).
     * The debugger's parts are made here, as they look at the whole machine.
     */
    Machine(MachineConfig config, PrintStream diag, Hypervisor hypervisor, VirtualMachine vm, Arena ram, GuestMemory memory,
            Lifecycle life, Platform platform, List<Vcpu> vcpus, List<CpuRuntime> runtimes, LoadResult loaded,
            DebugCapabilities debugCaps, String debugEvidence) {
        this.config = config;
        this.diag = diag;
        this.hypervisor = hypervisor;
        this.vm = vm;
        this.ram = ram;
        this.memory = memory;
        this.life = life;
        this.platform = platform;
        this.vcpus = List.copyOf(vcpus);
        this.runtimes = List.copyOf(runtimes);
        this.loaded = loaded;
        this.debugging = new Debugging(this, debugCaps, debugEvidence);
    }

    /** Buses whose devices report their first fault on {@code diag}. */
    static Bus bus(String kind, PrintStream diag) {
        return new Bus(kind, (bus, dev, off, size, write, e) -> diag.println(String.format(
                "vmscope: device fault: %s device '%s' %s of %d byte(s) at offset 0x%x threw %s (the access acts as unclaimed; "
                        + "further faults of this device are only counted)", bus, dev.name(), write ? "write" : "read", size, off, e)));
    }

    /** Unclaimed accesses and device faults of both buses, for the exit summary and --stats-json. */
    public List<ExitSummary.BusCounters> busCounters() {
        List<ExitSummary.BusCounters> l = new ArrayList<>();
        for (Bus b : List.of(pio(), mmio()))
            l.add(new ExitSummary.BusCounters(b.kind(), b.unclaimedReads(), b.unclaimedWrites(), b.faultsByDevice()));
        return l;
    }

    /** The --bios image's mapping, or null for direct kernel boot. */
    Firmware firmware() { return platform.firmware(); }

    public MachineConfig config() { return config; }

    /** The accelerator running this machine ("kvm", "emu"). */
    public Hypervisor hypervisor() { return hypervisor; }

    public VirtualMachine vm() { return vm; }

    public GuestMemory memory() { return memory; }

    public Bus pio() { return platform.pio(); }

    public Bus mmio() { return platform.mmio(); }

    public List<Vcpu> vcpus() { return vcpus; }

    public ExitTrace trace() { return platform.trace(); }

    public PrintStream diag() { return diag; }

    List<CpuRuntime> runtimes() { return runtimes; }

    public PcDevices devices() { return platform.devices(); }

    /** What the loader put where, with the kernel's symbols (for the debugger and reports); null with firmware. */
    public LoadResult loaded() { return loaded; }

    public Debugging debugging() { return debugging; }

    /** Interrupt-controller state for `monitor lapic`: the Java controllers, or KVM's LAPIC pages. */
    public String interruptControllerState() {
        if (platform.userIrqchip() != null) return platform.userIrqchip().describe();
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
    public String ipiVisibilityNote() { return ipiVisibilityNote(platform.userIrqchip() != null, config.smp()); }

    static String ipiVisibilityNote(boolean userIrqchip, int smp) {
        if (userIrqchip || smp < 2) return null;
        return "--irqchip kernel: IPIs (INIT, SIPI, fixed, NMI) are delivered inside KVM and never exit to "
                + "vmscope, so they are neither traced nor counted; use --irqchip user to see them";
    }

    /** Runs when the VM stops, before run() returns (flush consoles, stop timers). */
    public synchronized void onStop(Runnable r) { onStop.add(r); }

    // ---- VmStop (vCPUs) and VmControl (devices): the lifecycle's ----

    @Override public void stop(int status, String message, Fatal fatal) { life.stop(status, message, fatal); }

    @Override public boolean stopping() { return life.stopping(); }

    @Override public void exit(int status, String why) { life.exit(status, why); }

    @Override public void reset(String why) { life.reset(why); }

    @Override public void powerOff(String why) { life.powerOff(why); }

    public int status() { return life.status(); }

    public String stopMessage() { return life.message(); }

    public Fatal fatal() { return life.fatal(); }

    public long wallNanos() { return wallNanos; }

    public List<ExitStats> stats() {
        List<ExitStats> l = new ArrayList<>();
        for (Vcpu v : vcpus) l.add(v.stats());
        return l;
    }

    /** Starts every vCPU and waits until the VM stops or the timeout expires; returns the process status. */
    public int run() throws InterruptedException {
        long t0 = System.nanoTime();
        try { debugging.startGdb(config.debug()); }
        catch (java.io.IOException e) { throw new IllegalStateException("cannot start the GDB server: " + e.getMessage(), e); }
        if (platform.time() instanceof InstructionClock clock) new RoundRobin(vcpus, this, clock, QUANTUM).start();
        else for (Vcpu v : vcpus) v.start();
        dev.vmscope.util.Timing.mark("vCPUs started");
        long timeout = config.timeoutMillis();
        if (!life.await(timeout)) stop(ExitStatus.TIMEOUT, "timeout: the guest was still running after " + timeout + " ms", null);
        for (Vcpu v : vcpus) {
            v.thread().join(2000);
            if (v.thread().isAlive()) diag.println("vmscope: warning: vCPU " + v.id() + " did not leave the guest within 2 s");
        }
        wallNanos = System.nanoTime() - t0;
        readKernelCounters();
        dev.vmscope.util.Timing.mark("VM stopped");
        debugging.afterStop(config.debug());
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

    @Override public void close() {
        if (platform.userIrqchip() != null) platform.userIrqchip().close();
        debugging.close();
        platform.devices().close();
        platform.time().close();
        for (Vcpu v : vcpus) if (v.thread() != null && v.thread().isAlive()) return; // never unmap under a live vCPU
        for (Vcpu v : vcpus) v.cpu().close();
        vm.close();
        hypervisor.close();
        ram.close();
    }
}
