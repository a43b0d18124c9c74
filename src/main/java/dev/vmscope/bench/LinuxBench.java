package dev.vmscope.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code vmscope bench --linux} (issue 10, "Measure"): the same kernel and initramfs booted to the shell marker
 * and powered off by every engine this host has, in one run: vmscope on the software CPU (and on KVM where
 * /dev/kvm is usable), QEMU TCG (and QEMU KVM). Per engine: seconds from process start to the marker on COM1,
 * to process exit after "poweroff -f" is typed on stdin, and the peak RSS of the process tree (the largest
 * VmHWM of the child and its descendants, polled from /proc). vmscope enters the kernel decompressed on the
 * host (--linux-entry vmlinux); QEMU's guest decompresses itself, as QEMU does by default. Bochs has no
 * direct Linux boot: it boots the same kernel and initramfs from a GRUB disk built in {@code work} (see
 * {@link BochsLinux}), with COM1 on a loopback TCP connection instead of stdio.
 */
public final class LinuxBench {
    public record Options(Path kernel, Path initrd, String marker, int smp, int memMiB, int rounds, long timeoutMs, String append,
                          Path work) {}

    /** Medians over the rounds; NaN/-1 when not measured, with {@code note} saying why. */
    public record Row(String engine, String entry, double shellSeconds, double poweroffSeconds, long peakRssKb, String note) {}

    /** {@code bochs} is set for Bochs, whose command line depends on the COM1 port (then {@code cmd} is empty). */
    private record Engine(String name, String entry, List<String> cmd, String missing, BochsLinux bochs) {
        Engine(String name, String entry, List<String> cmd, String missing) { this(name, entry, cmd, missing, null); }
    }

    private LinuxBench() { }

    public static List<Row> run(Options o, PrintStream err) throws IOException, InterruptedException {
        List<Row> rows = new ArrayList<>();
        for (Engine e : engines(o)) {
            if (e.missing() != null) { rows.add(new Row(e.name(), e.entry(), Double.NaN, Double.NaN, -1, e.missing())); continue; }
            List<double[]> samples = new ArrayList<>();
            String failure = null;
            for (int i = 0; i < o.rounds() && failure == null; i++) {
                err.printf("vmscope: bench --linux: round %d/%d: %s%n", i + 1, o.rounds(), e.name());
                Sample s = boot(e, o.marker(), o.timeoutMs());
                if (s.failure() != null) failure = s.failure();
                else samples.add(new double[] {s.shell(), s.exit(), s.rssKb()});
            }
            rows.add(samples.isEmpty() ? new Row(e.name(), e.entry(), Double.NaN, Double.NaN, -1, failure)
                    : new Row(e.name(), e.entry(), median(samples, 0), median(samples, 1), (long) median(samples, 2), failure));
        }
        return rows;
    }

    public static void print(Options o, List<Row> rows, PrintStream out) {
        out.printf("Linux boot: %s + %s, %d vCPU(s), %d MiB, median of %d round(s)%n", o.kernel().getFileName(),
                o.initrd().getFileName(), o.smp(), o.memMiB(), o.rounds());
        out.printf("  %-12s %-36s %12s %14s %12s%n", "engine", "kernel entry", "to shell s", "to poweroff s", "peak RSS MB");
        for (Row r : rows) {
            if (Double.isNaN(r.shellSeconds())) {
                out.printf("  %-12s %-36s %12s %14s %12s   %s%n", r.engine(), r.entry(), "-", "-", "-", r.note());
            } else {
                out.printf("  %-12s %-36s %12.2f %14.2f %12.1f%s%n", r.engine(), r.entry(), r.shellSeconds(), r.poweroffSeconds(),
                        r.peakRssKb() / 1024.0, r.note() == null ? "" : "   (a later round failed: " + r.note() + ")");
            }
        }
        Row emu = find(rows, "vmscope-emu"), tcg = find(rows, "qemu-tcg");
        if (emu != null && tcg != null && !Double.isNaN(emu.shellSeconds()) && !Double.isNaN(tcg.shellSeconds()))
            out.printf("target (issue 10): vmscope-emu time to shell / QEMU TCG's: %.2fx (target <= 4)%n", emu.shellSeconds() / tcg.shellSeconds());
    }

    private static Row find(List<Row> rows, String name) {
        return rows.stream().filter(r -> r.engine().equals(name)).findFirst().orElse(null);
    }

    private static List<Engine> engines(Options o) throws IOException, InterruptedException {
        String append = "console=ttyS0 panic=-1" + (o.append() == null || o.append().isBlank() ? "" : " " + o.append());
        List<String> vm = new ArrayList<>(EmuEngine.self().vmscope());
        List<String> common = List.of("run", "--kernel", o.kernel().toString(), "--initrd", o.initrd().toString(),
                "--append", append, "-m", Integer.toString(o.memMiB()), "--smp", Integer.toString(o.smp()),
                "--linux-entry", "vmlinux", "--no-summary");
        List<Engine> list = new ArrayList<>();
        list.add(new Engine("vmscope-emu", "vmlinux, host-decompressed", concat(vm, common, List.of("--accel", "emu")), null));
        boolean kvm = Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm"));
        list.add(new Engine("vmscope-kvm", "vmlinux, host-decompressed", concat(vm, common, List.of("--accel", "kvm")),
                kvm ? null : "not measured: no usable /dev/kvm"));
        String qemu = QemuEngine.find().missing() == null ? qemuBinary() : null;
        for (String accel : List.of("tcg", "kvm")) {
            String missing = qemu == null ? "not measured: qemu-system-x86_64 is not installed"
                    : accel.equals("kvm") && !kvm ? "not measured: no usable /dev/kvm" : null;
            List<String> q = qemu == null ? List.of() : List.of(qemu, "-accel", accel, "-M", "pc", "-nodefaults", "-display", "none",
                    "-serial", "stdio", "-no-reboot", "-m", Integer.toString(o.memMiB()), "-smp", Integer.toString(o.smp()),
                    "-kernel", o.kernel().toString(), "-initrd", o.initrd().toString(), "-append", append);
            list.add(new Engine("qemu-" + accel, "bzImage, guest-decompressed", q, missing));
        }
        list.add(bochs(o, append));
        return list;
    }

