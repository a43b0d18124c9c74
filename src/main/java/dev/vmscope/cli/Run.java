package dev.vmscope.cli;

import dev.vmscope.debug.DebugOptions;
import dev.vmscope.sys.SyscallException;
import dev.vmscope.devices.virtio.Drive;
import dev.vmscope.devices.virtio.DriveException;
import dev.vmscope.loader.LinuxEntry;
import dev.vmscope.loader.LoaderException;
import dev.vmscope.machine.Machine;
import dev.vmscope.machine.MachineBuilder;
import dev.vmscope.machine.MachineConfig;
import dev.vmscope.machine.MachineConfig.IrqchipMode;
import dev.vmscope.vcpu.ExitSummary;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code vmscope run}: boot a kernel (or the built-in guest) and report every exit. */
public final class Run implements Command {
    public String name() { return "run"; }

    public String summary() { return "boot a kernel (default: the built-in guest) and account for every exit"; }

    static final String HELP = """
            usage: vmscope run [--kernel FILE] [--append ARGS] [--module|--initrd FILE]... [-m SIZE] [--smp N]
                               [--accel kvm|emu|auto] [--irqchip kernel|user] [--bios FILE] [--trace] [--timeout DURATION]
                               [--stats-json FILE] [--no-summary] [--debugcon FILE|stderr]
                               [--load-addr ADDR --entry ADDR --mode real|prot32|long64]   (flat binaries)
                               [--drive file=IMG,format=raw,if=virtio[,readonly=on]]... [--linux-entry 32|64|vmlinux]
              --kernel takes a multiboot v1 kernel (ELF or a.out kludge; --module adds modules) or a Linux
              bzImage (32-bit boot protocol; --initrd adds its initrd), or a flat binary with --load-addr
              --linux-entry 64 enters a bzImage by the 64-bit protocol; vmlinux decompresses it on the host
              --drive adds a virtio-blk disk (PCI 00:03.0 on) backed by a raw image file
            """ + DebugOptions.USAGE;

    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        MachineConfig cfg = parse(args, err);
        if (cfg == null) { out.print(HELP); return 0; }
        OutputStream console = new FileOutputStream(FileDescriptor.out);
        OutputStream debugcon = OutputStream.nullOutputStream();
        String dc = debugconPath;
        if (dc != null) debugcon = dc.equals("stderr") ? new FileOutputStream(FileDescriptor.err) : Files.newOutputStream(Path.of(dc));
        Machine m;
        try {
            m = MachineBuilder.build(cfg, console, debugcon, err, true);
        } catch (SyscallException e) {
            throw new CliException("cannot create the VM: " + e.getMessage(), 6);
        } catch (dev.vmscope.hypervisor.BackendUnavailableException e) {
            throw new CliException(e.getMessage(), 6);
        } catch (LoaderException | DriveException e) {
            throw new CliException(e.getMessage());
        }
        // Ctrl-C or SIGTERM: stop the VM and let the summary, stats and crash files be written first.
        java.util.concurrent.CountDownLatch reported = new java.util.concurrent.CountDownLatch(1);
        Machine vm = m;
        Thread hook = new Thread(() -> {
            vm.stop(130, "interrupted by a signal (Ctrl-C or SIGTERM)", null);
            try { reported.await(3, java.util.concurrent.TimeUnit.SECONDS); } catch (InterruptedException e) { /* exiting */ }
        }, "vmscope-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int status = m.run();
            report(m, cfg, status, err);
            return status;
        } finally {
            reported.countDown();
            try { Runtime.getRuntime().removeShutdownHook(hook); } catch (IllegalStateException shuttingDown) { /* hook ran */ }
            m.close();
            debugcon.close();
        }
    }

    private static void report(Machine m, MachineConfig cfg, int status, PrintStream err) throws IOException {
        String msg = m.stopMessage();
        if (msg != null) err.println("vmscope: " + msg + (status != 0 ? " (exit status " + status + ")" : ""));
        if (cfg.summary()) {
            ExitSummary.print(err, m.stats(), m.wallNanos(), m.busCounters());
            if (m.ipiVisibilityNote() != null) err.println("  note: " + m.ipiVisibilityNote());
        }
        if (cfg.statsJson() != null) {
            Path tmp = cfg.statsJson().resolveSibling(cfg.statsJson().getFileName() + ".tmp");
            Files.writeString(tmp, ExitSummary.jsonText(m.stats(), m.wallNanos(), status, msg, m.busCounters()));
            Files.move(tmp, cfg.statsJson(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private String debugconPath;

    private static Path firmware(String opt, String v) throws CliException {
        Path p = Options.readableFile(opt, v);
        try {
            String problem = dev.vmscope.machine.MemoryMap.biosSizeProblem(Files.size(p));
            if (problem != null) throw new CliException("--" + opt + ": " + v + ": " + problem);
        } catch (IOException e) {
            throw new CliException("--" + opt + ": " + v + ": " + e.getMessage());
        }
        return p;
    }

    /** Returns null for --help. */
    MachineConfig parse(List<String> args, PrintStream err) {
        MachineConfig d = MachineConfig.defaults();
        long ram = d.ramBytes();
        int smp = 1;
        IrqchipMode irq = IrqchipMode.KERNEL;
        List<String> rest = new ArrayList<>(args);
        DebugOptions debug;
        try { debug = DebugOptions.extract(rest); } catch (IllegalArgumentException e) { throw new CliException(e.getMessage()); }
        Path kernel = null, bios = null, stats = null;
        String append = null, mode = null;
        List<Path> modules = new ArrayList<>();
        boolean trace = false, summary = true;
        long timeout = 0;
        MachineConfig.Accel accel = MachineConfig.Accel.AUTO;
        boolean deterministic = false;
        Long loadAddr = null, entry = null;
        List<Drive> drives = new ArrayList<>();
        LinuxEntry linuxEntry = LinuxEntry.BOOT32;
        Options o = new Options(rest);
        for (String opt; (opt = o.next()) != null; ) {
            switch (opt) {
                case "h", "help" -> { return null; }
                case "kernel" -> kernel = Options.readableFile(opt, o.value(opt));
                case "append" -> append = o.value(opt);
                case "module", "initrd" -> { for (String f : Options.splitComma(o.value(opt))) modules.add(Options.readableFile(opt, f.split(" ", 2)[0])); }
                case "m", "memory" -> ram = Options.size(opt, o.value(opt));
                case "smp" -> smp = Options.intIn(opt, o.value(opt).split(",")[0].replace("cpus=", ""), 1, 255);
                case "irqchip" -> irq = switch (o.value(opt)) {
                    case "kernel" -> IrqchipMode.KERNEL;
                    case "user" -> IrqchipMode.USER;
                    default -> throw new CliException("--irqchip: expected 'kernel' or 'user'");
                };
                case "accel" -> accel = switch (o.value(opt)) {
                    case "kvm" -> MachineConfig.Accel.KVM;
                    case "emu", "tcg" -> MachineConfig.Accel.EMU;
                    case "auto" -> MachineConfig.Accel.AUTO;
                    default -> throw new CliException("--accel: expected kvm, emu or auto");
                };
                case "deterministic" -> { o.noValue(opt); deterministic = true; }
                case "bios" -> bios = firmware(opt, o.value(opt));
                case "trace" -> { o.noValue(opt); trace = true; }
                case "timeout" -> timeout = Options.millis(opt, o.value(opt));
                case "stats-json" -> stats = Path.of(o.value(opt));
                case "no-summary" -> { o.noValue(opt); summary = false; }
                case "debugcon" -> debugconPath = o.value(opt);
                case "load-addr" -> loadAddr = Options.address(opt, o.value(opt));
                case "entry" -> entry = Options.address(opt, o.value(opt));
                case "mode" -> {
                    mode = o.value(opt);
                    if (!List.of("real", "prot32", "long64").contains(mode))
                        throw new CliException("--mode: expected real, prot32 or long64");
                }
                case "drive" -> {
                    try { drives.add(Drive.parse(o.value(opt))); } catch (IllegalArgumentException e) { throw new CliException(e.getMessage()); }
                }
                case "linux-entry" -> {
                    try { linuxEntry = LinuxEntry.parse(o.value(opt)); } catch (IllegalArgumentException e) { throw new CliException("--" + opt + ": " + e.getMessage()); }
                }
                default -> throw new CliException("unknown option --" + opt + " for 'run' (try 'vmscope run --help')");
            }
        }
        if (ram < (2L << 20)) throw new CliException("-m: at least 2M of RAM is needed");
        MachineConfig.FlatLoad flat = null;
        if (loadAddr != null || mode != null || entry != null) {
            if (kernel == null) throw new CliException("--load-addr/--entry/--mode need --kernel FILE");
            long la = loadAddr == null ? 0x100000 : loadAddr;
            flat = new MachineConfig.FlatLoad(la, entry == null ? la : entry, mode == null ? "prot32" : mode);
        }
        if (!modules.isEmpty() && kernel == null) throw new CliException("--module needs --kernel FILE");
        if (bios != null && kernel != null) throw new CliException("--bios and --kernel cannot be combined yet");
        return new MachineConfig(ram, smp, irq, kernel, append, List.copyOf(modules), bios, trace, timeout, stats,
                summary, debug, flat, accel, deterministic, drives, linuxEntry);
    }
}
