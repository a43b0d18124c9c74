package dev.vmscope.arch.x86;

import dev.vmscope.memory.GuestMemory;

/**
 * Translates guest-linear to guest-physical addresses the way the MMU would, reading the guest's page
 * tables through {@link GuestMemory}. Paging modes and entry formats: Intel SDM Vol. 3A chapter 4,
 * 4.1.1 (mode selection by CR0.PG, CR4.PAE, EFER.LME, CR4.LA57), 4.3 (32-bit paging, tables 4-4..4-6,
 * PSE-36 in 4.3 table 4-4), 4.4 (PAE, tables 4-8..4-11), 4.5 (4- and 5-level, tables 4-14..4-20).
 * Unlike the CPU it reads PAE PDPTEs from memory on each walk rather than caching them at CR3 load.
 * A table outside RAM yields a {@link Fault}, never an exception. Accessed/dirty bits are not written.
 */
public final class PageWalker {
    private static final long P = 1, RW = 1 << 1, US = 1 << 2, PS = 1 << 7, XD = 1L << 63;
    /** Physical-address bits 51:12 of a 64-bit entry (MAXPHYADDR taken as 52). */
    private static final long ADDR_MASK = 0x000ffffffffff000L;

    public enum Mode { NONE, BITS32, PAE, LEVEL4, LEVEL5 }

    public enum Reason { NOT_PRESENT, TABLE_OUTSIDE_RAM, RESERVED_BIT, NON_CANONICAL }

    public sealed interface Translation permits Mapped, Fault { }

    /**
     * A successful walk. {@code level} is where the leaf entry was found: 1 = page table (4 KiB),
     * 2 = page directory (2 or 4 MiB), 3 = PDPT (1 GiB), 0 = paging disabled (reported as 4 KiB pages).
     * {@code writable}/{@code user} are the AND of R/W and U/S over the walk, {@code nx} the OR of XD
     * (only when EFER.NXE is set).
     */
    public record Mapped(long gpa, long pageSize, boolean writable, boolean user, boolean nx, int level)
            implements Translation { }

    /**
     * A failed walk at {@code level} (5 = PML5, 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT), with the
     * guest-physical address of the entry that stopped it and its value (0 when it could not be read).
     */
    public record Fault(int level, Reason reason, long entryAddress, long entry) implements Translation { }

    private PageWalker() { }

    public static Mode mode(long cr0, long cr4, long efer) {
        if ((cr0 & BootState.CR0_PG) == 0) return Mode.NONE;
        if ((cr4 & BootState.CR4_PAE) == 0) return Mode.BITS32;
        if ((efer & (BootState.EFER_LMA | BootState.EFER_LME)) == 0) return Mode.PAE;
        return (cr4 & BootState.CR4_LA57) != 0 ? Mode.LEVEL5 : Mode.LEVEL4;
    }

    public static Translation translate(GuestMemory memory, BootState s, long linear) {
        return translate(memory, s.cr0(), s.cr3(), s.cr4(), s.efer(), linear);
    }

    public static Translation translate(GuestMemory memory, long cr0, long cr3, long cr4, long efer, long linear) {
        boolean nxe = (efer & BootState.EFER_NXE) != 0;
        return switch (mode(cr0, cr4, efer)) {
            case NONE -> new Mapped(linear & 0xffffffffL, 4096, true, true, false, 0);
            case BITS32 -> walk32(memory, cr3, cr4, linear & 0xffffffffL);
            case PAE -> walk64(memory, cr3 & 0xffffffe0L, 3, linear & 0xffffffffL, nxe, true);
            case LEVEL4 -> canonical(linear, 48) ? walk64(memory, cr3 & ADDR_MASK, 4, linear, nxe, false)
                    : new Fault(4, Reason.NON_CANONICAL, 0, 0);
            case LEVEL5 -> canonical(linear, 57) ? walk64(memory, cr3 & ADDR_MASK, 5, linear, nxe, false)
                    : new Fault(5, Reason.NON_CANONICAL, 0, 0);
        };
    }

    private static boolean canonical(long linear, int bits) {
        return (linear << (64 - bits) >> (64 - bits)) == linear;
    }

    /** PAE (top level 3, 4-entry PDPT) and 4/5-level paging: 64-bit entries, 9 index bits per level. */
    private static Translation walk64(GuestMemory memory, long table, int top, long linear, boolean nxe, boolean pae) {
        boolean writable = true, user = true, nx = false;
        for (int level = top; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            long index = (linear >>> shift) & (pae && level == 3 ? 0x3 : 0x1ff);
            long at = table + index * 8;
            if (!memory.isRam(at, 8)) return new Fault(level, Reason.TABLE_OUTSIDE_RAM, at, 0);
            long e = memory.readU64(at);
            if ((e & P) == 0) return new Fault(level, Reason.NOT_PRESENT, at, e);
            if ((e & XD) != 0 && !nxe) return new Fault(level, Reason.RESERVED_BIT, at, e);
            boolean pdpte = pae && level == 3; // PAE PDPTEs carry no R/W, U/S, XD or PS (table 4-8)
            if (!pdpte) {
                writable &= (e & RW) != 0;
                user &= (e & US) != 0;
                nx |= (e & XD) != 0;
            }
            boolean large = !pdpte && level > 1 && (e & PS) != 0;
            if (large && level > 3) return new Fault(level, Reason.RESERVED_BIT, at, e);
            if (large || level == 1) {
                long size = 1L << shift;
                long frame = e & ADDR_MASK & -size;
                return new Mapped(frame | (linear & (size - 1)), size, writable, user, nx, level);
            }
            table = e & ADDR_MASK;
        }
        throw new AssertionError("unreachable: level 1 always ends the walk");
    }

    /** 32-bit paging: 1024-entry tables of 32-bit entries; 4 MiB pages with CR4.PSE (PSE-36 high bits). */
    private static Translation walk32(GuestMemory memory, long cr3, long cr4, long linear) {
        long pdeAt = (cr3 & 0xfffff000L) + ((linear >>> 22) << 2);
        if (!memory.isRam(pdeAt, 4)) return new Fault(2, Reason.TABLE_OUTSIDE_RAM, pdeAt, 0);
        long pde = memory.readU32(pdeAt);
        if ((pde & P) == 0) return new Fault(2, Reason.NOT_PRESENT, pdeAt, pde);
        if ((pde & PS) != 0 && (cr4 & BootState.CR4_PSE) != 0) {
            // Bits 31:22 give physical bits 31:22; bits 20:13 give physical bits 39:32 (table 4-4).
            long frame = (pde & 0xffc00000L) | ((pde >>> 13) & 0xff) << 32;
            return new Mapped(frame | (linear & 0x3fffff), 4L << 20, (pde & RW) != 0, (pde & US) != 0, false, 2);
        }
        long pteAt = (pde & 0xfffff000L) + (((linear >>> 12) & 0x3ff) << 2);
        if (!memory.isRam(pteAt, 4)) return new Fault(1, Reason.TABLE_OUTSIDE_RAM, pteAt, 0);
        long pte = memory.readU32(pteAt);
        if ((pte & P) == 0) return new Fault(1, Reason.NOT_PRESENT, pteAt, pte);
        return new Mapped((pte & 0xfffff000L) | (linear & 0xfff), 4096,
                (pde & pte & RW) != 0, (pde & pte & US) != 0, false, 1);
    }
}
