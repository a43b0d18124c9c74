package dev.vmscope.emu;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.hypervisor.VirtualMachine.CpuidSpec;

import java.util.Map;

/**
 * One software vCPU behind the backend contract. {@link #run()} executes until an exit, with KVM's
 * semantics: port and MMIO reads exit before the instruction commits and it is executed again after the
 * completion; writes, OUT and HLT exit after it commits; kicks, interrupt windows and events are taken at
 * instruction boundaries (checked at least every {@link #BATCH} instructions).
 * <p>
 * Failures: an instruction the emulator cannot execute, or any Java exception inside it, ends run() with
 * {@link VcpuExit.InternalError} suberror 1 (KVM_INTERNAL_ERROR_EMULATION), data {1 (instruction bytes
 * valid), length}, the bytes at RIP, RIP left at the instruction; {@link #failureMessage()} says why.
 */
public final class EmuCpu extends Interpreter implements VirtualCpu {
    static final int BATCH = 4096;
    static final int KVM_INTERNAL_ERROR_EMULATION = 1;

    private final int id;
    private volatile boolean kicked;
    private int pendingIrq = -1;
    private boolean nmiPending, nmiMasked, windowRequested, shutdown;
    /** The last exit left an instruction to finish (port/MMIO read, MSR): the next run() executes it first. */
    private boolean finishFirst;
    private final DebugUnit debug = new DebugUnit(this);
    private String failureMessage = "";
    private boolean debugActive;
    private InstructionObserver observer;

    /** Sets (or clears, with null) the observer of retired instructions; call on the vCPU's thread or while parked. */
    @Override public boolean observeInstructions(dev.vmscope.hypervisor.InstructionObserver o) {
        setInstructionObserver(o == null ? null : (cpu, rip, bytes, bits) -> o.retired(rip, bytes, bits));
        return true;
    }

    public void setInstructionObserver(InstructionObserver o) {
        observer = o;
        debugActive = debug.active() || o != null;
    }

    /** Tests and fuzzing: run() returns Interrupted once this many instructions have retired. */
    long stopAt = Long.MAX_VALUE;
    /** {@link #run(long)}: the instruction count at which it returns BudgetUsed (checked after every instruction). */
    private long budgetEnd = Long.MAX_VALUE;

    EmuCpu(PhysMemory phys, int id, CpuidSpec spec, boolean deterministic) {
        super(phys);
        this.id = id;
        this.cpuid = new CpuidModel(id, spec);
        this.deterministic = deterministic;
        EmuState.apply(this, CpuState.reset());
    }

    @Override public int id() { return id; }

    @Override public void attachThread() { }

    @Override public void detachThread() { }

    @Override public void kick() { kicked = true; }

    @Override boolean kickPending() { return kicked; }

    /** Why the last InternalError exit happened. */
    public String failureMessage() { return failureMessage; }

