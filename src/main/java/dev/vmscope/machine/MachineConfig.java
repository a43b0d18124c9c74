package dev.vmscope.machine;

import dev.vmscope.debug.DebugOptions;
import dev.vmscope.devices.virtio.Drive;
import dev.vmscope.loader.LinuxEntry;

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
        FlatLoad flat,        // non-null = load --kernel as a flat binary
        Accel accel,          // --accel: which backend runs the guest
        boolean deterministic, // --deterministic (software CPU): one thread, time from the instruction count
        List<Drive> drives,   // --drive: virtio-blk disks, in order
        LinuxEntry linuxEntry) { // --linux-entry: how a bzImage is entered

    public enum IrqchipMode { KERNEL, USER }

    /** {@code --accel}: KVM, the software CPU, or KVM when /dev/kvm is usable and the software CPU otherwise. */
    public enum Accel { KVM, EMU, AUTO }

    public MachineConfig(long ramBytes, int smp, IrqchipMode irqchip, Path kernel, String append, List<Path> modules,
                         Path bios, boolean trace, long timeoutMillis, Path statsJson, boolean summary,
                         DebugOptions debug, FlatLoad flat) {
        this(ramBytes, smp, irqchip, kernel, append, modules, bios, trace, timeoutMillis, statsJson, summary, debug,
                flat, Accel.AUTO, false);
    }

    public MachineConfig(long ramBytes, int smp, IrqchipMode irqchip, Path kernel, String append, List<Path> modules,
                         Path bios, boolean trace, long timeoutMillis, Path statsJson, boolean summary,
                         DebugOptions debug, FlatLoad flat, Accel accel, boolean deterministic) {
        this(ramBytes, smp, irqchip, kernel, append, modules, bios, trace, timeoutMillis, statsJson, summary, debug,
                flat, accel, deterministic, List.of(), LinuxEntry.BOOT32);
    }

    public MachineConfig {
        drives = drives == null ? List.of() : List.copyOf(drives);
        linuxEntry = linuxEntry == null ? LinuxEntry.BOOT32 : linuxEntry;
    }

    public MachineConfig withAccel(Accel a, boolean det) {
        return new MachineConfig(ramBytes, smp, irqchip, kernel, append, modules, bios, trace, timeoutMillis, statsJson,
                summary, debug, flat, a, det, drives, linuxEntry);
    }

    /** The same machine with these disks and this Linux entry. */
    public MachineConfig withDisks(List<Drive> d, LinuxEntry e) {
        return new MachineConfig(ramBytes, smp, irqchip, kernel, append, modules, bios, trace, timeoutMillis, statsJson,
                summary, debug, flat, accel, deterministic, d, e);
    }

    /** A flat binary: load address, entry address and CPU mode ("real", "prot32", "long64"). */
    public record FlatLoad(long loadAddress, long entry, String mode) {}

    public static MachineConfig defaults() {
        return new MachineConfig(128L << 20, 1, IrqchipMode.KERNEL, null, null, List.of(), null, false, 0, null,
                true, DebugOptions.NONE, null);
    }
}
