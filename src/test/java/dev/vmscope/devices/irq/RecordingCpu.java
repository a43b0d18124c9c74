package dev.vmscope.devices.irq;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** CpuSignals that records what was asked, for assertions. */
final class RecordingCpu implements CpuSignals {
    final List<String> events = new CopyOnWriteArrayList<>();
    /** When set, INIT is taken at once, as a CPU at an instruction boundary would. */
    LocalApic apic;

    public void kick() { }
    public void nmi() { events.add("nmi"); }
    public void smi() { events.add("smi"); }
    public void init() {
        events.add("init");
        if (apic != null) apic.takeInit();
    }
    public void startup(int vector) { events.add(String.format("sipi:%02x", vector)); }

    /** Four APICs 0..3 (0 is the BSP) on one bus. */
    static final class Machine {
        final ManualTime time = new ManualTime();
        final List<String> log = new CopyOnWriteArrayList<>();
        final ApicBus bus = new ApicBus(log::add);
        final RecordingCpu[] cpus = new RecordingCpu[4];
        final LocalApic[] apics = new LocalApic[4];

        Machine() { this(LocalApic.Options.defaults()); }

        Machine(LocalApic.Options opt) {
            for (int i = 0; i < 4; i++) {
                cpus[i] = new RecordingCpu();
                apics[i] = new LocalApic(i, i == 0, bus, cpus[i], time, time, opt);
                cpus[i].apic = apics[i];
            }
        }

        /** Software-enables every APIC (SVR = 0x1ff). */
        Machine enabled() {
            for (LocalApic a : apics) a.write(LocalApic.SVR, 4, 0x1ff);
            return this;
        }
    }
}
