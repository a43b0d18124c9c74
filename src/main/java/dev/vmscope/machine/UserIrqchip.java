package dev.vmscope.machine;

import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.bus.BusRange;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.irq.ApicBus;
import dev.vmscope.devices.irq.IcrValue;
import dev.vmscope.devices.irq.IoApic;
import dev.vmscope.devices.irq.IsaIrqRouter;
import dev.vmscope.devices.irq.LocalApic;
import dev.vmscope.devices.irq.Pic8259;
import dev.vmscope.devices.irq.Pit8254;
import dev.vmscope.devices.irq.GuestTime;
import dev.vmscope.vcpu.CurrentVcpu;
import dev.vmscope.vcpu.ExitTrace;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * --irqchip user: the PC's interrupt controllers in Java (8259 pair, 8254, IOAPIC, one local APIC per
 * vCPU), registered where a PC has them. The APIC page at 0xfee00000 is banked: each vCPU thread reaches
 * its own APIC there, as on hardware.
 */
final class UserIrqchip implements AutoCloseable {
    static final int RUNNING = 0, HALTED = 1, HALTED_NO_IF = 2, WAIT_SIPI = 3;

    private final GuestTime time;
    private final ApicBus apicBus;
    private final IoApic ioapic;
    private final Pic8259 pic = new Pic8259();
    private final Pit8254 pit;
    private final IsaIrqRouter router;
    private final List<LocalApic> lapics = new ArrayList<>();
    private final AtomicIntegerArray states;

    /**
     * @param vcpus the machine's vCPUs as they are created (read when an IPI is sent, for its statistics)
     * @param time  the timers' clock (owned by the machine, not closed here)
     */
    UserIrqchip(int cpus, Bus pio, Bus mmio, List<dev.vmscope.vcpu.Vcpu> vcpus, ExitTrace trace, java.io.PrintStream diag,
                GuestTime time) {
        this.time = time;
        this.states = new AtomicIntegerArray(cpus);
        this.apicBus = new ApicBus(s -> diag.println("vmscope: apic: " + s));
        this.ioapic = new IoApic(cpus, apicBus);
        this.router = new IsaIrqRouter(pic, ioapic);
        this.pit = new Pit8254(router.line(0), time, time);
        apicBus.setIpiTracer((sender, icr, targets) -> {
            // Runs on the sending vCPU's thread (its ICR write), so that vCPU's own statistics may be updated
            // here. The thread names the vCPU; the APIC ID is the guest's (it may have rewritten xAPIC IDs).
            int vcpu = CurrentVcpu.id();
            if (vcpu >= 0 && vcpu < vcpus.size()) vcpus.get(vcpu).stats().ipi(icr.mode().name().toLowerCase());
            // e.g. "from APIC 0: INIT vec=0x00 dest=all-but-self assert edge -> APIC IDs [1, 2, 3]"; dest= is
            // the shorthand (self, all, all-but-self) or, with none, phys:/logical: and the destination field.
            if (trace != null)
                trace.event(vcpu, "ipi", "from APIC " + sender + ": " + icr.describe() + " -> "
                        + (targets.isEmpty() ? "nobody" : "APIC IDs " + targets));
        });
        pio.register(new BusRange(PcDevices.PIC_MASTER_PORT, 2), pic.master(), "pic-master");
        pio.register(new BusRange(PcDevices.PIC_SLAVE_PORT, 2), pic.slave(), "pic-slave");
        pio.register(new BusRange(PcDevices.PIC_ELCR_PORT, 2), pic.elcr(), "pic-elcr");
        pio.register(new BusRange(PcDevices.PIT_PORT, 4), pit, "pit");
        pio.register(new BusRange(PcDevices.PORT61, 1), pit.port61(), "pit-port61");
        mmio.register(new BusRange(MemoryMap.IOAPIC, IoApic.MMIO_SIZE), ioapic, "ioapic");
        mmio.register(new BusRange(MemoryMap.LAPIC, LocalApic.MMIO_SIZE), new BankedApic(), "lapic");
    }

    /** ISA IRQ lines for devices: to the PIC and the IOAPIC. */
    IrqLine isaIrq(int irq) { return router.line(irq); }

    LocalApic createLapic(int id, CpuRuntime cpu, LocalApic.Options options) {
        LocalApic l = new LocalApic(id, id == 0, apicBus, cpu, time, time, options);
        if (id == 0) pic.connect(l);
        lapics.add(l);
        if (id != 0) states.set(id, WAIT_SIPI);
        return l;
    }

    ApicBus apicBus() { return apicBus; }

    List<LocalApic> lapics() { return lapics; }

    void state(int vcpu, int s) { states.set(vcpu, s); }

    /** Every vCPU halted with interrupts off or waiting for SIPI: nothing can ever wake the guest. */
    boolean allHaltedForever() {
        for (int i = 0; i < states.length(); i++) {
            int s = states.get(i);
            if (s != HALTED_NO_IF && s != WAIT_SIPI) return false;
        }
        return true;
    }

    /** Text dump of every controller, for `monitor lapic` and crash reports. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (LocalApic l : lapics) sb.append(l.describe()).append('\n');
        sb.append(ioapic.describe()).append('\n').append(pic.describe()).append('\n').append(pit.describe()).append('\n');
        return sb.toString();
    }

    private final class BankedApic implements BusDevice {
        private LocalApic current() {
            int id = CurrentVcpu.id();
            return lapics.get(id >= 0 && id < lapics.size() ? id : 0);
        }

        public long read(long offset, int size) { return current().read(offset, size); }

        public void write(long offset, int size, long value) { current().write(offset, size, value); }
    }

    @Override public void close() { }
}
