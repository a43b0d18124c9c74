package dev.vmscope.machine;

import dev.vmscope.devices.irq.CpuSignals;
import dev.vmscope.devices.irq.LocalApic;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.vcpu.Vcpu;
import dev.vmscope.vcpu.VcpuHooks;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The per-vCPU side of vmscope's machine: debugger pause, and (with --irqchip user) what KVM's in-kernel
 * local APIC would otherwise do: inject interrupts through interrupt-window exits, NMIs, hold a halted CPU until something can wake it, and run INIT / start-up IPIs
 * (SDM vol. 3 9.4.4 and 11.6.1: an AP waits for SIPI, then starts in real mode at vector << 12).
 * Signals from other threads only set flags and kick; everything else happens on the vCPU's own thread.
 * Lock order: a LocalApic's monitor, then this runtime's lock (a LocalApic signals us while holding its
 * monitor), so no LocalApic method is ever called with {@code lock} held.
 */
final class CpuRuntime implements VcpuHooks, CpuSignals {
    private final Lifecycle machine;
    private final java.io.PrintStream diag;
    private final dev.vmscope.vcpu.ExitTrace trace;
    private final Vcpu vcpu;
    private final UserIrqchip irqchip; // null with the in-kernel irqchip
    private LocalApic lapic;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean nmiPending, initPending, sipiPending, waitingForSipi, paused;
    /** Deterministic mode: never wait here; the scheduler asks {@link #runnable} instead. */
    private final boolean deterministic;
    private boolean halted, haltedInterruptible;
    private long wakeups;   // signals so far, so a waiter can tell it missed none while unlocked
    private int sipiVector;
    private volatile VcpuHooks debug = VcpuHooks.NONE;
    private volatile VcpuHooks recorder = VcpuHooks.NONE;

    CpuRuntime(Lifecycle machine, java.io.PrintStream diag, dev.vmscope.vcpu.ExitTrace trace, Vcpu vcpu, UserIrqchip irqchip,
               boolean startsWaitingForSipi) {
        this(machine, diag, trace, vcpu, irqchip, startsWaitingForSipi, false);
    }

    /** @param deterministic the vCPU runs under {@link dev.vmscope.vcpu.RoundRobin}: no hook may block */
    CpuRuntime(Lifecycle machine, java.io.PrintStream diag, dev.vmscope.vcpu.ExitTrace trace, Vcpu vcpu, UserIrqchip irqchip,
               boolean startsWaitingForSipi, boolean deterministic) {
        this.deterministic = deterministic;
        this.machine = machine;
        this.diag = diag;
        this.trace = trace;
        this.vcpu = vcpu;
        this.irqchip = irqchip;
        this.waitingForSipi = startsWaitingForSipi;
    }

    void setLapic(LocalApic lapic) { this.lapic = lapic; }

    LocalApic lapic() { return lapic; }

    void setDebugHooks(VcpuHooks h) { debug = h; }

    void setRecorder(VcpuHooks h) { recorder = h; }

    // ---- CpuSignals: any thread ----

    @Override public void kick() {
        signal();
        // On our own thread (a self-IPI, an EOI, a timer LVT write) beforeRun looks at the flags before the
        // next KVM_RUN anyway; kicking ourselves would only cost an empty KVM_RUN returning EINTR.
        if (Thread.currentThread() != vcpu.thread()) vcpu.kick();
    }

    /**
     * An NMI to a CPU with an INIT pending or taken and no start-up IPI yet is dropped: INIT discards NMIs and
     * wait-for-SIPI ignores them (SDM vol. 3 9.4.4; KVM's kvm_vcpu_reset clears nmi_pending). Kept, it would
     * be injected at the first instruction after the SIPI, in real mode, through whatever the IVT holds.
     */
    @Override public void nmi() {
        lock.lock();
        try {
            if ((initPending || waitingForSipi) && !sipiPending) return;
            nmiPending = true;
        } finally { lock.unlock(); }
        kick();
    }

