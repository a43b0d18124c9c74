package dev.vmscope.emu;

/**
 * Unwinds an instruction that needs the VMM before it can finish (an MMIO read or a port read): nothing has
 * been committed, the exit waits in the CPU and the instruction is executed again from its start after the
 * VMM completes it (KVM's emulate.c read cache, x86.c complete_emulated_mmio).
 */
final class ExitRequest extends RuntimeException {
    static final ExitRequest INSTANCE = new ExitRequest();

    private ExitRequest() { super(null, null, false, false); }
}
