package dev.vmscope.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The smallest useful Linux userland: a statically linked busybox (Debian's busybox-static installs one as
 * /bin/busybox) in a newc initramfs whose /init mounts proc, sys and devtmpfs, prints {@link #MARKER} and
 * runs an interactive shell on the console. Used by {@code vmscope bench --linux} and the Linux tests.
 */
public final class Initramfs {
    public static final String MARKER = "vmscope-initramfs: shell on the console";

    static final String INIT = """
            #!/bin/sh
            /bin/busybox --install -s /bin
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            mount -t devtmpfs devtmpfs /dev 2>/dev/null
            echo "%s (uptime $(cut -d' ' -f1 /proc/uptime) s)"
            exec setsid cttyhack /bin/sh
            """.formatted(MARKER);

    private Initramfs() { }

    /** A static busybox on this host (busybox-static), if any: a dynamically linked one cannot run alone. */
    public static Optional<Path> hostBusybox() {
        for (String p : List.of("/bin/busybox", "/usr/bin/busybox")) {
            Path b = Path.of(p);
            try {
                if (Files.isReadable(b) && isStaticElf(Files.readAllBytes(b))) return Optional.of(b);
            } catch (IOException e) {
                // unreadable: try the next
            }
        }
        return Optional.empty();
    }

    /** An ELF64 executable without a PT_INTERP program header (ELF spec: e_phoff 0x20, e_phentsize 0x36, e_phnum 0x38). */
    static boolean isStaticElf(byte[] f) {
        if (f.length < 64 || f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F' || f[4] != 2) return false;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int phentsize = b.getShort(0x36) & 0xffff, phnum = b.getShort(0x38) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            long o = phoff + (long) i * phentsize;
            if (o < 0 || o + 4 > f.length) return false;
            if (b.getInt((int) o) == 3) return false;   // PT_INTERP
        }
        return true;
    }

    /** The archive: busybox as /bin/busybox (and /bin/sh), the /init above, and the device nodes a console needs. */
    public static byte[] build(byte[] busybox) { return build(busybox, java.util.Map.of()); }

    /** As {@link #build(byte[])}, plus {@code files} (path -> content; missing folders are made). */
    public static byte[] build(byte[] busybox, java.util.Map<String, byte[]> files) {
        NewcCpio c = new NewcCpio();
        for (String d : new String[] {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "root", "tmp", "etc"})
            c.dir(d);
        c.charDevice("dev/console", 5, 1).charDevice("dev/ttyS0", 4, 64).charDevice("dev/null", 1, 3);
        c.file("bin/busybox", 0755, busybox).symlink("bin/sh", "busybox");
        c.file("init", 0755, INIT.getBytes(StandardCharsets.US_ASCII));
        java.util.Set<String> dirs = new java.util.HashSet<>();
        for (var f : files.entrySet()) {
            String name = f.getKey();
            for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
                String d = name.substring(0, i);
                if (dirs.add(d) && !java.util.List.of("bin", "sbin", "usr", "dev", "proc", "sys", "root", "tmp", "etc").contains(d)) c.dir(d);
            }
            c.file(name, 0644, f.getValue());
        }
        return c.finish();
    }
}
