package dev.vmscope.machine;

import dev.vmscope.arch.x86.acpi.PlatformConfig;
import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.bus.BusRange;
import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.acpi.AcpiPm;
import dev.vmscope.devices.irq.GuestTime;
import dev.vmscope.devices.irq.SystemTime;
import dev.vmscope.devices.legacy.BochsShutdown;
import dev.vmscope.devices.legacy.CmosRtc;
import dev.vmscope.devices.legacy.DebugCon;
import dev.vmscope.devices.legacy.DebugExit;
import dev.vmscope.devices.legacy.FwCfg;
import dev.vmscope.devices.legacy.I8042;
import dev.vmscope.devices.legacy.PcTestDevFlush;
import dev.vmscope.devices.legacy.PcTestDevIrq;
import dev.vmscope.devices.legacy.PcTestDevScratch;
import dev.vmscope.devices.legacy.Port80;
import dev.vmscope.devices.legacy.Port92;
import dev.vmscope.devices.legacy.Serial16550;
import dev.vmscope.devices.legacy.TestDevMmio;
import dev.vmscope.devices.pci.I440fxHost;
import dev.vmscope.devices.pci.PciConfigSpace;
import dev.vmscope.devices.pci.PciDevice;
import dev.vmscope.devices.pci.PciHostBridge;
import dev.vmscope.devices.pci.PciTestDev;
import dev.vmscope.devices.pci.Piix3Isa;

import dev.vmscope.devices.VmControl;
import dev.vmscope.devices.virtio.VirtioBlk;
import dev.vmscope.memory.GuestMemory;

