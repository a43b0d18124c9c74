package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmscope.bench.GrubDisk;
import dev.vmscope.devices.virtio.Drive;
import dev.vmscope.loader.LinuxEntry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's boot chain on whichever backend exists: SeaBIOS finds the virtio-blk disk (PCI 00:03.0) and runs
 * Debian's GRUB from its MBR and gap; GRUB reads grub.cfg, Debian's kernel and a busybox initramfs from the
 * ext2 partition and boots them through the 16-bit Linux boot protocol (the guest decompresses its own
 * kernel: minutes on the software CPU). At the shell the kernel's own virtio modules are loaded, a file is
 * written and synced to the second virtio disk (/dev/vdb, raw), and after "poweroff -f" (status 0) the image
 * file holds it byte for byte. Limit: -Dvmscope.grubChain.timeoutSeconds (default 900).
 */
class GrubChainTest {
    static final Path BIOS = Path.of("/usr/share/seabios/bios-256k.bin");
    private static final long TIMEOUT_SECONDS = Long.getLong("vmscope.grubChain.timeoutSeconds", 900);
    /** Load order from the modules' "depends=" (modinfo): virtio_pci needs the other three, virtio_blk virtio. */
    static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
            "virtio_pci", "virtio_blk");
    private static final Pattern PROMPT = Pattern.compile("[#$] ");
    @TempDir Path dir;

    @Test
    void seabiosGrubLinuxShellWritesToTheSecondDisk() throws Exception {
        assumeTrue(Files.isReadable(BIOS), BIOS + " is missing (Debian package seabios)");
        var grub = GrubDisk.find();
        assumeTrue(grub.isPresent(), "GRUB (grub-pc-bin, grub-common) is neither installed nor in test.sh's cache");
        Path kernel = BusyboxInitramfs.cached("vmlinuz-", "").orElse(null);
        assumeTrue(kernel != null, "no Debian vmlinuz (test.sh fetches it)");
        Path deb = BusyboxInitramfs.cached("busybox-static_", ".deb").orElse(null);
        assumeTrue(deb != null, "no busybox-static .deb in the cache (test.sh fetches it)");
        Map<String, byte[]> modules = modules(kernel.getFileName().toString().substring("vmlinuz-".length()));
        assumeTrue(modules != null, "the kernel's virtio modules are not in the cache (test.sh unpacks them)");

        Path pkg = dir.resolve("busybox");
        Process x = new ProcessBuilder("dpkg-deb", "-x", deb.toString(), pkg.toString()).redirectErrorStream(true).start();
        x.getInputStream().readAllBytes();
        assertEquals(0, x.waitFor());
        byte[] initrd = dev.vmscope.bench.Initramfs.build(Files.readAllBytes(pkg.resolve("bin/busybox")), modules);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("boot/vmlinuz", Files.readAllBytes(kernel));
        files.put("boot/initrd.cpio", initrd);
        files.put("boot/grub/grub.cfg", """
                echo "vmscope-grub: loading linux"
                linux /boot/vmlinuz console=ttyS0 panic=-1 nokaslr
                initrd /boot/initrd.cpio
                boot
                """.getBytes(StandardCharsets.US_ASCII));
        Path boot = dir.resolve("boot.img"), data = dir.resolve("data.img");
        GrubDisk.build(grub.get(), dir, boot, files, 48);
        Files.write(data, new byte[1 << 20]);

        MachineConfig d = MachineConfig.defaults();
        MachineConfig cfg = new MachineConfig(512L << 20, 1, MachineConfig.IrqchipMode.USER, null, null, List.of(), BIOS,
                false, TIMEOUT_SECONDS * 1000, null, false, VmHarness.TEST_DEBUG, null)
                .withDisks(List.of(Drive.parse("file=" + boot + ",format=raw,if=virtio"),
                        Drive.parse("file=" + data + ",format=raw,if=virtio")), LinuxEntry.BOOT32);
        byte[] expected = expectedFile();
        LinuxShellTest.LiveConsole console = new LinuxShellTest.LiveConsole();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        long t0 = System.nanoTime(), deadline = t0 + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        int[] status = {-1};
        try (Machine m = MachineBuilder.build(VmHarness.backendFor(cfg), console, OutputStream.nullOutputStream(),
                new PrintStream(diag, true, StandardCharsets.UTF_8))) {
            Thread runner = Thread.ofPlatform().name("grub-chain-vm").start(() -> {
                try { status[0] = m.run(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            });
            String why = "\n--- console:\n%s\n--- diagnostics:\n%s";
            try {
                int at = console.await(Pattern.compile("vmscope-grub: core.img"), 0, deadline, runner);
                assertTrue(at >= 0, "core.img did not run" + why.formatted(console, diag));
                at = console.await(Pattern.compile("vmscope-grub: loading linux"), at, deadline, runner);
                assertTrue(at >= 0, "grub.cfg was not read from ext2" + why.formatted(console, diag));
                at = console.await(Pattern.compile(Pattern.quote(BusyboxInitramfs.MARKER)), at, deadline, runner);
                assertTrue(at >= 0, "no shell marker" + why.formatted(console, diag));
                at = console.await(PROMPT, at, deadline, runner);
                System.out.printf("GrubChainTest: SeaBIOS -> GRUB -> Linux shell in %.1f s (backend %s)%n",
                        (System.nanoTime() - t0) / 1e9, m.hypervisor().name());
                LinuxShellTest.send(m, "for m in " + String.join(" ", MODULES) + "; do insmod /lib/modules/$m.ko; done;"
                        + " while [ ! -b /dev/vdb ]; do sleep 1; done; echo vdb-$((20+1))\n");
                at = console.await(Pattern.compile("(?m)^vdb-21\r?$"), at, deadline, runner);
                assertTrue(at >= 0, "/dev/vdb did not appear" + why.formatted(console, diag));
                LinuxShellTest.send(m, "seq 1 3000 > /tmp/f && dd if=/tmp/f of=/dev/vdb bs=4096 conv=fsync && sync && echo synced-$((40+2))\n");
                at = console.await(Pattern.compile("(?m)^synced-42\r?$"), at, deadline, runner);
                assertTrue(at >= 0, "the write to /dev/vdb did not finish" + why.formatted(console, diag));
                LinuxShellTest.send(m, "poweroff -f\n");
                runner.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                assertEquals(0, status[0], "status" + why.formatted(console, diag));
            } finally {
                if (runner.isAlive()) m.stop(dev.vmscope.vcpu.ExitStatus.INTERNAL, "test ended", null);
                runner.join();
            }
        }
        System.out.printf("GrubChainTest: boot, write and poweroff in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        byte[] image = Files.readAllBytes(data);
        assertArrayEquals(expected, Arrays.copyOf(image, expected.length), "the image does not hold what the guest wrote");
    }

    /** What {@code seq 1 3000} prints. */
    static byte[] expectedFile() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 3000; i++) sb.append(i).append('\n');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** lib/modules/NAME.ko -> bytes for {@link #MODULES}, from test.sh's unpacked modules of {@code release}; null if missing. */
    static Map<String, byte[]> modules(String release) throws java.io.IOException {
        Path root = BusyboxInitramfs.cacheDirs().map(c -> c.resolve("modules/lib/modules").resolve(release))
                .filter(Files::isDirectory).findFirst().orElse(null);
        if (root == null) return null;
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (String name : MODULES) {
            try (Stream<Path> s = Files.walk(root)) {
                Path ko = s.filter(p -> p.getFileName().toString().equals(name + ".ko")).findFirst().orElse(null);
                if (ko == null) return null;
                m.put("lib/modules/" + name + ".ko", Files.readAllBytes(ko));
            }
        }
        return m;
    }
}