    private static Engine bochs(Options o, String append) throws IOException, InterruptedException {
        BochsEngine b = BochsEngine.find();
        var grub = GrubDisk.find();
        String missing = b.missing() != null ? "not measured: " + b.missing()
                : grub.isEmpty() ? "not measured: no GRUB for its boot disk (Debian: apt-get install grub-pc-bin grub-common)"
                : o.smp() != 1 ? "not measured: Bochs runs one vCPU here" : null;
        if (missing != null) return new Engine("bochs", BochsLinux.ENTRY, List.of(), missing);
        try {
            return new Engine("bochs", BochsLinux.ENTRY, List.of(), null,
                    BochsLinux.build(b, grub.get(), o.work(), o.kernel(), o.initrd(), append, o.memMiB()));
        } catch (IOException e) {
            return new Engine("bochs", BochsLinux.ENTRY, List.of(), "not measured: its GRUB disk: " + e.getMessage());
        }
    }

    private static String qemuBinary() {
        for (String p : List.of("/usr/bin/qemu-system-x86_64", "/usr/local/bin/qemu-system-x86_64"))
            if (Files.isExecutable(Path.of(p))) return p;
        return null;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> l = new ArrayList<>();
        for (List<String> p : parts) l.addAll(p);
        return l;
    }

    private record Sample(double shell, double exit, long rssKb, String failure) {}

    /**
     * One boot: waits for the marker on the guest's COM1, types "poweroff -f" there (the shell may not read it
     * until its prompt is up, so it is retyped every 2 s), waits for the exit. COM1 is the child's stdio, or for
     * Bochs the connection it makes to a loopback listener (its stdout, the log, is then only kept for errors).
     * The child's whole process tree is polled for VmHWM every 20 ms, so the launcher script's child is counted.
     */
    static Sample boot(Engine e, String marker, long timeoutMs) throws IOException, InterruptedException {
        try (ServerSocket com1 = e.bochs() == null ? null : new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            List<String> cmd = com1 == null ? e.cmd() : e.bochs().command(com1.getLocalPort());
            long t0 = System.nanoTime(), deadline = t0 + timeoutMs * 1_000_000L;
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            ChildRun.Watch log = new ChildRun.Watch(p.getInputStream(), com1 == null ? marker : null), out = log;
            List<Thread> readers = new ArrayList<>(List.of(Thread.ofPlatform().daemon().start(log)));
            OutputStream in = p.getOutputStream();
            Socket guest = null;
            long lastTyped = 0, rss = 0;
            try {
                if (com1 != null) {
                    in.write(BochsLinux.DEBUGGER_CONTINUE.getBytes(StandardCharsets.US_ASCII));
                    in.flush();
                    com1.setSoTimeout(500);
                    while (guest == null) {
                        try {
                            guest = com1.accept();
                        } catch (SocketTimeoutException t) {
                            if (!p.isAlive() || System.nanoTime() > deadline)
                                return new Sample(0, 0, 0, "COM1 was never connected" + tail(log.text()));
                        }
                    }
                    out = new ChildRun.Watch(guest.getInputStream(), marker);
                    readers.add(Thread.ofPlatform().daemon().start(out));
                    in = guest.getOutputStream();
                }
                while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
                    rss = Math.max(rss, treeHwmKb(p.toHandle()));
                    long now = System.nanoTime();
                    if (now > deadline) return new Sample(0, 0, 0, "timed out after " + timeoutMs / 1000 + " s" + tail(out.text()));
                    if (out.seenAt() >= 0 && now - lastTyped > 2_000_000_000L) {
                        lastTyped = now;
                        try {
                            in.write("poweroff -f\n".getBytes(StandardCharsets.US_ASCII));
                            in.flush();
                        } catch (IOException x) {
                            // the child is exiting
                        }
                    }
                }
            } finally {
                if (p.isAlive()) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
                if (guest != null) guest.close();
                for (Thread r : readers) r.join(5000);
            }
            double exit = (System.nanoTime() - t0) / 1e9;
            if (out.seenAt() < 0) return new Sample(0, 0, 0, "no marker \"" + marker + "\" (status " + p.exitValue() + ")"
                    + tail(out.text()) + (out == log ? "" : tail(log.text())));
            return new Sample((out.seenAt() - t0) / 1e9, exit, rss, null);
        }
    }

    /** The largest VmHWM (peak resident set, kB) of a process and its descendants; 0 when /proc is not readable. */
    static long treeHwmKb(ProcessHandle h) {
        long max = hwmKb(h.pid());
        for (ProcessHandle d : h.descendants().toList()) max = Math.max(max, hwmKb(d.pid()));
        return max;
    }

    private static long hwmKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone or /proc is unavailable
        }
        return 0;
    }

    private static String tail(String s) {
        String t = s.length() > 600 ? s.substring(s.length() - 600) : s;
        return t.isBlank() ? "" : "; last output: " + t.strip().replaceAll("\\s+", " ");
    }

    private static double median(List<double[]> l, int k) {
        double[] v = l.stream().mapToDouble(x -> x[k]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
