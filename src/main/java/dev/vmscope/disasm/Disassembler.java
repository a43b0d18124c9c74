package dev.vmscope.disasm;

import java.util.List;
import java.util.Optional;

/**
 * x86 disassembly for explain, crash dumps and the debugger. The implementation calls Capstone
 * (Debian's libcapstone4) through FFM; when the library is missing, {@link #capstone()} is empty and
 * callers print raw bytes with a note saying so.
 */
public interface Disassembler {
    /** One decoded instruction. */
    record Insn(long address, byte[] bytes, String mnemonic, String operands) {
        public String text() { return operands.isEmpty() ? mnemonic : mnemonic + " " + operands; }
    }

    /** @param bits 16, 32 or 64 */
    List<Insn> disassemble(byte[] code, long address, int bits, int maxInsns);

    /** Capstone when it can be loaded, else empty. */
    static Optional<Disassembler> capstone() { return CapstoneLoader.load(); }

    /** Why {@link #capstone()} is empty, for messages. */
    static String unavailableReason() { return CapstoneLoader.reason(); }
}
