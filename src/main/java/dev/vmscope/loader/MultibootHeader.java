package dev.vmscope.loader;

/**
 * The Multiboot v1 header of a kernel file (Multiboot Specification 0.6.96, 3.1 "OS image format"):
 * a 32-bit aligned {magic 0x1BADB002, flags, checksum} within the first 8192 bytes, where
 * magic + flags + checksum == 0 (mod 2^32); with flag bit 16 the a.out-kludge address fields follow.
 *
 * @param offset file offset of the magic
 * @param flags  the flags word
 */
record MultibootHeader(long offset, long flags, long headerAddr, long loadAddr, long loadEndAddr,
                       long bssEndAddr, long entryAddr) {
    static final long MAGIC = 0x1BADB002L;
    static final int SEARCH_LIMIT = 8192;
    /** Bits 0-15 are requirements the loader must meet or refuse the image (spec 3.1.2). */
    static final long FLAG_PAGE_ALIGN = 1, FLAG_MEMORY_INFO = 1 << 1, FLAG_VIDEO_MODE = 1 << 2;
    static final long FLAG_AOUT_KLUDGE = 1 << 16;
    private static final long KNOWN_REQUIREMENTS = FLAG_PAGE_ALIGN | FLAG_MEMORY_INFO | FLAG_VIDEO_MODE;

    boolean aoutKludge() { return (flags & FLAG_AOUT_KLUDGE) != 0; }

    /** Finds and validates the header; a file without one, or with unsupported requirements, fails. */
    static MultibootHeader find(KernelFile file) {
        int limit = Math.min(SEARCH_LIMIT, file.size()) - 12;
        int badChecksumAt = -1;
        for (int off = 0; off <= limit; off += 4) {
            if (file.u32(off, "multiboot magic") != MAGIC) continue;
            long flags = file.u32(off + 4, "multiboot flags");
            long checksum = file.u32(off + 8, "multiboot checksum");
            if (((MAGIC + flags + checksum) & 0xffffffffL) != 0) {
                if (badChecksumAt < 0) badChecksumAt = off;
                continue;
            }
            long unknown = flags & 0xffff & ~KNOWN_REQUIREMENTS;
            if (unknown != 0)
                throw file.error(String.format("multiboot header at offset %d requires unsupported features (flags bits 0x%x)",
                        off, unknown));
            if ((flags & FLAG_AOUT_KLUDGE) == 0) return new MultibootHeader(off, flags, 0, 0, 0, 0, 0);
            return new MultibootHeader(off, flags, file.u32(off + 12, "multiboot header_addr"),
                    file.u32(off + 16, "multiboot load_addr"), file.u32(off + 20, "multiboot load_end_addr"),
                    file.u32(off + 24, "multiboot bss_end_addr"), file.u32(off + 28, "multiboot entry_addr"));
        }
        if (badChecksumAt >= 0)
            throw file.error("multiboot header at offset " + badChecksumAt + " has a bad checksum");
        throw file.error("no multiboot header (magic 0x1BADB002 with a valid checksum) in the first "
                + SEARCH_LIMIT + " bytes, and no Linux setup header (\"HdrS\" at 0x202): not a kernel vmscope can boot"
                + " (a raw image needs --load-addr)");
    }
}
