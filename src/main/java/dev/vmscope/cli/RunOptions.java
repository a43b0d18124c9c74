package dev.vmscope.cli;

import dev.vmscope.debug.DebugOptions;
import dev.vmscope.machine.MachineConfig;
import dev.vmscope.machine.MachineConfig.IrqchipMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

/**
 * The options of {@code vmscope run}, each under vmscope's spelling and QEMU's ({@code --kernel} and
 * {@code -kernel}). Fields hold what was typed; {@link #config} checks and converts it, so every bad value is
 * one error line naming the option. To add an option: a field here, and its use in {@link #config}.
 */
final class RunOptions {
    @Option(names = {"--kernel", "-kernel"}, paramLabel = "FILE", description = "multiboot v1 kernel (ELF or a.out kludge),"
            + " Linux bzImage (32-bit boot protocol), or a flat binary with --load-addr; default: the built-in guest")
    String kernel;
    @Option(names = {"--append", "-append"}, paramLabel = "ARGS", description = "kernel command line")
    String append;
    @Option(names = {"--module", "--initrd", "-initrd"}, paramLabel = "FILE[,FILE...]",
            description = "multiboot module, or the bzImage's initrd (repeatable)")
    List<String> modules = new ArrayList<>();
    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "guest RAM, e.g. 512M, 2G (bare number: MiB)")
    String memory;
    @Option(names = {"--smp", "-smp"}, paramLabel = "N", description = "vCPUs (1-255); QEMU's cpus=N form is accepted")
    String smp;
    @Option(names = {"--accel", "-accel"}, paramLabel = "kvm|emu|auto", description = "backend: KVM, the software CPU"
            + " (QEMU's tcg), or KVM when /dev/kvm is usable (default)")
    String accel;
    @Option(names = "-enable-kvm", description = "QEMU's spelling of --accel kvm")
    boolean enableKvm;
    @Option(names = "--deterministic", description = "software CPU: one thread, time follows the instruction count")
    boolean deterministic;
    @Option(names = "--irqchip", paramLabel = "kernel|user", description = "interrupt controllers in KVM (default) or in Java")
    String irqchip;
    @Option(names = {"--bios", "-bios"}, paramLabel = "FILE", description = "firmware image mapped below 4 GiB (e.g. SeaBIOS)")
    String bios;
    @Option(names = {"--drive", "-drive"}, paramLabel = "file=IMG,format=raw,if=virtio[,readonly=on]",
            description = "a virtio-blk disk (PCI 00:03.0 on) backed by a raw image file (QEMU's syntax)")
    List<String> drives = new ArrayList<>();
    @Option(names = "--linux-entry", paramLabel = "32|64|vmlinux",
            description = "how a bzImage is entered: 32-bit protocol (default), 64-bit protocol, or decompressed on the host")
    String linuxEntry;
    @Option(names = "--trace", arity = "0..1", fallbackValue = "exits", paramLabel = "exits|insn",
            description = "print one line per exit on stderr (read back by 'vmscope stats'); 'insn' adds every "
                    + "executed instruction with the registers it changed (software CPU)")
    String trace;
    @Option(names = "--timeout", paramLabel = "DURATION", description = "stop the guest after 10s, 500ms, 2m (status 8)")
    String timeout;
    @Option(names = "--stats-json", paramLabel = "FILE", description = "write the exit statistics as JSON (vmscope-stats-v1)")
    String statsJson;
    @Option(names = "--no-summary", description = "do not print the exit summary")
    boolean noSummary;
    @Option(names = "--debugcon", paramLabel = "FILE|stderr", description = "where the debug console (port 0x402) goes")
    String debugcon;
    @Option(names = {"--serial", "-serial"}, paramLabel = "stdio", description = "COM1 is always stdio; other values are refused")
    String serial;
    @Option(names = {"--display", "-display"}, paramLabel = "none", description = "vmscope has no display: only 'none'")
    String display;
    @Option(names = "-nographic", description = "accepted: COM1 is on stdout already")
    boolean nographic;
    @Option(names = "-no-reboot", description = "accepted: a guest's reset request always ends the run (status 0)")
    boolean noReboot;
    @Option(names = "--load-addr", paramLabel = "ADDR", description = "flat binary: load address (default 0x100000)")
    String loadAddr;
    @Option(names = "--entry", paramLabel = "ADDR", description = "flat binary: entry point (default: the load address)")
    String entry;
    @Option(names = "--mode", paramLabel = "real|prot32|long64", description = "flat binary: CPU mode at entry (default prot32)")
    String mode;
    @Option(names = {"--gdb", "-gdb"}, paramLabel = "[HOST:]PORT", description = "serve the GDB remote protocol"
            + " (127.0.0.1 unless HOST is given; QEMU's tcp::PORT is accepted)")
    String gdb;
    @Option(names = "-s", description = "QEMU's shorthand for --gdb 1234")
    boolean gdbDefault;
    @Option(names = {"--gdb-wait", "-S"}, description = "with --gdb: stop before the first instruction until GDB continues")
    boolean gdbWait;
    @Option(names = "--dump-core", paramLabel = "FILE", description = "write an ELF core (QEMU dump-guest-memory layout) when the VM stops")
    String dumpCore;
    @Option(names = "--crash-dir", paramLabel = "DIR", description = "directory for vmscope-crash-*.txt/.json reports (default: .)")
    String crashDir;

    /** Checks every value; output paths are checked here too, before any guest starts. */
    MachineConfig config() {
        MachineConfig d = MachineConfig.defaults();
        long ram = memory == null ? d.ramBytes() : Options.size("m", memory.startsWith("size=") ? memory.substring(5) : memory);
        if (ram < (2L << 20)) throw new CliException("-m: at least 2M of RAM is needed");
        int cpus = smp == null ? 1 : Options.intIn("smp", smp.split(",")[0].replace("cpus=", ""), 1, 255);
        IrqchipMode irq = irqchip == null ? IrqchipMode.KERNEL : switch (irqchip) {
            case "kernel" -> IrqchipMode.KERNEL;
            case "user" -> IrqchipMode.USER;
            default -> throw new CliException("--irqchip: expected 'kernel' or 'user', not '" + irqchip + "'");
        };
        MachineConfig.Accel acc = accel();
        Path k = kernel == null ? null : Options.readableFile("kernel", kernel);
        Path fw = bios == null ? null : firmware(bios);
        List<Path> mods = new ArrayList<>();
        for (String v : modules) for (String f : Options.splitComma(v)) mods.add(Options.readableFile("initrd", f.split(" ", 2)[0]));
        if (serial != null && !serial.equals("stdio") && !serial.equals("mon:stdio"))
            throw new CliException("-serial " + serial + ": vmscope connects COM1 to stdio only (-serial stdio)");
        if (display != null && !display.equals("none"))
            throw new CliException("-display " + display + ": vmscope has no display; COM1 is on stdout (-display none)");
        List<dev.vmscope.devices.virtio.Drive> disks = new ArrayList<>();
        for (String spec : drives) {
            try { disks.add(dev.vmscope.devices.virtio.Drive.parse(spec)); }
            catch (IllegalArgumentException e) { throw new CliException(e.getMessage()); }
        }
        dev.vmscope.loader.LinuxEntry how;
        try { how = linuxEntry == null ? dev.vmscope.loader.LinuxEntry.BOOT32 : dev.vmscope.loader.LinuxEntry.parse(linuxEntry); }
        catch (IllegalArgumentException e) { throw new CliException("--linux-entry: " + e.getMessage()); }
        long timeoutMs = timeout == null ? 0 : Options.millis("timeout", timeout);
        Path stats = statsJson == null ? null : OutputPaths.file("--stats-json", statsJson);
        if (debugcon != null && !debugcon.equals("stderr")) OutputPaths.file("--debugcon", debugcon);
        MachineConfig.FlatLoad flat = null;
        if (loadAddr != null || mode != null || entry != null) {
            if (k == null) throw new CliException("--load-addr/--entry/--mode need --kernel FILE");
            if (mode != null && !List.of("real", "prot32", "long64").contains(mode))
                throw new CliException("--mode: expected real, prot32 or long64, not '" + mode + "'");
            long la = loadAddr == null ? 0x100000 : Options.address("load-addr", loadAddr);
            flat = new MachineConfig.FlatLoad(la, entry == null ? la : Options.address("entry", entry), mode == null ? "prot32" : mode);
        }
        if (!mods.isEmpty() && k == null) throw new CliException("--module/--initrd need --kernel FILE");
        if (fw != null && k != null) throw new CliException("--bios and --kernel cannot be combined yet");
        if (deterministic && debug().gdb() != null)
            throw new CliException("--deterministic cannot be combined with --gdb yet (the debugger parks each vCPU on its own thread)");
        if (trace != null && !trace.equals("exits") && !trace.equals("insn"))
            throw new CliException("--trace: expected 'exits' (the default) or 'insn', not '" + trace + "'");
        return new MachineConfig(ram, cpus, irq, k, append, List.copyOf(mods), fw, trace != null, timeoutMs, stats,
                !noSummary, debug(), flat, acc, deterministic, List.copyOf(disks), how, "insn".equals(trace));
    }

    private MachineConfig.Accel accel() {
        MachineConfig.Accel a = accel == null ? null : switch (accel.split(",")[0]) {
            case "kvm" -> MachineConfig.Accel.KVM;
            case "emu", "tcg" -> MachineConfig.Accel.EMU;
            case "auto" -> MachineConfig.Accel.AUTO;
            default -> throw new CliException("--accel: expected kvm, emu (QEMU's tcg) or auto, not '" + accel + "'");
        };
        if (enableKvm && a != null && a != MachineConfig.Accel.KVM)
            throw new CliException("-enable-kvm and --accel " + accel + " contradict each other");
        return enableKvm ? MachineConfig.Accel.KVM : a == null ? MachineConfig.Accel.AUTO : a;
    }

    /** The debug options, checked by {@link DebugOptions#extract} as before. */
    private DebugOptions debug() {
        if (gdb != null && gdbDefault) throw new CliException("-s and --gdb " + gdb + " both set the GDB port: give one");
        List<String> a = new ArrayList<>();
        String port = gdbDefault ? "1234" : gdb;
        if (port != null) a.addAll(List.of("--gdb", port.startsWith("tcp:") ? port.substring(4) : port));
        if (gdbWait) a.add("--gdb-wait");
        if (dumpCore != null) a.addAll(List.of("--dump-core", OutputPaths.file("--dump-core", dumpCore).toString()));
        if (crashDir != null) a.addAll(List.of("--crash-dir", OutputPaths.directory("--crash-dir", crashDir).toString()));
        if (gdbWait && port == null) throw new CliException("-S/--gdb-wait needs a debugger: add -s or --gdb [HOST:]PORT");
        try {
            return DebugOptions.extract(a);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static Path firmware(String v) {
        Path p = Options.readableFile("bios", v);
        try {
            String problem = dev.vmscope.machine.MemoryMap.biosSizeProblem(Files.size(p));
            if (problem != null) throw new CliException("--bios: " + v + ": " + problem);
        } catch (IOException e) {
            throw new CliException("--bios: " + v + ": " + e.getMessage());
        }
        return p;
    }
}
