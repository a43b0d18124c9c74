package dev.vmscope.vcpu;

import dev.vmscope.hypervisor.VcpuExit;

import java.util.List;

/**
 * Deterministic mode (--deterministic): every vCPU on one thread, in vCPU order, each for a quantum of
 * instructions (exits handled in between, as {@link Vcpu}'s own loop does), then the next. A vCPU halted with
 * nothing to wake it, or waiting for SIPI, is skipped. Guest time is the {@link InstructionClock}: a run is cut
 * at the next timer deadline so the timer fires at the same instruction every time, and when no vCPU can run
 * the clock jumps to the next deadline (QEMU's icount does the same when idle). The schedule depends only on
 * instruction counts and the guest's own I/O, so two runs of a guest execute and trace the same.
 */
public final class RoundRobin implements Runnable {
    private final List<Vcpu> vcpus;
    private final VmStop vm;
    private final InstructionClock clock;
    private final long quantum;
    private Thread thread;

    /** @param quantum instructions a vCPU runs before the next one's turn (at least 1) */
    public RoundRobin(List<Vcpu> vcpus, VmStop vm, InstructionClock clock, long quantum) {
        if (quantum < 1) throw new IllegalArgumentException("quantum " + quantum);
        this.vcpus = List.copyOf(vcpus);
        this.vm = vm;
        this.clock = clock;
        this.quantum = quantum;
    }

    /** Starts the scheduler thread; every vCPU reports it as its thread (joins and self-kick checks see it). */
    public synchronized Thread start() {
        thread = Thread.ofPlatform().name("vcpus-deterministic").daemon(true).unstarted(this);
        for (Vcpu v : vcpus) v.adoptThread(thread);
        thread.start();
        return thread;
    }

    @Override public void run() {
        int current = -1;
        try {
            for (Vcpu v : vcpus) v.cpu().attachThread();
            while (!vm.stopping()) {
                boolean ran = false;
                for (Vcpu v : vcpus) {
                    if (vm.stopping()) return;
                    current = v.id();
                    ran |= turn(v);
                }
                if (!ran && !vm.stopping() && !anyRunnable() && !skip()) {
                    vm.stop(ExitStatus.HALTED_FOREVER, "deterministic mode: every vCPU is halted or waiting for a "
                            + "start-up IPI and no timer is armed: nothing can wake the guest", null);
                }
            }
        } catch (Throwable t) {
            vm.stop(ExitStatus.INTERNAL, "vCPU " + current + ": vmscope internal error: " + t,
                    new VmStop.Fatal(current, "internal-error", t.toString(), null));
        } finally {
            for (Vcpu v : vcpus) {
                try { v.cpu().detachThread(); } catch (Throwable ignored) { /* the thread is ending anyway */ }
            }
        }
    }

    /** One vCPU's turn: up to a quantum of instructions; false when it did not run at all. */
    private boolean turn(Vcpu v) {
        long left = quantum;
        boolean ran = false;
        while (left > 0 && !vm.stopping()) {
            long budget = Math.min(left, clock.untilNextDeadline());
            if (budget <= 0) { due(); continue; }
            CurrentVcpu.set(v.id());
            if (!v.runnable()) break;
            clock.enter(v.cpu());
            VcpuExit exit = null;
            try {
                exit = v.runOnce(budget);
            } finally {
                // An exit that retired nothing (a read re-run after its completion, a window exit) still costs
                // the turn one step, so a vCPU can never keep the thread without retiring instructions.
                left -= Math.max(1, clock.leave(exit != null && !(exit instanceof VcpuExit.BudgetUsed)));
            }
            due();
            if (exit == null) break;   // not started (waiting for SIPI)
            ran = true;
            if (exit == Vcpu.STOPPED || exit instanceof VcpuExit.Hlt) break;
        }
        return ran;
    }

    private boolean anyRunnable() {
        for (Vcpu v : vcpus) {
            CurrentVcpu.set(v.id());
            if (v.runnable()) return true;
        }
        return false;
    }

    /** Timer tasks run outside any vCPU (an interrupt controller's timer is not a CPU's access). */
    private void due() {
        CurrentVcpu.set(-1);
        clock.runDue();
    }

    private boolean skip() {
        CurrentVcpu.set(-1);
        return clock.skipToNextDeadline();
    }
}
