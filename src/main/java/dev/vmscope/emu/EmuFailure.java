package dev.vmscope.emu;

/**
 * The emulator cannot execute the current instruction (not implemented, or code fetched from MMIO). It ends
 * run() with KVM's emulation-failure exit (KVM_INTERNAL_ERROR_EMULATION) naming the instruction bytes.
 */
final class EmuFailure extends RuntimeException {
    EmuFailure(String message) { super(message, null, false, false); }
}
