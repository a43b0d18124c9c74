package dev.vmscope.devices.irq;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The system bus between interrupt sources (ICR writes, IOAPIC, MSI) and local APICs: picks the
 * destination set of a message (SDM vol. 3 section 11.6.2: physical, logical flat/cluster, broadcast,
 * shorthands, lowest-priority arbitration) and hands it to each target. Also carries EOI broadcasts back to
 * IOAPICs.
 *
 * <p>Locking rule for all of devices.irq (no lock-order cycle is possible): locks are only taken in the
 * order Pit8254 / AcpiPm → Pic8259 → IoApic → LocalApic, and CpuSignals take none. The bus itself holds no
 * lock. A LocalApic never calls the bus, an IoApic or the PIC while holding its own lock (ICR sends, EOI
 * broadcasts and ExtINT acknowledges happen after it is released); it touches at most one LocalApic lock at
 * a time.
 */
public final class ApicBus {
    /** Sees every IPI: sender APIC ID, the ICR as written and the APIC IDs that accepted it. */
    public interface IpiTracer { void ipi(int senderId, IcrValue icr, List<Integer> targets); }

    private final List<LocalApic> apics = new CopyOnWriteArrayList<>();
    private final List<EoiListener> eoiListeners = new CopyOnWriteArrayList<>();
    private final LongAdder[] ipis = new LongAdder[8];
    private final LongAdder messages = new LongAdder();
    private final Consumer<String> log;
    private volatile IpiTracer tracer;

    /** @param log receives one line per invalid or dropped message (never null; use {@code s -> {}}) */
    public ApicBus(Consumer<String> log) {
        this.log = log;
        for (int i = 0; i < ipis.length; i++) ipis[i] = new LongAdder();
    }

    public ApicBus() { this(s -> { }); }

    void attach(LocalApic apic) { apics.add(apic); }

    public List<LocalApic> apics() { return List.copyOf(apics); }

    public void addEoiListener(EoiListener l) { eoiListeners.add(l); }

    public void setIpiTracer(IpiTracer t) { this.tracer = t; }

    void log(String line) { log.accept(line); }

    /** IPIs sent by ICR/SELF IPI writes with this delivery mode, including dropped ones. */
    public long ipiCount(DeliveryMode mode) { return ipis[mode.code()].sum(); }

    /** Messages from IOAPICs and MSIs. */
    public long messageCount() { return messages.sum(); }

    /** Delivers an IOAPIC or MSI message (no sender APIC). Returns the number of APICs it was addressed to. */
    public int deliver(ApicMessage m) {
        messages.increment();
        return deliver(m, null).size();
    }

    /** An IPI from {@code sender}'s ICR; counts it and reports it to the tracer. */
    List<Integer> sendIpi(LocalApic sender, IcrValue icr, boolean dropped) {
        ipis[icr.mode().code()].increment();
        List<Integer> targets = dropped ? List.of() : deliver(icr.message(), sender);
        IpiTracer t = tracer;
        if (t != null) t.ipi(sender.apicId(), icr, targets);
        return targets;
    }

    private List<Integer> deliver(ApicMessage m, LocalApic sender) {
        List<LocalApic> targets = new ArrayList<>();
        for (LocalApic a : apics) {
            boolean hit = switch (m.shorthand()) {
                case SELF -> a == sender;
                case ALL_INCLUDING_SELF -> true;
                case ALL_EXCLUDING_SELF -> a != sender;
                case NONE -> a.matchesDestination(m);
            };
            if (hit) targets.add(a);
        }
        if (m.mode() == DeliveryMode.LOWEST_PRIORITY && targets.size() > 1) {
            // SDM 11.6.2.4: the APIC with the lowest arbitration priority wins; ties go to the lowest ID
            // (the focus-processor optimisation is optional and not modelled).
            LocalApic best = null;
            int bestPri = Integer.MAX_VALUE;
            for (LocalApic a : targets) {
                int p = a.arbitrationPriority();
                if (p < bestPri || (p == bestPri && Integer.compareUnsigned(a.apicId(), best.apicId()) < 0)) {
                    best = a;
                    bestPri = p;
                }
            }
            targets = List.of(best);
        }
        List<Integer> ids = new ArrayList<>(targets.size());
        for (LocalApic a : targets) {
            a.accept(m.mode(), m.vector(), m.levelTriggered());
            ids.add(a.apicId());
        }
        return ids;
    }

    /** EOI of a level-triggered vector: tell every IOAPIC. Called by LocalApic with no lock held. */
    void broadcastEoi(int vector) {
        for (EoiListener l : eoiListeners) l.eoi(vector);
    }
}
