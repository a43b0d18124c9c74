package dev.vmscope.cli;

import java.util.Map;

/**
 * QEMU options that {@code vmscope run} does not take, each with what vmscope offers instead, so a QEMU command
 * line pasted into vmscope fails with one useful line rather than "unknown option". The options it does take
 * are declared in {@link RunOptions} under both spellings (-kernel and --kernel).
 */
final class QemuOptions {
    private QemuOptions() {}

    private static final String DISK = "use -drive file=IMG,format=raw,if=virtio";
    private static final String NO_DISPLAY = "vmscope has no display: the console is COM1 on stdout (as -nographic)";
    private static final String DEVICES = "vmscope's devices are fixed: COM1, debugcon (--debugcon), isa-debug-exit, fw_cfg,"
            + " CMOS/RTC, i8042, PIC/PIT/IOAPIC/LAPIC, i440FX/PIIX3 and pci-testdev";

    static final Map<String, String> INSTEAD = Map.ofEntries(
            Map.entry("-machine", "vmscope builds one machine, an i440FX PC like QEMU's -M pc"),
            Map.entry("-M", "vmscope builds one machine, an i440FX PC like QEMU's -M pc"),
            Map.entry("-cpu", "the guest sees the CPUID that KVM supports on this host (like QEMU's -cpu host)"),
            Map.entry("-device", DEVICES), Map.entry("-netdev", DEVICES + "; there is no network"),
            Map.entry("-net", DEVICES + "; there is no network"), Map.entry("-nic", DEVICES + "; there is no network"),
            Map.entry("-usb", DEVICES), Map.entry("-audiodev", DEVICES),
            Map.entry("-hda", DISK), Map.entry("-hdb", DISK), Map.entry("-cdrom", DISK), Map.entry("-fda", DISK),
            Map.entry("-sd", DISK), Map.entry("-pflash", "use -bios FILE (the image ends at 4 GiB, read-only)"),
            Map.entry("-boot", "vmscope boots -kernel directly, or the firmware given with -bios"),
            Map.entry("-L", "give the firmware image itself with -bios FILE"),
            Map.entry("-monitor", "use --gdb PORT and GDB's 'monitor' commands (stats, lapic, recorder, phys, dump-core)"),
            Map.entry("-qmp", "use --gdb PORT and GDB's 'monitor' commands; --stats-json FILE for the exit statistics"),
            Map.entry("-chardev", "COM1 is stdout and stdin; the debug console: --debugcon FILE|stderr"),
            Map.entry("-debugcon", "use --debugcon FILE|stderr (port 0x402)"),
            Map.entry("-vga", NO_DISPLAY), Map.entry("-vnc", NO_DISPLAY), Map.entry("-spice", NO_DISPLAY),
            Map.entry("-sdl", NO_DISPLAY), Map.entry("-curses", NO_DISPLAY), Map.entry("-full-screen", NO_DISPLAY),
            Map.entry("-d", "use --trace (one line per exit) and the crash reports (--crash-dir)"),
            Map.entry("-D", "--trace writes to stderr; redirect it, or use --stats-json FILE"),
            Map.entry("-trace", "use --trace: one line per exit, read back by 'vmscope stats'"),
            Map.entry("-icount", "use --accel emu --deterministic: time follows the instruction count"),
            Map.entry("-snapshot", "vmscope never writes guest disks unless -drive says so"),
            Map.entry("-daemonize", "run vmscope in the background from the shell"),
            Map.entry("-pidfile", "the shell's $! gives vmscope's process id"),
            Map.entry("-name", "vmscope names its vCPU threads itself"),
            Map.entry("-rtc", "the CMOS RTC follows the host's clock (UTC)"),
            Map.entry("-numa", "fw_cfg publishes one NUMA node"),
            Map.entry("-object", DEVICES), Map.entry("-global", DEVICES),
            Map.entry("-mem-path", "guest RAM is anonymous memory, 2 MiB aligned with MADV_HUGEPAGE"),
            Map.entry("-mem-prealloc", "guest RAM is anonymous memory, 2 MiB aligned with MADV_HUGEPAGE"),
            Map.entry("-incoming", "vmscope has no migration"), Map.entry("-loadvm", "vmscope has no snapshots"),
            Map.entry("-singlestep", "step with GDB over --gdb PORT"),
            Map.entry("-dtb", "x86 guests get ACPI and MP tables instead"),
            Map.entry("-fw_cfg", "vmscope publishes its own fw_cfg files (e820, ACPI tables, boot CPUs)"),
            Map.entry("-watchdog", DEVICES), Map.entry("-serial0", "use -serial stdio"));

    /** The one-line message for a QEMU option vmscope does not take, or null if {@code arg} is not one. */
    static String instead(String arg) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        String v = INSTEAD.get(name);
        return v == null ? null : "QEMU's " + name + " is not supported by vmscope run: " + v;
    }
}
