package dev.vmscope.arch.x86.acpi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A small AML encoder for the objects vmscope's DSDT needs (ACPI 6.x chapter 20, "ACPI Machine Language
 * Specification", and 6.4 "Resource Data Types for ACPI"). Each method returns the encoded bytes of one
 * term, so terms nest the way the ASL does: {@code scope("\\_SB_", device("PCI0", name("_HID", eisaId(...))))}.
 */
final class Aml {
    private Aml() { }

    static final int ZERO_OP = 0x00, ONE_OP = 0x01, NAME_OP = 0x08, BYTE_PREFIX = 0x0a, WORD_PREFIX = 0x0b,
            DWORD_PREFIX = 0x0c, QWORD_PREFIX = 0x0e, SCOPE_OP = 0x10, BUFFER_OP = 0x11, PACKAGE_OP = 0x12,
            EXT_OP_PREFIX = 0x5b, DEVICE_OP = 0x82, ROOT_CHAR = 0x5c, DUAL_NAME_PREFIX = 0x2e;

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /**
     * PkgLength (20.2.4) for a body of {@code body} bytes; the encoded length counts its own bytes. One byte
     * holds up to 63; otherwise bits 7:6 of the lead byte give the number of following bytes, its bits 3:0
     * the low nibble and each following byte the next eight bits.
     */
    static byte[] pkgLength(int body) {
        if (body + 1 <= 0x3f) return new byte[] {(byte) (body + 1)};
        for (int extra = 1; extra <= 3; extra++) {
            int total = body + 1 + extra;
            if (total < 1 << (4 + 8 * extra)) {
                byte[] r = new byte[1 + extra];
                r[0] = (byte) (extra << 6 | total & 0x0f);
                for (int i = 1; i <= extra; i++) r[i] = (byte) (total >>> (4 + 8 * (i - 1)));
                return r;
            }
        }
        throw new IllegalArgumentException("AML package too long: " + body);
    }

    /** A NameSeg (20.2.2): four characters, padded with '_'. */
    static byte[] nameSeg(String seg) {
        if (seg.isEmpty() || seg.length() > 4) throw new IllegalArgumentException("bad NameSeg " + seg);
        byte[] b = (seg + "___").substring(0, 4).getBytes(StandardCharsets.US_ASCII);
        return b;
    }

    /** A NameString: optional root '\', then one NameSeg or two (DualNamePrefix), e.g. "\\_SB_.PCI0". */
    static byte[] nameString(String path) {
        boolean root = path.startsWith("\\");
        String[] segs = (root ? path.substring(1) : path).split("\\.");
        byte[] prefix = root ? new byte[] {ROOT_CHAR} : new byte[0];
        return switch (segs.length) {
            case 1 -> concat(prefix, nameSeg(segs[0]));
            case 2 -> concat(prefix, new byte[] {DUAL_NAME_PREFIX}, nameSeg(segs[0]), nameSeg(segs[1]));
            default -> throw new IllegalArgumentException("unsupported name path " + path);
        };
    }

    /** The shortest integer encoding (20.2.3 ComputationalData: ZeroOp, OneOp, Byte/Word/DWord/QWordConst). */
    static byte[] integer(long v) {
        if (v == 0) return new byte[] {ZERO_OP};
        if (v == 1) return new byte[] {ONE_OP};
        if (v >= 0 && v <= 0xff) return new byte[] {BYTE_PREFIX, (byte) v};
        if (v >= 0 && v <= 0xffff) return new byte[] {WORD_PREFIX, (byte) v, (byte) (v >>> 8)};
        if (v >= 0 && v <= 0xffff_ffffL) return concat(new byte[] {DWORD_PREFIX}, le(v, 4));
        return concat(new byte[] {QWORD_PREFIX}, le(v, 8));
    }

    /** EISAID("PNP0A03") (ASL 19.6.35): three 5-bit letters and four hex digits, as a DWordConst. */
    static byte[] eisaId(String id) {
        if (id.length() != 7) throw new IllegalArgumentException("EISA ID needs 7 characters: " + id);
        int l1 = id.charAt(0) - 0x40, l2 = id.charAt(1) - 0x40, l3 = id.charAt(2) - 0x40;
        int hex = Integer.parseInt(id.substring(3), 16);
        // The compressed ID is big-endian in memory: letters in the first two bytes, the product number after.
        byte[] b = {(byte) (l1 << 2 | l2 >>> 3), (byte) ((l2 & 7) << 5 | l3), (byte) (hex >>> 8), (byte) hex};
        return concat(new byte[] {DWORD_PREFIX}, b);
    }

