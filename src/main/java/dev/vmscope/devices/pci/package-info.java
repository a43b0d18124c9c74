/**
 * PCI bus 0 behind configuration mechanism #1. Register {@link dev.vmscope.devices.pci.PciHostBridge}
 * at ports 0xcf8, length 8 (it also holds the PIIX3 reset control register 0xcf9). Attach
 * {@link dev.vmscope.devices.pci.I440fxHost} at 00:00.0 and {@link dev.vmscope.devices.pci.Piix3Isa}
 * at 00:01.0, then other functions. BAR ranges are not registered by the bridge: install a
 * {@link dev.vmscope.devices.pci.BarListener} and move the device's BusDevice (for pci-testdev,
 * {@code mmio()} and {@code pio()}) on the port or MMIO bus when told.
 */
package dev.vmscope.devices.pci;