    @Override public void smi() { diag.println("vmscope: note: SMI to vCPU " + vcpu.id() + " ignored (no SMM)"); }

    /** INIT wins over a start-up and an NMI not yet taken: the CPU ends in wait-for-SIPI, as it would on hardware. */
    @Override public void init() {
        lock.lock();
        try { initPending = true; sipiPending = false; nmiPending = false; } finally { lock.unlock(); }
        kick();
    }

    @Override public void startup(int vector) {
        lock.lock();
        try {
            if (!waitingForSipi && !initPending) return; // SDM 9.4.4: a SIPI to a running CPU is ignored
            sipiPending = true;
            sipiVector = vector & 0xff;
        } finally { lock.unlock(); }
        kick();
    }

    private void signal() {
        lock.lock();
        try { wakeups++; wake.signalAll(); } finally { lock.unlock(); }
    }

    // ---- VcpuHooks: the vCPU's own thread ----

    @Override public boolean beforeRun(Vcpu v) {
        if (!debug.beforeRun(v)) return false;
        if (irqchip == null) return true;
        VirtualCpu cpu = v.cpu();
        boolean nmi;
        lock.lock();
        try {
            // INIT and SIPI may arrive while we wait here, so both are looked at on every round (an INIT
            // left pending across a start would send the AP straight back to wait-for-SIPI).
            for (;;) {
                if (initPending) {
                    // The INIT is taken here, at an instruction boundary: only now do the APIC's registers
                    // reset, so the exit just handled (an ICR write, say) saw the state from before it.
                    // Outside our lock, by the lock order above; then everything is looked at again.
                    initPending = false;
                    waitingForSipi = true;
                    halted = false;   // INIT ends HLT
                    lock.unlock();
                    try { if (lapic != null) lapic.takeInit(); } finally { lock.lock(); }
                    if (lapic != null && lapic.isBsp()) {
                        // The BSP does not wait for a SIPI: it restarts at the reset vector (SDM vol. 3 9.4,
                        // table 9-1; KVM's kvm_apic_accept_events does the same with its own irqchip).
                        waitingForSipi = false;
                        sipiPending = false;
                        startAt(cpu, 0xf000, 0xffff0000L, 0xfff0);
                    }
                    continue;
                }
                if (waitingForSipi && sipiPending) {
                    waitingForSipi = false;
                    sipiPending = false;
                    startAt(cpu, sipiVector << 8, (long) sipiVector << 12, 0);
                }
                if (!waitingForSipi || machine.stopping() || v.pauseRequested()) break;
                nmiPending = false;   // wait-for-SIPI ignores NMIs (SDM vol. 3 9.4.4, "only INIT and SIPI")
                irqchip.state(v.id(), UserIrqchip.WAIT_SIPI);
                if (deterministic) break;   // skipped by the scheduler until INIT or SIPI arrives
                if (irqchip.allHaltedForever()) {
                    // No CPU is left to send a SIPI (or an NMI): the guest can never run again.
                    machine.stop(dev.vmscope.vcpu.ExitStatus.HALTED_FOREVER, "every vCPU is waiting for a start-up IPI "
                            + "or halted with interrupts off (vCPU " + v.id() + " waits for SIPI): nothing can wake the guest", null);
                    break;
                }
                await(100);
            }
            nmi = nmiPending;
            nmiPending = false;
        } finally { lock.unlock(); }
        if (waitingForSipi()) return false; // woken for pause or stop: the loop checks those first
        irqchip.state(v.id(), UserIrqchip.RUNNING);
        if (nmi) cpu.injectNmi();
        if (lapic != null && lapic.hasInterrupt()) {
            if (cpu.readyForInterrupt()) {
                int vector = lapic.acknowledge();
                if (vector >= 0) {
                    cpu.injectInterrupt(vector);
                    if (trace != null) trace.event(v.id(), "inject", String.format("vector=0x%02x", vector));
                }
                cpu.requestInterruptWindow(lapic.hasInterrupt());
            } else {
                cpu.requestInterruptWindow(true);
            }
        } else {
            cpu.requestInterruptWindow(false);
        }
        return true;
    }

