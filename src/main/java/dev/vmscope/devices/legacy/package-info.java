/**
 * PC/ISA device models. Each implements {@link dev.vmscope.bus.BusDevice} by offset; the machine
 * registers them at these conventional ranges (base, length):
 * <pre>
 * Serial16550      0x3f8,8 (COM1, IRQ 4) / 0x2f8,8 (COM2, IRQ 3)   IrqLine + ConsoleOutput/OutputStream
 * DebugExit        0xf4,4 (kvm-unit-tests iosize 4; 1..4 allowed)   VmControl.exit((v << 1) | 1)
 * DebugCon         0x402,1 (SeaBIOS/OVMF) or 0xe9,1                  output
 * Port80           0x80,1                                            -
 * BochsShutdown    0x8900,1                                          VmControl.powerOff
 * FwCfg            0x510,12 (selector/data 0x510-0x511, DMA 0x514)   GuestMemory for DMA
 * CmosRtc          0x70,2                                            Clock, RAM sizes, CPU count
 * I8042            data() 0x60,1 and control() 0x64,1               VmControl.reset, IRQ 1 and 12
 * Port92           0x92,1                                            VmControl.reset
 * PcTestDevScratch 0xe0,4 (and the same instance at 0xe8,4)          -
 * PcTestDevFlush   0xe4,4                                            GuestMemory (validation only)
 * PcTestDevIrq     0x2000,24                                         IntFunction of IrqLine per ISA IRQ
 * TestDevMmio      MMIO 0xff000000,0x10000                           -
 * </pre>
 */
package dev.vmscope.devices.legacy;
