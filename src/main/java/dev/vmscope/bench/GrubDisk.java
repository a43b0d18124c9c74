package dev.vmscope.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A bootable BIOS disk built without root from Debian's GRUB (grub-pc-bin + grub-common, installed or
 * unpacked by test.sh into its cache) and e2fsprogs: sector 0 is GRUB's boot.img with an MBR partition
 * table, sectors 1.. hold core.img (biosdisk part_msdos ext2 linux serial...) in the gap before the first
 * partition, as grub-install embeds it; partition 1 (LBA 2048, type 0x83) is an ext2 file system that
 * {@code mke2fs -d} fills from a folder.
 *
 * <p>Layout facts: boot.img's code is the first 440 bytes of the MBR (GRUB's boot/i386/pc/boot.S; its
 * kernel_sector field defaults to 1, so core.img must start at LBA 1); core.img's first sector is
 * diskboot.img, whose default blocklist loads the rest from LBA 2 and whose length grub-mkimage writes
 * (util/mkimage.c), so no grub-bios-setup patching is needed. Partition entries: 16 bytes at 0x1be
 * (status, CHS first, type, CHS last, LBA first, sector count); CHS 0xfe/0xff/0xff means "use LBA".
 */
public final class GrubDisk {
    public static final int PART_START = 2048;

    /** Where GRUB's i386-pc modules and grub-mkimage are: the system's, else test.sh's unpacked cache. */
    public record Grub(Path mkimage, Path modules) {}

    private GrubDisk() { }

    public static Optional<Grub> find() {
        List<Path> roots = new ArrayList<>(List.of(Path.of("/")));
        String cache = System.getenv("VMSCOPE_CACHE_DIR");
        if (cache != null) roots.add(Path.of(cache, "grub"));
        roots.add(Path.of(System.getProperty("user.home"), ".cache", "vmscope", "grub"));
        for (Path r : roots) {
            Path mk = r.resolve("usr/bin/grub-mkimage"), mods = r.resolve("usr/lib/grub/i386-pc");
            if (Files.isExecutable(mk) && Files.isReadable(mods.resolve("boot.img"))) return Optional.of(new Grub(mk, mods));
        }
        return Optional.empty();
    }

    /** The early configuration embedded in core.img: serial console, then the file system's grub.cfg. */
    public static String earlyConfig() {
        return """
                serial --unit=0 --speed=115200
                terminal_input serial
                terminal_output serial
                echo "vmscope-grub: core.img"
                set root=(hd0,msdos1)
                set prefix=(hd0,msdos1)/boot/grub
                configfile (hd0,msdos1)/boot/grub/grub.cfg
                """;
    }

    /**
     * Writes {@code image}: GRUB in the MBR and gap, and an ext2 partition of {@code fsMiB} MiB holding
     * {@code files} (path inside the file system -> content).
     */
    public static void build(Grub grub, Path work, Path image, Map<String, byte[]> files, int fsMiB) throws IOException, InterruptedException {
        Path early = Files.writeString(work.resolve("early.cfg"), earlyConfig());
        Path core = work.resolve("core.img");
        run(work, grub.mkimage().toString(), "-d", grub.modules().toString(), "-O", "i386-pc", "-o", core.toString(),
                "-c", early.toString(), "-p", "(hd0,msdos1)/boot/grub",
                "biosdisk", "part_msdos", "ext2", "linux", "serial", "configfile", "echo", "test", "normal");
        Path root = work.resolve("fsroot");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = root.resolve(f.getKey().replaceFirst("^/", ""));
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        Files.createDirectories(root);
        Path fs = work.resolve("fs.img");
        Files.deleteIfExists(fs);
        run(work, mke2fs(), "-q", "-F", "-t", "ext2", "-d", root.toString(), fs.toString(), fsMiB + "M");
        byte[] boot = Files.readAllBytes(grub.modules().resolve("boot.img"));
        byte[] coreImg = Files.readAllBytes(core);
        if (coreImg.length > (PART_START - 1) * 512) throw new IOException("core.img too large for the MBR gap");
        ByteBuffer head = ByteBuffer.allocate(PART_START * 512).order(ByteOrder.LITTLE_ENDIAN);
        head.put(boot, 0, 440);
        long sectors = Files.size(fs) / 512;
        head.position(0x1be).put(new byte[] {(byte) 0x80, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0x83,
                (byte) 0xfe, (byte) 0xff, (byte) 0xff}).putInt(PART_START).putInt((int) sectors);
        head.put(0x1fe, (byte) 0x55).put(0x1ff, (byte) 0xaa);
        head.position(512).put(coreImg);
        try (var out = Files.newOutputStream(image)) {
            out.write(head.array());
            Files.copy(fs, out);
        }
    }

    private static String mke2fs() {
        for (String p : new String[] {"/usr/sbin/mke2fs", "/sbin/mke2fs"}) if (Files.isExecutable(Path.of(p))) return p;
        return "mke2fs";
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }
}
