package dev.vmscope.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bochs's Linux boot setup for bench --linux, without running Bochs: the bochsrc and the GRUB disk. */
class BochsLinuxTest {
    @TempDir Path dir;

    @Test
    void bochsrcBootsTheDiskWithCom1OnTheListenerAndUnpacedClock() {
        String rc = BochsLinux.bochsrc(Path.of("/bios"), 512, Path.of("/t/disk.img"), 40123);
        List<String> lines = rc.lines().toList();
        for (String want : List.of("megs: 512", "romimage: file=/bios", "ata0-master: type=disk, path=/t/disk.img, mode=flat",
                "boot: disk", "com1: enabled=1, mode=socket-client, dev=127.0.0.1:40123", "clock: sync=none",
                "cpu: count=1, reset_on_triple_fault=0", "display_library: rfb, options=\"timeout=0\"")) {
            assertTrue(lines.contains(want), want + " is missing from:\n" + rc);
        }
        assertEquals(1, lines.stream().filter(l -> l.startsWith("boot:")).count(), rc);
    }

    @Test
    void grubDiskHoldsMbrPartitionAndConfig() throws Exception {
        var grub = GrubDisk.find();
        assumeTrue(grub.isPresent(), "GRUB (grub-pc-bin, grub-common) is neither installed nor in test.sh's cache");
        Path kernel = Files.write(dir.resolve("k"), "KERNEL-BYTES".getBytes(StandardCharsets.US_ASCII));
        Path initrd = Files.write(dir.resolve("i"), "INITRD-BYTES".getBytes(StandardCharsets.US_ASCII));
        BochsLinux b = BochsLinux.build(BochsEngine.find(), grub.get(), dir, kernel, initrd, "console=ttyS0 panic=-1", 64);
        byte[] img = Files.readAllBytes(b.disk());
        ByteBuffer mbr = ByteBuffer.wrap(img, 0, 512).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xaa55, mbr.getShort(0x1fe) & 0xffff, "boot signature");
        assertEquals(0x83, mbr.get(0x1be + 4) & 0xff, "partition 1 type");
        assertEquals(GrubDisk.PART_START, mbr.getInt(0x1be + 8), "partition 1 start");
        assertEquals(img.length / 512 - GrubDisk.PART_START, mbr.getInt(0x1be + 12), "partition 1 sectors");
        String fs = new String(img, StandardCharsets.ISO_8859_1);
        assertTrue(fs.contains(BochsLinux.grubCfg("console=ttyS0 panic=-1")), "grub.cfg is not in the file system");
        assertTrue(fs.contains("KERNEL-BYTES") && fs.contains("INITRD-BYTES"), "kernel or initramfs is not in the file system");
        byte[] core = Files.readAllBytes(b.dir().resolve("core.img"));
        assertTrue(java.util.Arrays.equals(core, 0, core.length, img, 512, 512 + core.length), "core.img is not at LBA 1");
        String rc = String.join("\n", b.command(4321));
        assertTrue(Files.readString(b.dir().resolve("bochsrc")).contains("path=" + b.disk() + ","), rc);
    }
}
