package dev.vmscope.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bochs booting Linux for {@code bench --linux}. Bochs has no direct kernel boot, so the kernel and initramfs
 * go on a {@link GrubDisk} that the Bochs BIOS boots from ata0; the CHS geometry is left to Bochs, which derives
 * it from the flat image's size (16 heads, 63 sectors), and GRUB reads by LBA anyway. COM1 is a TCP connection
 * that Bochs opens at start-up (mode=socket-client) to a port the bench listens on, so the bench reads the
 * marker and types "poweroff -f" there as on the other engines' stdio; the guest's ACPI S5 then ends Bochs
 * ("ACPI control: soft power off", a reported panic). {@code clock: sync=none}: guest time follows the
 * instruction count, so Bochs runs as fast as it can instead of pacing itself to the host clock.
 */
record BochsLinux(BochsEngine bochs, Path disk, int megs, Path dir) {
    static final String ENTRY = "bzImage via GRUB, guest-decompressed";
    /** The internal debugger stops before the first instruction (see {@link BochsEngine}). */
    static final String DEBUGGER_CONTINUE = "c\n";

    /** Builds the GRUB disk with {@code kernel} and {@code initrd} booted with {@code append} in {@code dir}. */
    static BochsLinux build(BochsEngine bochs, GrubDisk.Grub grub, Path dir, Path kernel, Path initrd, String append, int megs)
            throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve("bochs-grub"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("boot/vmlinuz", Files.readAllBytes(kernel));
        files.put("boot/initrd.cpio", Files.readAllBytes(initrd));
        files.put("boot/grub/grub.cfg", grubCfg(append).getBytes(StandardCharsets.US_ASCII));
        long bytes = files.values().stream().mapToLong(b -> b.length).sum();
        Path disk = work.resolve("disk.img");
        GrubDisk.build(grub, work, disk, files, (int) (bytes >> 20) + 16); // + room for ext2's metadata
        return new BochsLinux(bochs, disk, megs, work);
    }

    static String grubCfg(String append) {
        return "linux /boot/vmlinuz " + append + "\ninitrd /boot/initrd.cpio\nboot\n";
    }

    static String bochsrc(Path bios, int megs, Path disk, int com1Port) {
        return BochsEngine.bochsrc(bios, megs, List.of(
                "clock: sync=none",
                "ata0-master: type=disk, path=" + disk + ", mode=flat",
                "boot: disk",
                "com1: enabled=1, mode=socket-client, dev=127.0.0.1:" + com1Port));
    }

    /** Writes the bochsrc for a COM1 listener on {@code com1Port} and returns the command line. */
    List<String> command(int com1Port) throws IOException {
        Files.deleteIfExists(Path.of(disk + ".lock")); // a killed Bochs leaves its image lock, which would fail the next round
        Path rc = Files.writeString(dir.resolve("bochsrc"), bochsrc(bochs.bios(), megs, disk, com1Port));
        return List.of(bochs.binary(), "-q", "-f", rc.toString());
    }
}
