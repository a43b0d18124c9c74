package dev.vmscope.bus;

/**
 * A device model as the bus sees it: accesses by offset within the device's range, never by absolute
 * port or address, so the same model can sit anywhere (rust-vmm vm-device, Firecracker BusDevice).
 * Sizes are 1, 2, 4 or 8 bytes. Values are little-endian, zero-extended in the low {@code size} bytes.
 * Implementations must tolerate any offset and size a hostile guest produces and must not throw.
 */
public interface BusDevice {
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
