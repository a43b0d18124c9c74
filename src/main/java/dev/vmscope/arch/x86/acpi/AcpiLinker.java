package dev.vmscope.arch.x86.acpi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ACPI tables in QEMU's fw_cfg form for SeaBIOS/OVMF: "etc/acpi/tables" (FACS, DSDT, FADT, MADT, RSDT,
 * XSDT with pointers holding offsets into that blob), "etc/acpi/rsdp" and "etc/table-loader", the BIOS
 * linker/loader script that tells the firmware to allocate both blobs, add the allocated base to each
 * pointer and fix the checksums. Entry layout after QEMU hw/acpi/bios-linker-loader.c: 128 bytes each, a
 * little-endian u32 command then a union padded to 124 bytes; file names are 56-byte NUL-padded fields
 * (FW_CFG_MAX_FILE_PATH).
 */
public final class AcpiLinker {
    private AcpiLinker() { }

    public static final String TABLES = "etc/acpi/tables", RSDP = "etc/acpi/rsdp", LOADER = "etc/table-loader";
    public static final int ENTRY_SIZE = 128, FILE_NAME_SIZE = 56;
    public static final int CMD_ALLOCATE = 1, CMD_ADD_POINTER = 2, CMD_ADD_CHECKSUM = 3;
    public static final int ZONE_HIGH = 1, ZONE_FSEG = 2;

    /** The three fw_cfg files, in the order QEMU registers them; feed each to FwCfg.addFile. */
    public static Map<String, byte[]> build(PlatformConfig cfg) {
        TableBuffer blob = new TableBuffer();
        List<byte[]> cmds = new ArrayList<>();
        cmds.add(allocate(TABLES, 64, ZONE_HIGH));
        cmds.add(allocate(RSDP, 16, ZONE_FSEG));   // the RSDP must be found by a scan of the F-segment

        int facs = place(blob, AcpiTables.facs(), 64);
        int dsdt = place(blob, Dsdt.build(cfg), 16);
        checksum(cmds, blob, dsdt);
        int fadt = place(blob, AcpiTables.fadt(cfg, facs, dsdt), 16);
        for (int[] p : new int[][] {{AcpiTables.FADT_FACS, 4}, {AcpiTables.FADT_DSDT, 4},
                {AcpiTables.FADT_X_FACS, 8}, {AcpiTables.FADT_X_DSDT, 8}})
            cmds.add(pointer(TABLES, TABLES, fadt + p[0], p[1]));
        checksum(cmds, blob, fadt);
        int madt = place(blob, AcpiTables.madt(cfg), 16);
        checksum(cmds, blob, madt);
        int rsdt = place(blob, AcpiTables.rsdt(cfg, fadt, madt), 16);
        for (int i = 0; i < 2; i++) cmds.add(pointer(TABLES, TABLES, rsdt + AcpiTables.HEADER_LENGTH + 4 * i, 4));
        checksum(cmds, blob, rsdt);
        int xsdt = place(blob, AcpiTables.xsdt(cfg, fadt, madt), 16);
        for (int i = 0; i < 2; i++) cmds.add(pointer(TABLES, TABLES, xsdt + AcpiTables.HEADER_LENGTH + 8 * i, 8));
        checksum(cmds, blob, xsdt);

        byte[] rsdp = AcpiTables.rsdp(cfg, rsdt, xsdt);
        cmds.add(pointer(RSDP, TABLES, AcpiTables.RSDP_RSDT, 4));
        cmds.add(pointer(RSDP, TABLES, AcpiTables.RSDP_XSDT, 8));
        cmds.add(checksumCmd(RSDP, AcpiTables.RSDP_CHECKSUM, 0, 20));
        cmds.add(checksumCmd(RSDP, AcpiTables.RSDP_EXT_CHECKSUM, 0, AcpiTables.RSDP_LENGTH));

        TableBuffer loader = new TableBuffer();
        for (byte[] c : cmds) loader.bytes(c);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(TABLES, blob.toArray());
        files.put(RSDP, rsdp);
        files.put(LOADER, loader.toArray());
        return files;
    }

    private static int place(TableBuffer blob, byte[] table, int align) {
        blob.alignTo(align);
        int at = blob.size();
        blob.bytes(table);
        return at;
    }

    /** ADD_CHECKSUM over the whole table at {@code start} in the tables blob (length from its header). */
    private static void checksum(List<byte[]> cmds, TableBuffer blob, int start) {
        byte[] b = blob.toArray();
        int len = (b[start + 4] & 0xff) | (b[start + 5] & 0xff) << 8 | (b[start + 6] & 0xff) << 16 | (b[start + 7] & 0xff) << 24;
        cmds.add(checksumCmd(TABLES, start + AcpiTables.HEADER_CHECKSUM, start, len));
    }

    private static TableBuffer entry(int cmd) { return new TableBuffer().u32(cmd); }

    private static TableBuffer name(TableBuffer b, String file) {
        byte[] n = file.getBytes(StandardCharsets.US_ASCII);
        if (n.length >= FILE_NAME_SIZE) throw new IllegalArgumentException("fw_cfg file name too long: " + file);
        return b.bytes(n).zeros(FILE_NAME_SIZE - n.length);
    }

    private static byte[] pad(TableBuffer b) { return b.zeros(ENTRY_SIZE - b.size()).toArray(); }

    /** ALLOCATE: file[56], u32 align, u8 zone. */
    static byte[] allocate(String file, int align, int zone) {
        return pad(name(entry(CMD_ALLOCATE), file).u32(align).u8(zone));
    }

    /** ADD_POINTER: dest_file[56], src_file[56], u32 offset, u8 size. */
    static byte[] pointer(String dest, String src, int offset, int size) {
        return pad(name(name(entry(CMD_ADD_POINTER), dest), src).u32(offset).u8(size));
    }

    /** ADD_CHECKSUM: file[56], u32 offset (of the checksum byte), u32 start, u32 length. */
    static byte[] checksumCmd(String file, int offset, int start, int length) {
        return pad(name(entry(CMD_ADD_CHECKSUM), file).u32(offset).u32(start).u32(length));
    }
}
