package dev.vmscope.loader;

import java.util.Locale;

/**
 * How a Linux bzImage is entered (Documentation/arch/x86/boot.rst):
 * <ul>
 * <li>{@link #BOOT32} the 32-bit boot protocol at the protected-mode kernel (1 MiB), paging off;
 * <li>{@link #BOOT64} the 64-bit boot protocol at the protected-mode kernel + 0x200 (startup_64 of the
 *     compressed kernel), long mode with identity paging; needs XLF_KERNEL_64 (protocol 2.12+);
 * <li>{@link #VMLINUX} the payload decompressed on the host ({@link KernelPayload}) and its ELF loaded,
 *     entered at the ELF entry (startup_64 of vmlinux) in long mode, so the guest's own decompressor never
 *     runs; needs payload_offset/payload_length (2.08+) and XLF_KERNEL_64.
 * </ul>
 */
public enum LinuxEntry {
    BOOT32("32"), BOOT64("64"), VMLINUX("vmlinux");

    /** The spelling an option uses. */
    public final String id;

    LinuxEntry(String id) { this.id = id; }

    /** Parses "32", "64" or "vmlinux"; anything else is an IllegalArgumentException naming the choices. */
    public static LinuxEntry parse(String s) {
        for (LinuxEntry e : values()) if (e.id.equals(s.toLowerCase(Locale.ROOT))) return e;
        throw new IllegalArgumentException("Linux entry '" + s + "' is not 32, 64 or vmlinux");
    }

    public boolean longMode() { return this != BOOT32; }
}
