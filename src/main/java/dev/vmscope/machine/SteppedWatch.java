package dev.vmscope.machine;

import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.debug.StopEvent;
import dev.vmscope.debug.Translator;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.GuestMemoryException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Write watchpoints for hosts whose debug registers never fire on data accesses (this development host's
 * KVM emulates ring-0 code and checks only code breakpoints; see DebugProbe). While a watch slot is set,
 * every running vCPU single-steps and after each instruction the watched bytes are compared with the
 * snapshot taken when the VM was resumed; a difference is reported as the slot's watchpoint, after the
 * store, as a hardware write watchpoint would. Limits, said on the console: a store that writes the value
 * already there goes unseen, and reads cannot be watched this way.
 */
final class SteppedWatch {
    /** One armed slot: the guest-virtual start GDB asked for, where it lives in RAM, and its last value. */
    private record Armed(int slot, long address, long gpa, byte[] value) {}

    private final GuestMemory memory;
    private final Translator translator;
    private volatile Armed[] armed = new Armed[0];

    SteppedWatch(GuestMemory memory, Translator translator) {
        this.memory = memory;
        this.translator = translator;
    }

    static boolean hasWatch(GuestDebug d) {
        for (GuestDebug.Slot s : d.slots()) if (s != null && s.kind() != GuestDebug.Kind.EXECUTE) return true;
        return false;
    }

    /** The configuration the debug registers get: execute slots only (data slots would never fire anyway). */
    static GuestDebug executeOnly(GuestDebug d) {
        GuestDebug.Slot[] slots = d.slots();
        for (int i = 0; i < slots.length; i++) if (slots[i] != null && slots[i].kind() != GuestDebug.Kind.EXECUTE) slots[i] = null;
        return new GuestDebug(d.singleStep(), d.softwareBreakpoints(), slots);
    }

    /** Snapshots the watched bytes; call while every vCPU is paused (KVM_TRANSLATE needs the vCPU out of KVM_RUN). */
    synchronized void arm(GuestDebug d) {
        List<Armed> a = new ArrayList<>();
        for (int i = 0; i < GuestDebug.SLOTS; i++) {
            GuestDebug.Slot s = d.slot(i);
            if (s == null || s.kind() == GuestDebug.Kind.EXECUTE) continue;
            if (translator.translate(0, s.address(), false) instanceof Translator.Mapped mp && memory.isRam(mp.gpa(), s.length()))
                a.add(new Armed(i, s.address(), mp.gpa(), memory.read(mp.gpa(), s.length())));
        }
        armed = a.toArray(new Armed[0]);
    }

    /** After one instruction on {@code vcpu}: the watchpoint whose bytes changed, or null. */
    synchronized StopEvent check(int vcpu) {
        Armed[] cur = armed;
        for (int i = 0; i < cur.length; i++) {
            Armed w = cur[i];
            byte[] now;
            try { now = memory.read(w.gpa(), w.value().length); } catch (GuestMemoryException e) { continue; }
            if (!Arrays.equals(now, w.value())) {
                cur[i] = new Armed(w.slot(), w.address(), w.gpa(), now);
                return new StopEvent.Watchpoint(vcpu, w.slot(), w.address());
            }
        }
        return null;
    }
}
