package dev.vmscope.emu;

/**
 * Sees every instruction the software CPU retires (for {@code --trace insn}). Called on the vCPU's thread
 * after the instruction committed; {@code rip} is its address (CS-relative), {@code bytes} its encoding and
 * {@code bits} the code size it was decoded for. The observer may call {@link EmuCpu#state()} to see the
 * registers after it. Costs nothing while none is set.
 */
@FunctionalInterface
public interface InstructionObserver {
    void retired(EmuCpu cpu, long rip, byte[] bytes, int bits);
}
