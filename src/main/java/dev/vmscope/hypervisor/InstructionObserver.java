package dev.vmscope.hypervisor;

/**
 * Sees every instruction a backend retires ({@code --trace insn}); only a backend that executes instructions
 * itself (the software CPU) can offer it. Called on the vCPU's thread after the instruction committed.
 */
@FunctionalInterface
public interface InstructionObserver {
    /** {@code rip} the instruction's address (CS-relative), {@code bytes} its encoding, {@code bits} its code size. */
    void retired(long rip, byte[] bytes, int bits);
}
