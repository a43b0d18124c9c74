package dev.vmscope.devices.pci;

/**
 * A function on the PCI bus as the host bridge sees it: its 256-byte configuration space. Devices with
 * special registers override the accessors; BAR decoding is read back from {@link #config()} after every
 * write so the bridge can report remaps.
 */
public interface PciDevice {
    PciConfigSpace config();

    /** Reads {@code size} (1, 2 or 4) bytes at {@code offset} (0..255, within one dword). */
    default int configRead(int offset, int size) { return config().read(offset, size); }

    default void configWrite(int offset, int size, int value) { config().write(offset, size, value); }
}