import java.io.PrintStream;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The PC's legacy and test devices and where they live: the only table of ports, addresses and ISA IRQs
 * in vmscope (QEMU's conventions: hw/i386/pc.c, hw/misc/pc-testdev.c, docs/specs/fw_cfg.rst).
 */
public final class PcDevices implements AutoCloseable {
    public static final int COM1_PORT = 0x3f8, COM1_IRQ = 4;
    public static final int DEBUG_EXIT_PORT = 0xf4, DEBUG_EXIT_SIZE = 4;
    public static final int DEBUGCON_PORT = 0x402;
    public static final int PCI_CONFIG_PORT = 0xcf8;
    public static final int BOCHS_SHUTDOWN_PORT = 0x8900;
    public static final int KBD_IRQ = 1, MOUSE_IRQ = 12;
    /** The interrupt controllers' ports when they run in Java (UserIrqchip): 8259 pair, ELCR, 8254, port 0x61. */
    public static final int PIC_MASTER_PORT = 0x20, PIC_SLAVE_PORT = 0xa0, PIC_ELCR_PORT = 0x4d0, PIT_PORT = 0x40, PORT61 = 0x61;
    public static final int PORT80 = 0x80, FW_CFG_PORT = 0x510, CMOS_PORT = 0x70, I8042_DATA_PORT = 0x60,
            I8042_CONTROL_PORT = 0x64, PORT92 = 0x92;
    /** QEMU pc-testdev (hw/misc/pc-testdev.c): scratch 0xe0 and its byte alias 0xe8, flush 0xe4, IRQ lines 0x2000. */
    public static final int TESTDEV_SCRATCH_PORT = 0xe0, TESTDEV_SCRATCH_BYTE_PORT = 0xe8, TESTDEV_FLUSH_PORT = 0xe4,
            TESTDEV_IRQ_PORT = 0x2000;
    /** The ACPI PM1 block (PM1a event/control, PM timer) and the FADT's reset register: I/O port, value. */
    public static final int ACPI_PM_PORT = 0x600, ACPI_RESET_PORT = 0x64, ACPI_RESET_VALUE = 0xfe, SCI_IRQ = 9;

    /** What the ACPI and MP tables describe for {@code cpus} CPUs: this machine's addresses, ports and IRQs. */
    public static PlatformConfig platformConfig(int cpus) {
        return new PlatformConfig(cpus, cpus <= 15 ? cpus : 0, MemoryMap.IOAPIC, MemoryMap.LAPIC, SCI_IRQ, ACPI_PM_PORT,
                ACPI_RESET_PORT, ACPI_RESET_VALUE, true, "VMSCPE", "VMSCOPE");
    }

    private final Serial16550 com1;
    private final FwCfg fwCfg;
    private final PciHostBridge pci;
    private final I440fxHost i440fx = new I440fxHost();
    private final CmosRtc cmos;
    private final PlatformConfig platform;
    private final AcpiPm acpiPm;
    private final GuestTime time;
    private final boolean ownsTime;
    private final Piix3Isa piix3 = new Piix3Isa();
    private volatile VirtioDisks disks;

    /**
     * @param isaIrq ISA IRQ line n as the interrupt controller sees it (in-kernel or Java)
     * @param debugcon where port 0x402 output goes
     */
    public PcDevices(Bus pio, Bus mmio, GuestMemory memory, VmControl m, long ramBytes, int smp, PrintStream diag,
                     ConsoleOutput console, ConsoleOutput debugcon, IntFunction<IrqLine> isaIrq) {
        this(pio, mmio, memory, m, ramBytes, smp, diag, console, debugcon, isaIrq, new SystemTime(), true);
    }

    /**
     * @param time the machine's clocks (host time, or deterministic mode's virtual clock) for the RTC and ACPI PM timer
     * @param ownsTime close {@code time} with the devices
     */
    public PcDevices(Bus pio, Bus mmio, GuestMemory memory, VmControl m, long ramBytes, int smp, PrintStream diag,
                     ConsoleOutput console, ConsoleOutput debugcon, IntFunction<IrqLine> isaIrq, GuestTime time,
                     boolean ownsTime) {
        this.time = time;
        this.ownsTime = ownsTime;
        com1 = new Serial16550(console, isaIrq.apply(COM1_IRQ));
        pio.register(new BusRange(COM1_PORT, 8), com1, "com1");
        pio.register(new BusRange(DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE), new DebugExit(m), "isa-debug-exit");
        pio.register(new BusRange(DEBUGCON_PORT, 1), new DebugCon(debugcon), "debugcon");
        pio.register(new BusRange(PORT80, 1), new Port80(), "port80");
        pio.register(new BusRange(BOCHS_SHUTDOWN_PORT, 1), new BochsShutdown(m), "bochs-shutdown");
        fwCfg = new FwCfg(memory, ramBytes, smp);
        pio.register(new BusRange(FW_CFG_PORT, FwCfg.IO_LENGTH), fwCfg, "fw_cfg");
        cmos = CmosRtc.forRam(time.calendar(), ramBytes, MemoryMap.LOWMEM_LIMIT, smp);
        pio.register(new BusRange(CMOS_PORT, 2), cmos, "cmos-rtc");
        I8042 kbd = new I8042(m, isaIrq.apply(KBD_IRQ), isaIrq.apply(MOUSE_IRQ));
        pio.register(new BusRange(I8042_DATA_PORT, 1), kbd.data(), "i8042-data");
        pio.register(new BusRange(I8042_CONTROL_PORT, 1), kbd.control(), "i8042-control");
        pio.register(new BusRange(PORT92, 1), new Port92(m), "port92");
        // ACPI fixed hardware where the FADT (arch.x86.acpi.AcpiTables.fadt) says it is, SCI on its ISA IRQ.
        platform = platformConfig(smp);
        acpiPm = new AcpiPm(m, isaIrq.apply(platform.sciIrq()), time, time, e -> diag.println("vmscope: " + e));
        pio.register(new BusRange(platform.pmBase(), AcpiPm.LENGTH), acpiPm, "acpi-pm");
        // QEMU pc-testdev: scratch at 0xe0 and its byte alias at 0xe8, flush page 0xe4, IRQ lines 0x2000.
        PcTestDevScratch scratch = new PcTestDevScratch();
        pio.register(new BusRange(TESTDEV_SCRATCH_PORT, PcTestDevScratch.LENGTH), scratch, "pc-testdev");
        pio.register(new BusRange(TESTDEV_SCRATCH_BYTE_PORT, PcTestDevScratch.LENGTH), scratch, "pc-testdev-byte");
        pio.register(new BusRange(TESTDEV_FLUSH_PORT, PcTestDevFlush.LENGTH), new PcTestDevFlush(memory), "pc-testdev-flush");
        pio.register(new BusRange(TESTDEV_IRQ_PORT, PcTestDevIrq.LENGTH), new PcTestDevIrq(isaIrq), "pc-testdev-irq");
        mmio.register(new BusRange(MemoryMap.PC_TESTDEV_MMIO, TestDevMmio.LENGTH), new TestDevMmio(), "pc-testdev-mmio");
        // PCI: i440FX host at 00:00.0, PIIX3 ISA bridge at 00:01.0, pci-testdev at 00:02.0.
        pci = new PciHostBridge(m);
        pci.attach(0, 0, i440fx);
        pci.attach(1, 0, piix3);
        pci.attach(2, 0, new PciTestDev());
        pci.setBarListener((dev, bar, oldAddr, newAddr, size, io) -> moveBar(io ? pio : mmio, diag, dev, bar, oldAddr, newAddr, size,
                disks));
        pio.register(new BusRange(PCI_CONFIG_PORT, 8), pci, "pci-config");
    }

    private static void moveBar(Bus bus, PrintStream diag, PciDevice dev, int bar, long oldAddr, long newAddr, long size,
                                VirtioDisks disks) {
        if (oldAddr != PciConfigSpace.UNMAPPED) bus.unregister(oldAddr);
        if (newAddr == PciConfigSpace.UNMAPPED || size <= 0) return;
        BusDevice target = dev instanceof PciTestDev t ? (bar == 0 ? t.mmio() : bar == 1 ? t.pio() : null)
                : disks != null ? disks.barDevice(dev, bar) : null;
        if (target == null) return;
        try {
            bus.register(new BusRange(newAddr, size), target, (dev instanceof PciTestDev ? "pci-testdev" : "virtio-blk") + " BAR" + bar);
        } catch (IllegalStateException overlap) {
            // The guest placed a BAR over another device: leave it undecoded, as a conflicting decode would be.
            diag.println("vmscope: note: " + overlap.getMessage() + "; BAR left unmapped");
        }
    }

    public Serial16550 com1() { return com1; }

    public FwCfg fwCfg() { return fwCfg; }

    public PciHostBridge pci() { return pci; }

    /**
     * Plugs the {@code --drive} disks into the PCI bus (from 00:03.0), their INTA lines routed by the PIIX3;
     * their BARs reach the MMIO bus when the guest enables them. Call once, before any vCPU runs.
     */
    public void attachDisks(List<VirtioBlk> blks, GuestMemory memory, IntFunction<IrqLine> isaIrq, PrintStream diag) {
        if (disks != null) throw new IllegalStateException("disks already attached");
        if (!blks.isEmpty()) disks = new VirtioDisks(blks, pci, piix3, memory, isaIrq, diag);
    }

    /** The virtio disks, or null when none were attached. */
    VirtioDisks disks() { return disks; }

    /** The north bridge at 00:00.0 (its PAM registers decode the BIOS window when firmware runs). */
    public I440fxHost i440fx() { return i440fx; }

    public CmosRtc cmos() { return cmos; }

    /** The machine the ACPI and MP tables describe (CPU count, PM block, SCI). */
    public PlatformConfig platform() { return platform; }

    public AcpiPm acpiPm() { return acpiPm; }

    /** Stops the PM timer's scheduler thread (the interrupt controllers own theirs). */
    @Override public void close() {
        if (ownsTime) time.close();
        if (disks != null) disks.close();
    }
}
