/**
 * Virtio 1.x devices and their PCI transport (Virtual I/O Device specification 1.1, 4.1 "Virtio Over PCI
 * Bus"; 5.2 "Block Device"). {@link dev.vmscope.devices.virtio.VirtioPci} is a PCI function with the modern
 * capabilities and one memory BAR; the machine attaches it to the PCI bus, moves {@link
 * dev.vmscope.devices.virtio.VirtioPci#bar()} on the MMIO bus when the BAR moves, and routes its INTA line
 * through the PIIX3. {@link dev.vmscope.devices.virtio.VirtioBlk} serves a raw image file
 * ({@link dev.vmscope.devices.virtio.BlockImage}). Queues come from {@code dev.vmscope.virtio.queue}.
 */
package dev.vmscope.devices.virtio;
