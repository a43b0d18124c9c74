package dev.vmscope.devices.pci;

import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.VmControl;
import java.util.Objects;

/**
 * PCI configuration mechanism #1 for bus 0 (PCI Local Bus Specification 3.0, 3.2.2.3.2; QEMU
 * hw/pci/pci_host.c), plus the PIIX3 Reset Control Register that shares its port block.
 * Register ONE range: 0xcf8, length 8.
 * <ul>
 * <li>offset 0 (0xcf8), 32-bit only: CONFIG_ADDRESS = enable(31) | bus(23:16) | device(15:11) |
 *     function(10:8) | register(7:2). Other widths at 0xcf8 do not touch it (pci_host_config_write).
 * <li>offset 1 (0xcf9), 8-bit: Reset Control Register (Intel 82371SB datasheet 4.1.5; QEMU
 *     hw/isa/piix.c rcr_write): bit 2 (reset CPU) set resets the machine.
 * <li>offsets 4..7 (0xcfc..0xcff): CONFIG_DATA, any width at any offset within the dword; the low two
 *     address bits come from the port offset. With the enable bit clear, reads are all ones and writes
 *     are dropped.
 * </ul>
 * Empty slots, functions and other buses read all ones (master abort). Only bus 0 exists.
 */
public final class PciHostBridge implements BusDevice {
    public static final int LENGTH = 8;
    static final int ENABLE = 0x8000_0000;
    static final int RCR_RESET_CPU = 0x04, RCR_SYS_RESET = 0x02;
    public static final int SLOTS = 32, FUNCTIONS = 8;

    private final VmControl vm;
    private final PciDevice[] functions = new PciDevice[SLOTS * FUNCTIONS];
    private volatile BarListener barListener = BarListener.NONE;
    private int address;
    private int rcr;

    public PciHostBridge(VmControl vm) { this.vm = Objects.requireNonNull(vm, "vm"); }

    /** Places {@code dev} at 00:slot.function. */
    public synchronized void attach(int slot, int function, PciDevice dev) {
        if (slot < 0 || slot >= SLOTS || function < 0 || function >= FUNCTIONS)
            throw new IllegalArgumentException("bad PCI address " + slot + "." + function);
        int devfn = slot * FUNCTIONS + function;
        if (functions[devfn] != null) throw new IllegalStateException("PCI 00:" + slot + "." + function + " is taken");
        functions[devfn] = Objects.requireNonNull(dev, "dev");
    }

    public void setBarListener(BarListener l) { barListener = Objects.requireNonNull(l, "listener"); }

    /** The function at {@code CONFIG_ADDRESS}, or null (other bus, empty slot, decoding off). */
    private PciDevice target() {
        if ((address & ENABLE) == 0 || (address >>> 16 & 0xff) != 0) return null;
        return functions[address >>> 8 & 0xff];
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset == 0 && size == 4) return Integer.toUnsignedLong(address);
        if (offset == 1 && size == 1) return rcr;
        if (offset < 4 || offset >= LENGTH || size < 1 || size > 4) return Bus.ones(size);
        PciDevice dev = target();
        int reg = (address & 0xfc) | (int) (offset & 3);
        int n = Math.min(size, 4 - (int) (offset & 3)); // no crossing into the next dword
        if (dev == null) return Bus.ones(size);
        long v = Integer.toUnsignedLong(dev.configRead(reg, n)) & Bus.ones(n);
        return v | (Bus.ones(size) & ~Bus.ones(n));
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset == 0 && size == 4) { address = (int) value; return; }
        if (offset == 1 && size == 1) { writeRcr((int) value & 0xff); return; }
        if (offset < 4 || offset >= LENGTH || size < 1 || size > 4) return;
        PciDevice dev = target();
        if (dev == null) return;
        int reg = (address & 0xfc) | (int) (offset & 3);
        int n = Math.min(size, 4 - (int) (offset & 3));
        long[] before = bars(dev);
        dev.configWrite(reg, n, (int) value);
        notifyBarChanges(dev, before); // under the lock, so listeners see remaps in guest order
    }

    private void writeRcr(int value) {
        if ((value & RCR_RESET_CPU) != 0) {
            vm.reset("PIIX3 reset control register 0xcf9 = 0x" + Integer.toHexString(value));
            return;
        }
        rcr = value & RCR_SYS_RESET;
    }

    private static long[] bars(PciDevice dev) {
        long[] a = new long[PciConfigSpace.BAR_COUNT];
        for (int i = 0; i < a.length; i++) a[i] = dev.config().barAddress(i);
        return a;
    }

    private void notifyBarChanges(PciDevice dev, long[] before) {
        long[] after = bars(dev);
        PciConfigSpace c = dev.config();
        for (int i = 0; i < after.length; i++) {
            if (before[i] != after[i]) barListener.barChanged(dev, i, before[i], after[i], c.barSize(i), c.barIsIo(i));
        }
    }
}
