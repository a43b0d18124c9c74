package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmscope.devices.virtio.Drive;
import dev.vmscope.loader.LinuxEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real boot chain on whichever backend exists: SeaBIOS finds the virtio-blk disk (PCI 00:03.0), runs
 * Debian's GRUB from its MBR and gap, GRUB reads its grub.cfg and Debian's kernel from the ext2 partition and
 * boots it through the 16-bit Linux boot protocol; without a root file system the kernel panics and, with
 * panic=-1, resets, which ends the run with status 0.
 */
class GrubChainTest {
    static final Path BIOS = Path.of("/usr/share/seabios/bios-256k.bin");
    @TempDir Path dir;

    static Path debianKernel() throws java.io.IOException {
        Path found = null;
        for (String d : new String[] {System.getenv("VMSCOPE_VMLINUZ_DIR"), "/boot"}) {
            if (d == null || !Files.isDirectory(Path.of(d))) continue;
            try (var s = Files.list(Path.of(d))) {
                found = s.filter(f -> f.getFileName().toString().startsWith("vmlinuz-")).sorted().reduce((a, b) -> b).orElse(found);
            }
        }
        return found;
    }

    @Test
    void seabiosRunsGrubWhichBootsDebiansKernelFromTheVirtioDisk() throws Exception {
        assumeTrue(Files.isReadable(BIOS), BIOS + " is missing (Debian package seabios)");
        var grub = GrubDisk.find();
        assumeTrue(grub.isPresent(), "GRUB (grub-pc-bin, grub-common) is neither installed nor in test.sh's cache");
        Path kernel = debianKernel();
        assumeTrue(kernel != null, "no Debian vmlinuz (test.sh fetches it)");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("boot/vmlinuz", Files.readAllBytes(kernel));
        files.put("boot/grub/grub.cfg", """
                echo "vmscope-grub: loading linux"
                linux /boot/vmlinuz console=ttyS0 panic=-1 nokaslr
                boot
                """.getBytes(StandardCharsets.US_ASCII));
        Path img = dir.resolve("disk.img");
        GrubDisk.build(grub.get(), dir, img, files, 16);
        MachineConfig d = MachineConfig.defaults();
        MachineConfig cfg = new MachineConfig(512L << 20, 1, MachineConfig.IrqchipMode.USER, null, null, List.of(), BIOS,
                false, 600_000, null, false, d.debug(), null)
                .withDisks(List.of(Drive.parse("file=" + img + ",format=raw,if=virtio")), LinuxEntry.BOOT32);
        VmHarness.Result r = VmHarness.run(cfg);
        System.err.printf("SeaBIOS -> GRUB -> Linux panic: status %d after %.1f s%n", r.status(), r.wallNanos() / 1e9);
        String out = r.console();
        assertTrue(out.contains("vmscope-grub: core.img"), "core.img did not run:\n" + tail(out) + r.diag());
        assertTrue(out.contains("vmscope-grub: loading linux"), "grub.cfg was not read from ext2:\n" + tail(out) + r.diag());
        assertTrue(out.contains("Linux version "), "the kernel did not start:\n" + tail(out) + r.diag());
        assertTrue(out.contains("Kernel panic - not syncing"), tail(out) + r.diag());
    }

    static String tail(String s) {
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }
}