    @Override
    public VcpuExit run() {
        try {
            return runLoop();
        } catch (EmuFailure e) {
            return failure(e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            return failure("emulator error: " + e);
        }
    }

    @Override public VcpuExit run(long budget) {
        budgetEnd = instructions + Math.max(1, budget);
        try {
            return run();
        } finally {
            budgetEnd = Long.MAX_VALUE;
        }
    }

    @Override public long retiredInstructions() { return instructions; }

    @Override public boolean useClock(java.util.function.LongSupplier nanos) {
        long tsc = tsc();
        clock = nanos;
        tscOffset = 0;
        tscOffset = tsc - tsc();   // the guest's TSC does not jump when the clock is switched
        return true;
    }

    private VcpuExit runLoop() {
        if (!queuedExits.isEmpty()) return pollExit();
        if (shutdown) return new VcpuExit.Shutdown();
        boolean resume = finishFirst;   // KVM completes the exited instruction before anything else
        finishFirst = false;
        while (true) {
            if (phys.epoch != seenEpoch) flushTlb();
            if (!resume) {
                if (kicked || instructions >= stopAt) {
                    kicked = false;
                    return new VcpuExit.Interrupted();
                }
                if (instructions >= budgetEnd) return new VcpuExit.BudgetUsed();
                VcpuExit e = boundary();
                if (e != null) return e;
            }
            resume = false;
            for (int n = 0; n < BATCH; n++) {
                boolean tf = (flags & TF) != 0;
                boolean watched = debugActive;
                VcpuExit x = watched ? debug.beforeInstruction() : null;
                if (x != null) return x;
                long startRip = rip;
                int ran = 0;
                try {
                    // Blocks only where nothing watches single instructions and no interrupt shadow is open.
                    if (!tf && !watched && !shadowActive) ran = runBlocks((int) Math.min(BATCH - n, budgetEnd - instructions));
                    if (ran == 0) step();
                } catch (Fault f) {
                    abortAttempt();
                    if (!raise(f, false)) return shutdownExit();
                    break;
                } catch (ExitRequest r) {
                    abortAttempt();
                    VcpuExit p = pendingExit;
                    pendingExit = null;
                    if (!queuedExits.isEmpty()) return pollExit();
                    finishFirst = true;
                    return p;
                }
                if (ran > 0) {
                    n += ran - 1;
                    if (!queuedExits.isEmpty()) {
                        committedExits = queuedExits.size();
                        return pollExit();
                    }
                    if (kicked || pendingIrq >= 0 || nmiPending || windowRequested || instructions >= budgetEnd) break;
                    continue;
                }
                if (observer != null && current != null) observer.retired(this, startRip, current.bytes(), current.mode * 8);
                x = watched || tf ? debug.afterInstruction(tf) : null;
                if (x != null) {
                    if (!queuedExits.isEmpty()) {
                        queuedExits.addLast(x);
                        committedExits = queuedExits.size();
                        return pollExit();
                    }
                    return x;
                }
                if (!queuedExits.isEmpty()) return pollExit();
                if (shutdown) return new VcpuExit.Shutdown();
                if ((n & 255) == 255 && kicked) break;
                if (shadowActive || pendingIrq >= 0 || nmiPending || windowRequested || tf || watched
                        || instructions >= budgetEnd) break;
            }
        }
    }

    private VcpuExit pollExit() {
        VcpuExit x = queuedExits.pollFirst();
        committedExits = queuedExits.size();
        return x;
    }

    /** Events at an instruction boundary: NMI, then a queued external interrupt, then the window exit. */
    private VcpuExit boundary() {
        if (nmiPending && !nmiMasked) {
            nmiPending = false;
            nmiMasked = true;
            if (!deliverEvent(Fault.NMI)) return shutdownExit();
        }
        if (pendingIrq >= 0 && (flags & IF) != 0 && !shadowActive) {
            int v = pendingIrq;
            pendingIrq = -1;
            if (!deliverEvent(v)) return shutdownExit();
        }
        if (windowRequested && readyForInterrupt()) return new VcpuExit.IrqWindowOpen();
        return null;
    }

    private boolean deliverEvent(int v) {
        shadowActive = false;
        try {
            deliver(v, 0, false, false, true);
            return true;
        } catch (Fault f) {
            abortAttempt();
            return raise(f, true);
        }
    }

    /** Delivers a fault with the double-fault rules (SDM Vol. 3A table 6-5); false on a triple fault. */
    boolean raise(Fault f, boolean ext) {
        Fault first = f;
        boolean inDoubleFault = false;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                if (f.vector == Fault.PF) cr2 = cr2Pending;
                shadowActive = false;
                deliver(f.vector, f.errorCode, f.hasErrorCode, false, ext);
                return true;
            } catch (Fault g) {
                abortAttempt();
                if (inDoubleFault) return false;
                boolean escalate = first.vector == Fault.DF
                        || Fault.contributory(first.vector) && Fault.contributory(g.vector)
                        || first.vector == Fault.PF && (g.vector == Fault.PF || Fault.contributory(g.vector));
                if (first.vector == Fault.DF) return false;
                if (escalate) {
                    f = Fault.withCode(Fault.DF, 0);
                    inDoubleFault = true;
                } else {
                    f = g;
                    first = g;
                }
            }
        }
        return false;
    }

    private VcpuExit shutdownExit() {
        shutdown = true;
        return new VcpuExit.Shutdown();
    }

    private VcpuExit failure(String message) {
        failureMessage = message == null ? "emulation failure" : message;
        queuedExits.clear();
        committedExits = 0;
        pendingExit = null;
        byte[] insn = bytesAtRip();
        return new VcpuExit.InternalError(KVM_INTERNAL_ERROR_EMULATION, new long[] {1, insn.length}, insn);
    }

    // ---- completions ----

    @Override public void completeIn(byte[] data) { ioData = data.clone(); }

    @Override public void completeMmioRead(long value) {
        if (mmioCount < mmioVals.length) mmioVals[mmioCount++] = value;
    }

    @Override public void completeMsr(boolean error, long value) {
        msrDone = true;
        msrError = error;
        msrValue = value;
    }

    // ---- state ----

    @Override public CpuState state() { return EmuState.capture(this, pendingIrq, nmiPending, nmiMasked); }

    @Override public void setState(CpuState s) {
        EmuState.apply(this, s);
        pendingIrq = s.events().interruptInjected() ? s.events().interruptVector() : -1;
        nmiPending = s.events().nmiPending();
        nmiMasked = s.events().nmiMasked();
        shadowActive = s.events().interruptShadow();
        shutdown = false;
        debugRegistersChanged();
    }

    @Override public void restart(CpuState s) {
        if (finishFirst && (ioData != null || mmioCount > 0 || msrDone)) {
            try {
                step();
            } catch (RuntimeException e) {
                // the old instruction cannot finish: INIT replaces the state anyway
            }
        }
        finishFirst = false;
        queuedExits.clear();
        committedExits = 0;
        mmioCount = mmioIdx = 0;
        ioData = null;
        msrDone = false;
        pendingExit = null;
        CpuState.Fpu kept = EmuState.captureFpu(fpu);
        setState(s);
        EmuState.applyFpu(fpu, kept);   // INIT leaves x87 and SSE state unchanged (SDM Vol. 3A table 9-1), as KVM
        pendingIrq = -1;
        nmiPending = false;
        nmiMasked = false;
        shadowActive = false;
    }

    // ---- events ----

    @Override public boolean interruptsEnabled() { return (flags & IF) != 0; }

    @Override public boolean readyForInterrupt() { return (flags & IF) != 0 && !shadowActive && pendingIrq < 0; }

    @Override public void injectInterrupt(int vector) { pendingIrq = vector & 0xff; }

    @Override public void injectNmi() { nmiPending = true; }

    @Override public void requestInterruptWindow(boolean on) { windowRequested = on; }

    @Override void iretDone() { nmiMasked = false; }

    // ---- debug ----

    @Override public void setGuestDebug(GuestDebug d, boolean blockInterruptsWhileStepping) {
        debug.setGuestDebug(d);
        debugActive = debug.active() || observer != null;
    }

    @Override void debugRegistersChanged() {
        debug.refresh();
        debugActive = debug.active() || observer != null;
    }

    @Override void watch(long lin, int size, boolean write) { debug.watch(lin, size, write); }

    @Override boolean watchHit() { return debug.anyHit(); }

    @Override void int3Intercept() {
        if (!debug.softwareBreakpoints()) return;
        pendingExit = new VcpuExit.Debug(Fault.BP, currentLin, 0xffff0ff0L, dr[7]);
        throw ExitRequest.INSTANCE;
    }

    // ---- time and counters ----

    @Override public long exitRip() { return rip; }

    @Override public long guestTsc() { return tsc(); }

    @Override public long tscHz() { return TSC_HZ; }

    @Override public Map<String, Long> counters() { return Map.of("instructions", instructions); }

    @Override public void close() { }
}
