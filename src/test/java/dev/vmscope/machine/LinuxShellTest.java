package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmscope.loader.LinuxEntry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: Debian's kernel with a busybox initramfs reaches a shell on COM1 on whichever backend this host
 * has (the software CPU without /dev/kvm), answers typed commands, sees both vCPUs and powers off through
 * ACPI S5 with status 0. The kernel and busybox-static come from test.sh's cache; without them it skips.
 * The emulator needs minutes: the limit is -Dvmscope.linuxShell.timeoutSeconds (default 900).
 */
class LinuxShellTest {
    private static final long TIMEOUT_SECONDS = Long.getLong("vmscope.linuxShell.timeoutSeconds", 900);
    /** Busybox ash's prompt ("~ # "); not anchored at the end: line editing may follow it with ESC [6n. */
    private static final Pattern PROMPT = Pattern.compile("[#$] ");

    @Test void shellAnswersSeesTwoCpusAndPowersOff(@TempDir Path dir) throws Exception {
        Path vmlinuz = BusyboxInitramfs.cached("vmlinuz-", "").orElse(null);
        assumeTrue(vmlinuz != null, "no Debian vmlinuz in the cache (test.sh fetches linux-image-amd64); skipped");
        Path deb = BusyboxInitramfs.cached("busybox-static_", ".deb").orElse(null);
        assumeTrue(deb != null, "no busybox-static .deb in the cache (test.sh fetches it with apt-get download); skipped");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb is needed to unpack busybox-static; skipped");
        Path initrd = BusyboxInitramfs.build(deb, dir);

        MachineConfig cfg = new MachineConfig(512L << 20, 2, MachineConfig.IrqchipMode.USER, vmlinuz,
                "console=ttyS0 panic=-1 nokaslr", List.of(initrd), null, false, TIMEOUT_SECONDS * 1000, null, false,
                VmHarness.TEST_DEBUG, null).withAccel(MachineConfig.Accel.AUTO, false).withDisks(List.of(), LinuxEntry.VMLINUX);
        LiveConsole console = new LiveConsole();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        try (Machine m = MachineBuilder.build(cfg, console, OutputStream.nullOutputStream(),
                new PrintStream(diag, true, StandardCharsets.UTF_8))) {
            int[] status = {-1};
            Thread runner = Thread.ofPlatform().name("linux-shell-vm").start(() -> {
                try { status[0] = m.run(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            });
            try {
                converse(m, runner, status, console, diag, vmlinuz, t0);
            } finally {
                if (runner.isAlive()) m.stop(dev.vmscope.vcpu.ExitStatus.INTERNAL, "test ended", null);
                runner.join();
            }
        }
    }

    private static void converse(Machine m, Thread runner, int[] status, LiveConsole console, ByteArrayOutputStream diag,
                                 Path vmlinuz, long t0) throws InterruptedException {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            String why = "\n--- console:\n%s\n--- diagnostics:\n%s";
            int at = console.await(Pattern.compile(Pattern.quote(BusyboxInitramfs.MARKER)), 0, deadline, runner);
            assertTrue(at >= 0, "no shell marker" + why.formatted(console, diag));
            at = console.await(PROMPT, at, deadline, runner);
            assertTrue(at >= 0, "no prompt" + why.formatted(console, diag));
            double bootSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("LinuxShellTest: %s to a shell prompt in %.1f s (backend %s, 2 vCPUs)%n",
                    vmlinuz.getFileName(), bootSeconds, m.hypervisor().name());

            at = type(m, console, "echo $((6*7))", Pattern.compile("(?m)^42\r?$"), at, deadline, runner);
            assertTrue(at >= 0, "echo $((6*7)) did not print 42" + why.formatted(console, diag));
            at = console.await(PROMPT, at, deadline, runner);
            at = type(m, console, "grep -c ^processor /proc/cpuinfo", Pattern.compile("(?m)^2\r?$"), at, deadline, runner);
            assertTrue(at >= 0, "/proc/cpuinfo does not list 2 CPUs" + why.formatted(console, diag));
            console.await(PROMPT, at, deadline, runner);
            send(m, "poweroff -f\n");
            runner.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            assertEquals(0, status[0], "status" + why.formatted(console, diag));
            assertTrue(m.stopMessage().contains("powered off"), m.stopMessage());
            System.out.printf("LinuxShellTest: boot, two commands and poweroff in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Types {@code line} on COM1 and waits for {@code answer} after what was already printed. */
    private static int type(Machine m, LiveConsole c, String line, Pattern answer, int from, long deadline, Thread runner)
            throws InterruptedException {
        int start = Math.max(from, c.length());
        send(m, line + "\n");
        return c.await(answer, start, deadline, runner);
    }

    /** Feeds bytes to the UART as its receive buffer drains (the guest reads them at its own pace). */
    static void send(Machine m, String s) throws InterruptedException {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        int off = 0;
        while (off < b.length) {
            int took = m.devices().com1().enqueueInput(java.util.Arrays.copyOfRange(b, off, b.length));
            off += took;
            if (took == 0) Thread.sleep(5);
        }
    }

    /** The console as it is written, searchable while the guest runs. */
    static final class LiveConsole extends OutputStream {
        private final StringBuilder text = new StringBuilder();

        @Override public synchronized void write(int b) {
            text.append((char) (b & 0xff));
            notifyAll();
        }

        synchronized int length() { return text.length(); }

        /** End of the first match of {@code p} at or after {@code from}; -1 at the deadline or when the VM stopped. */
        synchronized int await(Pattern p, int from, long deadline, Thread runner) throws InterruptedException {
            while (true) {
                Matcher mt = p.matcher(text);
                if (from <= text.length() && mt.find(from)) return mt.end();
                long left = deadline - System.nanoTime();
                if (left <= 0 || !runner.isAlive()) return -1;
                wait(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }

        @Override public synchronized String toString() { return text.toString(); }
    }
}
