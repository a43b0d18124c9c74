/**
 * User-mode interrupt controllers for {@code --irqchip user}: {@link dev.vmscope.devices.irq.LocalApic}
 * (one per vCPU), {@link dev.vmscope.devices.irq.ApicBus}, {@link dev.vmscope.devices.irq.IoApic},
 * {@link dev.vmscope.devices.irq.Pic8259}, {@link dev.vmscope.devices.irq.Pit8254} and
 * {@link dev.vmscope.devices.irq.IsaIrqRouter}. Pure Java, no KVM calls.
 *
 * <p>Wiring: one ApicBus; LocalApic(i, i == 0, bus, cpuSignals[i], clock, scheduler, options) for each vCPU;
 * IoApic(ioapicId, bus); Pic8259.connect(bsp); IsaIrqRouter(pic, ioapic); Pit8254(isa.line(0), clock,
 * scheduler). The vCPU loop asks its LocalApic {@code hasInterrupt()} and injects {@code acknowledge()}.
 *
 * <p>Lock order (no cycle is possible): Pit8254 / AcpiPm → Pic8259 → IoApic → LocalApic, one LocalApic at a
 * time; {@link dev.vmscope.devices.irq.CpuSignals} and log callbacks take no controller lock and never call
 * back into a controller. A LocalApic releases its lock before sending IPIs, broadcasting EOIs or running the
 * ExtINT acknowledge through the PIC. Timer callbacks run on the scheduler thread and take the same locks.
 */
package dev.vmscope.devices.irq;
