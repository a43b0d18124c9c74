package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.GuestMemoryException;

/**
 * The VM as the debugger sees it. The integrator implements this on real vCPUs; tests use a fake. All-stop
 * model: {@link #pause()} returns when every vCPU is out of KVM_RUN and parked; state and memory are only
 * read or written while paused. {@link #resume()} and {@link #step} return at once; the outcome arrives
 * as a {@link StopEvent} through {@link #awaitStop}, and before posting it the target pauses every vCPU.
 * Implementations must be thread-safe: the GDB server calls from its session thread while a waiter
 * thread blocks in {@link #awaitStop}.
 */
public interface DebugTarget {
    int vcpuCount();

    /** Registers of a paused vCPU (0-based). */
    CpuState state(int vcpu);

    /** Writes registers back (KVM_SET_REGS/SREGS/FPU/...); fields the host cannot set are ignored. */
    void setState(int vcpu, CpuState state);

    GuestMemory memory();

    /** Virtual-to-physical for {@link #readVirtual}; {@link Translator#IDENTITY} until the page walker lands. */
    Translator translator();

    /** Stops every vCPU (kicking running ones out of KVM_RUN) and waits until they are parked. Idempotent. */
    void pause();

    /** Lets every vCPU run; under --gdb-wait this is also what starts vCPUs that have not run yet. */
    void resume();

    /** Executes one instruction on {@code vcpu} with the others held; posts StepDone (or whatever stopped it). */
    void step(int vcpu);

    /** Applies breakpoints/watchpoints/single-step to one vCPU (the server sets every vCPU alike). */
    void setGuestDebug(int vcpu, GuestDebug debug);

    DebugCapabilities capabilities();

    /** The next stop event, or null after {@code timeoutMillis}. */
    StopEvent awaitStop(long timeoutMillis) throws InterruptedException;

    /** Ends the VM (GDB 'k'): vCPUs stop for good and the machine shuts down. */
    void kill();

    // ---- memory helpers, shared by every implementation ----

    default byte[] readPhysical(long gpa, int len) { return memory().read(gpa, len); }

    default void writePhysical(long gpa, byte[] data) { memory().write(gpa, data); }

    /** Reads guest-virtual memory page by page; throws {@link UnmappedException} naming the first bad byte. */
    default byte[] readVirtual(int vcpu, long gva, int len) {
        byte[] out = new byte[len];
        VirtualAccess.walk(this, vcpu, gva, len, false, (gpa, off, n) -> {
            byte[] part = memory().read(gpa, n);
            System.arraycopy(part, 0, out, off, n);
        });
        return out;
    }

    /** Writes guest-virtual memory; all pages are translated before any byte is written. */
    default void writeVirtual(int vcpu, long gva, byte[] data) {
        VirtualAccess.walk(this, vcpu, gva, data.length, true, (gpa, off, n) -> memory().write(gpa, data, off, n));
    }

    /** A guest address with no translation or no RAM behind it. */
    final class UnmappedException extends RuntimeException {
        private final long address;

        public UnmappedException(long address, String why) {
            super(String.format("0x%x: %s", address, why));
            this.address = address;
        }

        public long address() { return address; }
    }

    /** Page-splitting helper behind the default methods. */
    final class VirtualAccess {
        private static final long PAGE = 4096;

        interface Chunk { void at(long gpa, int offset, int len); }

        private VirtualAccess() {}

        static void walk(DebugTarget t, int vcpu, long gva, int len, boolean write, Chunk chunk) {
            if (len < 0) throw new IllegalArgumentException("negative length");
            int n = (int) ((len + 2 * PAGE - 1) / PAGE);
            long[] gpas = new long[n];
            int[] lens = new int[n];
            int count = 0;
            for (int done = 0; done < len; ) {
                long va = gva + done;
                int part = (int) Math.min(len - done, PAGE - (va & (PAGE - 1)));
                long gpa = switch (t.translator().translate(vcpu, va, write)) {
                    case Translator.Mapped m -> m.gpa();
                    case Translator.Fault f -> throw new UnmappedException(va, f.why());
                };
                if (!t.memory().isRam(gpa, part)) throw new UnmappedException(va, String.format("guest-physical 0x%x is not RAM", gpa));
                gpas[count] = gpa;
                lens[count++] = part;
                done += part;
            }
            int off = 0;
            for (int i = 0; i < count; i++) {
                try {
                    chunk.at(gpas[i], off, lens[i]);
                } catch (GuestMemoryException e) {
                    throw new UnmappedException(gva + off, e.getMessage());
                }
                off += lens[i];
            }
        }
    }
}
