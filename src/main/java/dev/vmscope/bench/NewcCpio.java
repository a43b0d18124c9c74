package dev.vmscope.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" (SVR4, no CRC) format the Linux initramfs unpacker reads
 * (Documentation/driver-api/early-userspace/buffer-format.rst): a 110-byte ASCII header "070701" + 13
 * eight-digit hex fields, the NUL-terminated name, the data, each padded to 4 bytes, then "TRAILER!!!".
 * Written here rather than with cpio(1) so device nodes need no root and no extra package.
 */
public final class NewcCpio {
    static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFCHR = 0020000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int ino = 1;

    public NewcCpio dir(String name) { return entry(name, S_IFDIR | 0755, new byte[0], 0, 0); }

    public NewcCpio file(String name, int perm, byte[] data) { return entry(name, S_IFREG | perm, data, 0, 0); }

    public NewcCpio symlink(String name, String target) {
        return entry(name, S_IFLNK | 0777, target.getBytes(StandardCharsets.US_ASCII), 0, 0);
    }

    public NewcCpio charDevice(String name, int major, int minor) { return entry(name, S_IFCHR | 0600, new byte[0], major, minor); }

    private NewcCpio entry(String name, int mode, byte[] data, int rdevMajor, int rdevMinor) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        int nlink = (mode & 0170000) == S_IFDIR ? 2 : 1;
        // ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
        long[] fields = {ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdevMajor, rdevMinor, n.length, 0};
        StringBuilder h = new StringBuilder("070701");
        for (long f : fields) h.append(String.format("%08x", f));
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(n);
        pad();
        out.writeBytes(data);
        pad();
        return this;
    }

    private void pad() { while (out.size() % 4 != 0) out.write(0); }

    public byte[] finish() {
        entry("TRAILER!!!", 0, new byte[0], 0, 0);
        return out.toByteArray();
    }
}
