package dev.vmscope.machine;

import dev.vmscope.hypervisor.Capabilities;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.hypervisor.Hypervisor;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.hypervisor.VmSpec;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A backend for tests on any machine: each vCPU replays the exits a test scripts for it and records what the
 * run loop completed, injected and set (as rust-vmm's virtio-queue mock plays the driver). With the script
 * used up, {@link VirtualCpu#run()} waits for a kick or for more script, as a guest spinning would.
 * It has no in-kernel irqchip, so the Java interrupt controllers and {@code CpuRuntime} run as with the
 * software CPU.
 */
final class ScriptedHypervisor implements Hypervisor, VirtualMachine {
    /** One scripted step: an exit, computed when run() reaches it (so it can look at what the loop did so far). */
    interface Step extends Function<ScriptedCpu, VcpuExit> {}

    final Map<Integer, ScriptedCpu> cpus = new ConcurrentHashMap<>();
    final Map<Integer, List<Step>> scripts = new ConcurrentHashMap<>();
    final Map<Integer, java.util.function.Consumer<ScriptedCpu>> setups = new ConcurrentHashMap<>();
    final List<String> slots = new ArrayList<>();
    volatile boolean closed;

    /** Adds exits to vCPU {@code id}'s script (before or after it was created). */
    ScriptedHypervisor script(int id, VcpuExit... exits) {
        for (VcpuExit e : exits) step(id, c -> e);
        return this;
    }

    /** Runs {@code setup} on vCPU {@code id} when it is created (its IF flag, readiness...). */
    ScriptedHypervisor configure(int id, java.util.function.Consumer<ScriptedCpu> setup) {
        setups.put(id, setup);
        return this;
    }

    ScriptedHypervisor step(int id, Step s) {
        ScriptedCpu c = cpus.get(id);
        if (c != null) c.queue.add(s);
        else scripts.computeIfAbsent(id, k -> new ArrayList<>()).add(s);
        return this;
    }

    @Override public String name() { return "scripted"; }

    @Override public Capabilities capabilities() { return new Capabilities(false, true, true, false, false); }

    @Override public VirtualMachine createVm(VmSpec spec) { return this; }

    @Override public DebugCapabilities debugCapabilities() { return new DebugCapabilities(true, 4, false, true, true); }

    @Override public void mapMemory(int slot, long gpa, MemorySegment host, boolean readOnly) {
        synchronized (slots) { slots.add(String.format("slot %d gpa 0x%x size 0x%x%s", slot, gpa, host.byteSize(), readOnly ? " ro" : "")); }
    }

    @Override public void unmapMemory(int slot) { synchronized (slots) { slots.add("unmap " + slot); } }

    @Override public VirtualCpu createVcpu(int id, CpuidSpec spec) {
        ScriptedCpu c = new ScriptedCpu(id);
        for (Step s : scripts.getOrDefault(id, List.of())) c.queue.add(s);
        setups.getOrDefault(id, x -> { }).accept(c);
        cpus.put(id, c);
        return c;
    }

    @Override public Optional<KernelIrqchip> kernelIrqchip() { return Optional.empty(); }

    @Override public void close() { closed = true; }

    /** One scripted vCPU and the log of what was done to it. */
    static final class ScriptedCpu implements VirtualCpu {
        final int id;
        final LinkedBlockingQueue<Step> queue = new LinkedBlockingQueue<>();
        final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile CpuState state = CpuState.reset();
        volatile boolean kicked, interruptsEnabled = true, ready = true;
        volatile GuestDebug debug = GuestDebug.OFF;
        volatile long runs;
        /** What run() does when the script is used up: an exit, or null to keep waiting (a guest spinning). */
        volatile Step idle = c -> null;

        ScriptedCpu(int id) { this.id = id; }

        @Override public int id() { return id; }
        @Override public void attachThread() { log.add("attach"); }
        @Override public void detachThread() { }

        @Override public VcpuExit run() {
            runs++;
            try {
                for (;;) {
                    if (kicked) { kicked = false; return new VcpuExit.Interrupted(); }
                    Step s = queue.poll(5, TimeUnit.MILLISECONDS);
                    if (s != null) return s.apply(this);
                    VcpuExit e = idle.apply(this);
                    if (e != null) return e;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new VcpuExit.Interrupted();
            }
        }

        @Override public void kick() { kicked = true; }
        @Override public void completeIn(byte[] data) { log.add("in " + HexFormat.of().formatHex(data)); }
        @Override public void completeMmioRead(long value) { log.add(String.format("mmio-read 0x%x", value)); }
        @Override public void completeMsr(boolean error, long value) { log.add(error ? "msr #GP" : String.format("msr 0x%x", value)); }
        @Override public CpuState state() { return state; }
        @Override public void setState(CpuState s) { state = s; log.add(String.format("set-state rip 0x%x", s.rip())); }

        @Override public void restart(CpuState s) {
            state = s;
            log.add(String.format("restart cs 0x%x base 0x%x ip 0x%x", s.cs().selector(), s.cs().base(), s.rip()));
        }

        @Override public boolean interruptsEnabled() { return interruptsEnabled; }
        @Override public boolean readyForInterrupt() { return ready && interruptsEnabled; }
        @Override public void injectInterrupt(int vector) { log.add(String.format("inject 0x%02x", vector)); }
        @Override public void injectNmi() { log.add("nmi"); }
        @Override public void requestInterruptWindow(boolean on) { if (on) log.add("window"); }
        @Override public void setGuestDebug(GuestDebug d, boolean block) { debug = d; log.add("debug step=" + d.singleStep()); }
        @Override public long exitRip() { return state.rip(); }
        @Override public long guestTsc() { return System.nanoTime(); }
        @Override public long tscHz() { return 1_000_000_000L; }
        @Override public Map<String, Long> counters() { return Map.of("instructions", runs); }
        @Override public void close() { }

        List<String> logged(String prefix) {
            synchronized (log) { return log.stream().filter(l -> l.startsWith(prefix)).toList(); }
        }
    }
}
