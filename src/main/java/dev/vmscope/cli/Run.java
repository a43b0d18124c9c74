package dev.vmscope.cli;

import dev.vmscope.hypervisor.BackendUnavailableException;
import dev.vmscope.loader.LoaderException;
import dev.vmscope.machine.Machine;
import dev.vmscope.machine.MachineBuilder;
import dev.vmscope.machine.MachineConfig;
import dev.vmscope.sys.SyscallException;
import dev.vmscope.vcpu.ExitSummary;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vmscope run}: boot a kernel (or the built-in guest) and report every exit. Options in {@link RunOptions}. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = {"Boot a kernel (default: the built-in guest) on KVM and account for every exit.",
                "QEMU's spellings work too: -kernel -initrd -append -m -smp -bios -drive -accel -enable-kvm",
                "-serial stdio -display none -nographic -no-reboot -s -S -gdb tcp::PORT."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the guest powered off or asked for a reset", "(v<<1)|1:the guest wrote v to isa-debug-exit (port 0xf4), as QEMU",
                "2:bad arguments or files", "4:triple fault", "6:KVM missing or failing: internal error, entry failure, unhandled exit",
                "8:--timeout", "10:every vCPU halted with nothing able to wake it", "70:a vmscope bug",
                "130:stopped by Ctrl-C or SIGTERM (summary and --stats-json still written)"})
public final class Run extends CliCommand {
    @Mixin RunOptions options = new RunOptions();

    /** Parses {@code args} alone (tests); --help is not expected here. */
    MachineConfig parse(List<String> args, PrintStream err) {
        Run r = new Run();
        new CommandLine(r).setPosixClusteredShortOptionsAllowed(false).parseArgs(args.toArray(String[]::new));
        return r.options.config();
    }

    @Override
    protected int execute() throws Exception {
        MachineConfig cfg = options.config();
        OutputStream console = new FileOutputStream(FileDescriptor.out);
        OutputStream debugcon = OutputStream.nullOutputStream();
        String dc = options.debugcon;
        if (dc != null) {
            try {
                debugcon = dc.equals("stderr") ? new FileOutputStream(FileDescriptor.err) : Files.newOutputStream(Path.of(dc));
            } catch (IOException e) {
                throw new CliException("--debugcon: " + dc + ": cannot write: " + e.getMessage());
            }
        }
        Machine m;
        try {
            m = MachineBuilder.build(cfg, console, debugcon, err, Main.ownsStdin);
        } catch (SyscallException e) {
            debugcon.close();
            throw new CliException("cannot create the VM: " + e.getMessage(), 6);
        } catch (BackendUnavailableException e) {
            debugcon.close();
            throw new CliException(e.getMessage(), 6);
        } catch (LoaderException | dev.vmscope.devices.virtio.DriveException e) {
            debugcon.close();
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

    private static void report(Machine m, MachineConfig cfg, int status, PrintStream err) {
        String msg = m.stopMessage();
        if (msg != null) err.println("vmscope: " + msg + (status != 0 ? " (exit status " + status + ")" : ""));
        if (cfg.summary()) {
            ExitSummary.print(err, m.stats(), m.wallNanos(), m.busCounters());
            if (m.ipiVisibilityNote() != null) err.println("  note: " + m.ipiVisibilityNote());
        }
        if (cfg.statsJson() != null) {
            // The guest's status stands: a file that cannot be written now is a warning, not a new status.
            Path tmp = cfg.statsJson().resolveSibling(cfg.statsJson().getFileName() + ".tmp");
            try {
                Files.writeString(tmp, ExitSummary.jsonText(m.stats(), m.wallNanos(), status, msg, m.busCounters()));
                Files.move(tmp, cfg.statsJson(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                err.println("vmscope: warning: --stats-json " + cfg.statsJson() + ": cannot write: " + e.getMessage());
            }
        }
    }
}
