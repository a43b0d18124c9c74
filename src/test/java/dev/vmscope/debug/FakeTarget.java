package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.GuestMemoryException;
import dev.vmscope.memory.MemoryRegion;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A toy in-memory {@link DebugTarget}. IT STANDS IN FOR KVM: nothing here touches /dev/kvm. The integrator
 * replaces it with real-KVM tests that run the same GDB scenarios on real vCPUs.
 *
 * <p>Toy ISA, one byte per instruction at RIP (flat, identity-mapped): 0xF4 ends the VM with status AL;
 * 0x88 stores AL to [RBX]; 0x8A loads AL from [RBX]; 0xCC is int3 (a breakpoint when the int3 intercept
 * is on, else a fatal error as on a guest without an IDT); anything else is a no-op. Execute slots fire
 * before an instruction (fault-like, except the first instruction after resume/step, as with RF=1); data
 * slots fire after it (trap-like). RIP outside RAM is a fatal error, like a KVM internal error.
 */
class FakeTarget implements DebugTarget, AutoCloseable {
    static final long RAM2 = 0x100000;

    private final Object lock = new Object();
    private final int vcpus;
    private final DebugCapabilities caps;
    private final GuestMemory memory;
    private final CpuState[] state;
    private final GuestDebug[] debug;
    private final boolean[] skipExec;
    private final LinkedBlockingQueue<StopEvent> stops = new LinkedBlockingQueue<>();
    private final Thread runner;
    private volatile Translator translator = Translator.IDENTITY;
    private boolean running;
    private boolean closed;
    boolean killed;
    long instructions;

    FakeTarget(int vcpus, DebugCapabilities caps) {
        this.vcpus = vcpus;
        this.caps = caps;
        Arena arena = Arena.ofAuto();
        this.memory = new GuestMemory(List.of(new MemoryRegion(0, arena.allocate(0x20000, 4096)),
                new MemoryRegion(RAM2, arena.allocate(0x10000, 4096))));
        this.state = new CpuState[vcpus];
        this.debug = new GuestDebug[vcpus];
        this.skipExec = new boolean[vcpus];
        for (int i = 0; i < vcpus; i++) {
            state[i] = longMode(0x1000 + 0x800L * i);
            debug[i] = GuestDebug.OFF;
        }
        runner = Thread.ofPlatform().daemon().name("fake-vcpus").start(this::run);
    }

    /** 64-bit flat state at {@code rip}, paging on (identity translation stands in for the page tables). */
    static CpuState longMode(long rip) {
        CpuState.Segment code = new CpuState.Segment(0x8, 0, 0xffffffffL, CpuState.Segment.attributesOf(0xb, true, 0, true, false, true, false, true, false));
        CpuState.Segment data = new CpuState.Segment(0x10, 0, 0xffffffffL, CpuState.Segment.attributesOf(0x3, true, 0, true, false, false, true, true, false));
        CpuState s = CpuState.reset().withSegments(code, data, data, data, data, data)
                .withSystem(0x80000011L, 0, 0x10000, 0x20, 0, 0x500, 0);
        return s.withGprs(new long[16], rip, 0x2);
    }

    void setTranslator(Translator t) { translator = t; }

    @Override public int vcpuCount() { return vcpus; }

    @Override public CpuState state(int vcpu) { synchronized (lock) { return state[vcpu]; } }

    @Override public void setState(int vcpu, CpuState s) { synchronized (lock) { state[vcpu] = s; } }

    @Override public GuestMemory memory() { return memory; }

    @Override public Translator translator() { return translator; }

    @Override public DebugCapabilities capabilities() { return caps; }

    @Override public void setGuestDebug(int vcpu, GuestDebug d) { synchronized (lock) { debug[vcpu] = d; } }

    GuestDebug guestDebug(int vcpu) { synchronized (lock) { return debug[vcpu]; } }

    @Override public void pause() { synchronized (lock) { running = false; } }

    boolean isRunning() { synchronized (lock) { return running; } }

    @Override public void resume() {
        synchronized (lock) {
            if (killed || running) return;
            java.util.Arrays.fill(skipExec, true);
            running = true;
            lock.notifyAll();
        }
    }

    @Override public void step(int vcpu) {
        synchronized (lock) {
            if (killed) return;
            skipExec[vcpu] = true;
            StopEvent e = execute(vcpu);
            stops.add(e != null ? e : new StopEvent.StepDone(vcpu));
        }
    }

    @Override public StopEvent awaitStop(long timeoutMillis) throws InterruptedException {
        return stops.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override public void kill() {
        synchronized (lock) {
            killed = true;
            running = false;
        }
    }

    @Override public void close() {
        synchronized (lock) {
            closed = true;
            running = false;
            lock.notifyAll();
        }
    }

    private void run() {
        try {
            while (true) {
                synchronized (lock) {
                    while (!running && !closed) lock.wait();
                    if (closed) return;
                    for (int burst = 0; burst < 64 && running; burst++) {
                        for (int v = 0; v < vcpus && running; v++) {
                            StopEvent e = execute(v);
                            if (e != null) {
                                running = false;
                                stops.add(e);
                            }
                        }
                    }
                }
                Thread.yield();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One toy instruction on {@code v}; returns the stop it caused, if any. Caller holds the lock. */
    private StopEvent execute(int v) {
        CpuState s = state[v];
        long rip = s.rip();
        GuestDebug d = debug[v];
        if (!skipExec[v]) {
            for (int i = 0; i < GuestDebug.SLOTS; i++) {
                GuestDebug.Slot slot = d.slot(i);
                if (slot != null && slot.kind() == GuestDebug.Kind.EXECUTE && slot.address() == rip) return new StopEvent.Breakpoint(v, rip);
            }
        }
        skipExec[v] = false;
        instructions++;
        int op;
        try {
            op = memory.readByte(rip) & 0xff;
        } catch (GuestMemoryException e) {
            return new StopEvent.Fatal(v, String.format("instruction fetch at 0x%x outside RAM", rip));
        }
        long[] g = s.gprs();
        StopEvent after = null;
        switch (op) {
            case 0xf4 -> { state[v] = s.withRip(rip + 1); return new StopEvent.Exited((int) (s.rax() & 0xff)); }
            case 0xcc -> {
                if (d.softwareBreakpoints()) return new StopEvent.Breakpoint(v, rip);
                return new StopEvent.Fatal(v, "triple fault: #BP with no IDT");
            }
            case 0x88, 0x8a -> {
                long addr = s.rbx();
                try {
                    if (op == 0x88) memory.writeByte(addr, (byte) s.rax());
                    else g[0] = (s.rax() & ~0xffL) | (memory.readByte(addr) & 0xff);
                } catch (GuestMemoryException e) {
                    return new StopEvent.Fatal(v, String.format("data access at 0x%x outside RAM", addr));
                }
                for (int i = 0; i < GuestDebug.SLOTS; i++) {
                    GuestDebug.Slot slot = d.slot(i);
                    if (slot == null || slot.kind() == GuestDebug.Kind.EXECUTE || !slot.covers(addr, 1)) continue;
                    if (slot.kind() == GuestDebug.Kind.WRITE && op != 0x88) continue;
                    after = new StopEvent.Watchpoint(v, i, addr);
                    break;
                }
            }
            default -> { }
        }
        state[v] = s.withGprs(g, rip + 1, s.rflags());
        return after;
    }
}
