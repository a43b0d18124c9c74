package dev.vmscope.machine;

import dev.vmscope.arch.x86.acpi.PlatformConfig;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.pci.PciConfigSpace;
import dev.vmscope.devices.pci.PciDevice;
import dev.vmscope.devices.pci.PciHostBridge;
import dev.vmscope.devices.pci.Piix3Isa;
import dev.vmscope.devices.virtio.Drive;
import dev.vmscope.devices.virtio.DriveException;
import dev.vmscope.devices.virtio.VirtioBlk;
import dev.vmscope.devices.virtio.VirtioPci;
import dev.vmscope.memory.GuestMemory;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The {@code --drive} disks: one virtio-blk PCI function per drive from 00:03.0 on, INTA routed through the
 * PIIX3 PIRQ registers to an ISA IRQ with the PIIX3 swizzle (QEMU hw/isa/piix.c pci_slot_get_pirq:
 * PIRQ = (pin + slot - 1) mod 4; SeaBIOS src/fw/pciinit.c uses the same). Lines that share an ISA IRQ are
 * wire-ORed. With firmware, SeaBIOS assigns the BARs, PIRQ routes and interrupt lines; for a direct kernel
 * boot {@link #assignForDirectBoot} does what it would.
 */
final class VirtioDisks implements AutoCloseable {
    /** After the i440FX (0), the PIIX3 (1) and pci-testdev (2). */
    static final int FIRST_SLOT = 3;
    /** PIIX3 PIRQ route control registers A-D (Intel 82371SB datasheet 4.1.10). */
    static final int PIIX3_PIRQRC = 0x60;
    /** Where a direct boot places the BARs: in the PCI hole, below the I/O APIC. */
    static final long DIRECT_BOOT_BAR_BASE = 0xfe00_0000L;

    private final List<VirtioPci> functions = new ArrayList<>();
    private final Piix3Isa piix3;
    private final boolean[] pirqAsserted = new boolean[4];
    private final boolean[] isaLevel = new boolean[16];
    private final IntFunction<IrqLine> isaIrq;

    /** Opens every drive's image (before any backend, so a bad image is one line and nothing else ran). */
    static List<VirtioBlk> open(List<Drive> drives) {
        List<VirtioBlk> disks = new ArrayList<>();
        try {
            for (int i = 0; i < drives.size(); i++) disks.add(drives.get(i).open("vmscope-vd" + (char) ('a' + Math.min(i, 25))));
            return disks;
        } catch (DriveException e) {
            closeImages(disks);
            throw e;
        }
    }

    /** Releases images that were opened but never attached (a later start-up step failed). */
    static void closeImages(List<VirtioBlk> disks) {
        for (VirtioBlk d : disks) closeQuietly(d);
    }

    VirtioDisks(List<VirtioBlk> disks, PciHostBridge pci, Piix3Isa piix3, GuestMemory memory, IntFunction<IrqLine> isaIrq,
                PrintStream diag) {
        this.piix3 = piix3;
        this.isaIrq = isaIrq;
        for (int i = 0; i < disks.size(); i++) {
            VirtioBlk blk = disks.get(i);
            int slot = FIRST_SLOT + i, pirq = PlatformConfig.pirq(slot, 0);
            VirtioPci f = new VirtioPci(blk, memory, asserted -> setPirq(pirq, asserted), VirtioPci.CLASS_STORAGE_SCSI);
            String name = "virtio-blk 00:0" + Integer.toHexString(slot) + ".0 (" + blk.image().path() + ")";
            f.setFaultListener(m -> diag.println("vmscope: " + name + ": " + m + "; the device needs a reset"));
            blk.setHostErrorListener(m -> diag.println("vmscope: warning: " + m));
            pci.attach(slot, 0, f);
            functions.add(f);
        }
    }

    /** The PIRQ lines, wire-ORed onto the ISA IRQ each is routed to now. */
    private synchronized void setPirq(int pirq, boolean asserted) {
        pirqAsserted[pirq] = asserted;
        boolean[] level = new boolean[16];
        for (int p = 0; p < 4; p++) {
            int irq = piix3.pirqRoute(p);
            if (pirqAsserted[p] && irq >= 0 && irq < 16) level[irq] = true;
        }
        for (int irq = 0; irq < 16; irq++) {
            if (level[irq] != isaLevel[irq]) {
                isaLevel[irq] = level[irq];
                isaIrq.apply(irq).set(level[irq]);
            }
        }
    }

    /** BAR {@code bar} of {@code dev} if it is one of these disks, else null. */
    BusDevice barDevice(PciDevice dev, int bar) {
        return dev instanceof VirtioPci f && functions.contains(f) && bar == VirtioPci.BAR ? f.bar() : null;
    }

    List<VirtioPci> functions() { return List.copyOf(functions); }

    /**
     * Without firmware: PIRQ A-D routed as SeaBIOS routes them, each function's interrupt line set, its BAR
     * placed (decoding stays off until the OS enables memory space, which moves it onto the MMIO bus).
     */
    void assignForDirectBoot() {
        for (int p = 0; p < 4; p++) piix3.config().setByte(PIIX3_PIRQRC + p, PcDevices.PCI_PIRQ_IRQS.get(p));
        for (int i = 0; i < functions.size(); i++) {
            PciConfigSpace c = functions.get(i).config();
            c.setByte(PciConfigSpace.INTERRUPT_LINE, PcDevices.PCI_PIRQ_IRQS.get(PlatformConfig.pirq(FIRST_SLOT + i, 0)));
            c.setDword(PciConfigSpace.BAR0 + 4 * VirtioPci.BAR, (int) (DIRECT_BOOT_BAR_BASE + i * VirtioPci.BAR_SIZE));
        }
    }

    private static void closeQuietly(VirtioBlk d) {
        try {
            d.image().close();
        } catch (IOException ignored) {
            // closing a read-only or already failing image: nothing to save
        }
    }

    @Override public void close() {
        for (VirtioPci f : functions) closeQuietly((VirtioBlk) f.device());
    }
}
