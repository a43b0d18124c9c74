package dev.vmscope.machine;

import dev.vmscope.debug.DebugOptions;

import java.nio.file.Path;
import java.util.List;

/** Everything `vmscope run` can be told. Validated by the CLI before a machine is built. */
public record MachineConfig(
        long ramBytes,
        int smp,
        IrqchipMode irqchip,
        Path kernel,          // null = the built-in guest
        String append,        // null = none
        List<Path> modules,
        Path bios,            // null = direct kernel boot
        boolean trace,
        long timeoutMillis,   // 0 = none
        Path statsJson,       // null = none
        boolean summary,
        DebugOptions debug,   // --gdb, --gdb-wait, --dump-core, --crash-dir
        FlatLoad flat) {      // non-null = load --kernel as a flat binary

    public enum IrqchipMode { KERNEL, USER }

    /** A flat binary: load address, entry address and CPU mode ("real", "prot32", "long64"). */
    public record FlatLoad(long loadAddress, long entry, String mode) {}

    public static MachineConfig defaults() {
        return new MachineConfig(128L << 20, 1, IrqchipMode.KERNEL, null, null, List.of(), null, false, 0, null,
                true, DebugOptions.NONE, null);
    }
}