    /** Name(seg, data) (20.2.5.1 DefName). */
    static byte[] name(String seg, byte[] data) { return concat(new byte[] {NAME_OP}, nameString(seg), data); }

    /** Scope(path) {terms} (20.2.5.1 DefScope). */
    static byte[] scope(String path, byte[]... terms) {
        byte[] body = concat(nameString(path), concat(terms));
        return concat(new byte[] {SCOPE_OP}, pkgLength(body.length), body);
    }

    /** Device(seg) {terms} (20.2.5.2 DefDevice: ExtOpPrefix 0x82). */
    static byte[] device(String seg, byte[]... terms) {
        byte[] body = concat(nameString(seg), concat(terms));
        return concat(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, pkgLength(body.length), body);
    }

    /** Package() {elements} (20.2.5.4 DefPackage; at most 255 elements). */
    static byte[] pkg(byte[]... elements) {
        if (elements.length > 255) throw new IllegalArgumentException("package of " + elements.length);
        byte[] body = concat(new byte[] {(byte) elements.length}, concat(elements));
        return concat(new byte[] {PACKAGE_OP}, pkgLength(body.length), body);
    }

    /** Buffer() {bytes} (20.2.5.4 DefBuffer) with its size as an integer. */
    static byte[] buffer(byte[] data) {
        byte[] body = concat(integer(data.length), data);
        return concat(new byte[] {BUFFER_OP}, pkgLength(body.length), body);
    }

    /** ResourceTemplate() {descriptors}: a buffer ending with the End Tag (6.4.2.9), checksum 0 = "none". */
    static byte[] resourceTemplate(byte[]... descriptors) {
        return buffer(concat(concat(descriptors), new byte[] {0x79, 0x00}));
    }

    /** IO(Decode16, min, max, align, length) (6.4.2.5 I/O Port Descriptor). */
    static byte[] io(int min, int max, int align, int length) {
        return concat(new byte[] {0x47, 0x01}, le(min, 2), le(max, 2), new byte[] {(byte) align, (byte) length});
    }

    /** Address space resource types (6.4.3.5, byte 3) and general flags: producer, MinFixed, MaxFixed, PosDecode. */
    static final int RES_MEMORY = 0, RES_IO = 1, RES_BUS = 2, PRODUCER_FIXED = 0x0c;
    /** Type-specific flags: I/O ranges cover ISA and non-ISA (EntireRange, _RNG = 3); memory non-cacheable read/write. */
    static final int IO_ENTIRE_RANGE = 0x03, MEM_NONCACHEABLE_RW = 0x01;

    /** Word Address Space Descriptor (6.4.3.5.3): WordBusNumber/WordIO with translation 0. */
    static byte[] wordAddress(int type, int typeFlags, int min, int max) {
        return concat(new byte[] {(byte) 0x88, 0x0d, 0x00, (byte) type, PRODUCER_FIXED, (byte) typeFlags},
                le(0, 2), le(min, 2), le(max, 2), le(0, 2), le(max - min + 1, 2));
    }

    /** DWord Address Space Descriptor (6.4.3.5.2): DWordMemory with translation 0. */
    static byte[] dwordMemory(long min, long max) {
        return concat(new byte[] {(byte) 0x87, 0x17, 0x00, RES_MEMORY, PRODUCER_FIXED, MEM_NONCACHEABLE_RW},
                le(0, 4), le(min, 4), le(max, 4), le(0, 4), le(max - min + 1, 4));
    }

    /** QWord Address Space Descriptor (6.4.3.5.1): QWordMemory with translation 0. */
    static byte[] qwordMemory(long min, long max) {
        return concat(new byte[] {(byte) 0x8a, 0x2b, 0x00, RES_MEMORY, PRODUCER_FIXED, MEM_NONCACHEABLE_RW},
                le(0, 8), le(min, 8), le(max, 8), le(0, 8), le(max - min + 1, 8));
    }

    static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }
}
