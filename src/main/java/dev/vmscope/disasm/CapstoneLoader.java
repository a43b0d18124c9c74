package dev.vmscope.disasm;

import java.util.Optional;

/** Loads the Capstone binding once. (Placeholder until the FFM binding lands.) */
final class CapstoneLoader {
    private CapstoneLoader() {}

    static Optional<Disassembler> load() { return Optional.empty(); }

    static String reason() { return "Capstone binding not built"; }
}
