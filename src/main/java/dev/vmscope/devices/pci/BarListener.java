package dev.vmscope.devices.pci;

/**
 * Told when the guest moves, enables or disables a BAR so the machine can move the device's range on its
 * port-I/O or MMIO bus. An address of {@link PciConfigSpace#UNMAPPED} means "not decoded" (decode
 * disabled in the command register, BAR zero, mid-sizing, or beyond the address space).
 */
@FunctionalInterface
public interface BarListener {
    void barChanged(PciDevice device, int barIndex, long oldAddr, long newAddr, long size, boolean isIo);

    BarListener NONE = (d, i, o, n, s, io) -> { };
}