    private boolean waitingForSipi() {
        lock.lock();
        try { return waitingForSipi; } finally { lock.unlock(); }
    }

    /** INIT, then a start at csSelector:ip ({@link CpuState#startup}); nothing from before the INIT survives. */
    private static void startAt(VirtualCpu cpu, int csSelector, long csBase, long ip) {
        cpu.restart(CpuState.startup(csSelector, csBase, ip, cpu.state().cr0()));
    }

    @Override public boolean onHalt(Vcpu v) {
        if (irqchip == null) return false;
        boolean interruptible = v.cpu().interruptsEnabled();
        irqchip.state(v.id(), interruptible ? UserIrqchip.HALTED : UserIrqchip.HALTED_NO_IF);
        if (deterministic) {
            lock.lock();
            try { halted = true; haltedInterruptible = interruptible; } finally { lock.unlock(); }
            return true;
        }
        try {
            for (;;) {
                long seen;
                lock.lock();
                try { seen = wakeups; } finally { lock.unlock(); }
                // Asked without our lock held: a LocalApic calls kick()/nmi()/init() (which take our lock)
                // while holding its own monitor, so holding ours here could deadlock with an IPI sender.
                boolean irq = interruptible && lapic != null && lapic.hasInterrupt();
                lock.lock();
                try {
                    if (irq || machine.stopping() || v.pauseRequested() || nmiPending || initPending) return true;
                    if (irqchip.allHaltedForever()) return false;
                    if (wakeups == seen) await(50);   // else a kick came in meanwhile: look again at once
                } finally { lock.unlock(); }
            }
        } finally {
            irqchip.state(v.id(), UserIrqchip.RUNNING);
        }
    }

    /**
     * Deterministic mode: whether the scheduler may run this vCPU now. A halted CPU wakes on what ends HLT in
     * {@link #onHalt} (an interrupt it accepts, NMI, INIT); one in wait-for-SIPI on INIT or SIPI.
     */
    @Override public boolean runnable(Vcpu v) {
        if (!deterministic || irqchip == null) return true;
        boolean interruptible;
        lock.lock();
        try {
            if (initPending || v.pauseRequested() || machine.stopping()) return true;
            if (waitingForSipi) return sipiPending;
            if (!halted || nmiPending) { halted = false; return true; }
            interruptible = haltedInterruptible;
        } finally { lock.unlock(); }
        // Outside our lock, by the lock order (see the class comment).
        if (!(interruptible && lapic != null && lapic.hasInterrupt())) return false;
        lock.lock();
        try { halted = false; } finally { lock.unlock(); }
        irqchip.state(v.id(), UserIrqchip.RUNNING);
        return true;
    }

    private void await(long ms) {
        try { wake.await(ms, TimeUnit.MILLISECONDS); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }

    @Override public boolean onDebug(Vcpu v, VcpuExit.Debug d) { return debug.onDebug(v, d); }

    @Override public Long onMsr(Vcpu v, VcpuExit exit) {
        if (lapic == null) return null;
        return switch (exit) {
            case VcpuExit.RdMsr r -> {
                OptionalLong val = lapic.readMsr(r.index());
                yield val.isPresent() ? val.getAsLong() : null;
            }
            case VcpuExit.WrMsr w -> lapic.writeMsr(w.index(), w.value()) ? 0L : null;
            default -> null;
        };
    }

    @Override public void afterExit(Vcpu v, VcpuExit exit, long guestNanos, long handleNanos) {
        recorder.afterExit(v, exit, guestNanos, handleNanos);
        debug.afterExit(v, exit, guestNanos, handleNanos);
    }

    @Override public void onPause(Vcpu v) {
        lock.lock();
        try {
            paused = true;
            wake.signalAll();
            while (v.pauseRequested() && !machine.stopping()) await(100);
            paused = false;
        } finally { lock.unlock(); }
        debug.onPause(v);
    }

    boolean parked() {
        lock.lock();
        try { return paused; } finally { lock.unlock(); }
    }
}
