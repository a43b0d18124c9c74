package dev.vmscope.arch.x86;

import static dev.vmscope.arch.x86.BootState.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.arch.x86.PageWalker.Fault;
import dev.vmscope.arch.x86.PageWalker.Mapped;
import dev.vmscope.arch.x86.PageWalker.Reason;
import dev.vmscope.arch.x86.PageWalker.Translation;
import dev.vmscope.memory.GuestMemory;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Page tables are built by hand in test RAM for every paging mode and walked. */
class PageWalkerTest {
    static final long P = 1, RW = 2, US = 4, PS = 0x80, XD = 1L << 63;
    static final long PG_PE = CR0_PG | CR0_PE;
    Arena arena;
    GuestMemory mem;

    @BeforeEach void setUp() {
        arena = Arena.ofConfined();
        mem = GuestMemory.allocate(arena, 16 << 20);
    }

    @AfterEach void tearDown() { arena.close(); }

    Translation walk(long cr0, long cr3, long cr4, long efer, long va) {
        return PageWalker.translate(mem, cr0, cr3, cr4, efer, va);
    }

    static Mapped mapped(Translation t) {
        return assertInstanceOf(Mapped.class, t, () -> "expected a mapping, got " + t);
    }

    static Fault fault(Translation t) {
        return assertInstanceOf(Fault.class, t, () -> "expected a fault, got " + t);
    }

    /** Index of {@code va} in a 512-entry table at {@code level} (1 = PT). */
    static long idx(long va, int level) { return (va >>> (12 + 9 * (level - 1))) & 0x1ff; }

    @Test void pagingDisabledIsIdentityOn32Bits() {
        Mapped m = mapped(walk(CR0_PE, 0, 0, 0, 0x1_2345_6789L));
        assertEquals(0x2345_6789L, m.gpa());
        assertEquals(0, m.level());
        assertEquals(PageWalker.Mode.NONE, PageWalker.mode(CR0_PE, CR4_PAE, EFER_LME));
    }

    @Test void bits32With4KiBPages() {
        long cr3 = 0x10000;
        mem.writeU32(cr3 + 1 * 4, 0x11000 | P | RW | US);
        mem.writeU32(0x11000 + 5 * 4, 0x123000 | P | US);
        Mapped m = mapped(walk(PG_PE, cr3, 0, 0, 0x405abc));
        assertEquals(new Mapped(0x123abc, 4096, false, true, false, 1), m);
        Fault f = fault(walk(PG_PE, cr3, 0, 0, 0x406000));
        assertEquals(new Fault(1, Reason.NOT_PRESENT, 0x11000 + 6 * 4, 0), f);
        assertEquals(2, fault(walk(PG_PE, cr3, 0, 0, 0xc0000000L)).level());
    }

    @Test void bits32With4MiBPagesAndPse36() {
        long cr3 = 0x10000;
        mem.writeU32(cr3 + 2 * 4, 0x00c00000L | (0x3 << 13) | PS | P | RW);
        Mapped m = mapped(walk(PG_PE, cr3, CR4_PSE, 0, 0x812345));
        assertEquals(new Mapped(0x3_00c1_2345L, 4 << 20, true, false, false, 2), m);
        // Without CR4.PSE the PS bit is ignored: the entry points to a page table (zeroed -> not present).
        Fault f = fault(walk(PG_PE, cr3, 0, 0, 0x812345));
        assertEquals(1, f.level());
        assertEquals(Reason.NOT_PRESENT, f.reason());
    }

    @Test void bits32TableOutsideRamIsAFaultNotAnException() {
        Fault f = fault(walk(PG_PE, 0x8000_0000L, 0, 0, 0x1000));
        assertEquals(new Fault(2, Reason.TABLE_OUTSIDE_RAM, 0x8000_0000L, 0), f);
        mem.writeU32(0x10000, 0xfff0_0000L | P);
        assertEquals(Reason.TABLE_OUTSIDE_RAM, fault(walk(PG_PE, 0x10000, 0, 0, 0x1000)).reason());
    }

    @Test void paeWithPdpteFromCr3And2MiBAnd4KiBPages() {
        long cr3 = 0x20020; // PAE CR3 is 32-byte aligned
        mem.writeU64(cr3 + 2 * 8, 0x21000 | P);
        mem.writeU64(0x21000 + 1 * 8, 0x400000 | PS | P | RW | US | XD);
        mem.writeU64(0x21000, 0x22000 | P | RW);
        mem.writeU64(0x22000 + 3 * 8, 0x777000 | P | RW | US);
        long cr4 = CR4_PAE;
        Mapped big = mapped(walk(PG_PE, cr3, cr4, EFER_NXE, 0x80212345L));
        assertEquals(new Mapped(0x412345, 2 << 20, true, true, true, 2), big);
        Mapped small = mapped(walk(PG_PE, cr3, cr4, EFER_NXE, 0x80003abcL));
        assertEquals(new Mapped(0x777abc, 4096, true, false, false, 1), small);
        assertEquals(new Fault(3, Reason.NOT_PRESENT, cr3 + 3 * 8, 0), walk(PG_PE, cr3, cr4, 0, 0xc0000000L));
        // XD without EFER.NXE is a reserved bit.
        assertEquals(Reason.RESERVED_BIT, fault(walk(PG_PE, cr3, cr4, 0, 0x80212345L)).reason());
    }

    /** Builds a 4-level walk for {@code va} ending at {@code leafLevel} with the given leaf entry. */
    void map4(long cr3, long va, int leafLevel, long leaf, long flags) {
        long table = cr3;
        long next = 0x100000;
        for (int level = 4; level > leafLevel; level--) {
            long at = table + idx(va, level) * 8;
            long existing = mem.readU64(at);
            if ((existing & P) == 0) {
                mem.writeU64(at, next | flags);
                table = next;
                next += 0x1000;
            } else {
                table = existing & 0x000ffffffffff000L;
            }
        }
        mem.writeU64(table + idx(va, leafLevel) * 8, leaf);
    }

    @Test void fourLevelWith1GiB2MiBAnd4KiBPages() {
        long cr3 = 0x30000, cr4 = CR4_PAE, efer = EFER_LME | EFER_LMA | EFER_NXE;
        long va1g = 0x0000_7f80_4000_0000L, va2m = 0x0000_0040_0060_0000L, va4k = 0xffff_8000_0000_3000L;
        map4(cr3, va1g, 3, 0x1_4000_0000L | PS | P | RW | US, P | RW | US);
        map4(cr3 + 0x1000 * 0, va2m, 2, 0x0060_0000L | PS | P | US, P | RW | US);
        Mapped g = mapped(walk(PG_PE, cr3, cr4, efer, va1g + 0x1234_5678L));
        assertEquals(new Mapped(0x1_4000_0000L + 0x1234_5678L, 1 << 30, true, true, false, 3), g);
        Mapped m = mapped(walk(PG_PE, cr3, cr4, efer, va2m + 0x1_2345L));
        assertEquals(new Mapped(0x0061_2345L, 2 << 20, false, true, false, 2), m);
        // 4 KiB page through a supervisor-only, NX PML4 entry: user and nx come from the whole walk.
        mem.writeU64(cr3 + idx(va4k, 4) * 8, 0x200000 | P | RW | XD);
        mem.writeU64(0x200000 + idx(va4k, 3) * 8, 0x201000 | P | RW | US);
        mem.writeU64(0x201000 + idx(va4k, 2) * 8, 0x202000 | P | RW | US);
        mem.writeU64(0x202000 + idx(va4k, 1) * 8, 0xabc000 | P | RW | US);
        assertEquals(new Mapped(0xabc123, 4096, true, false, true, 1), walk(PG_PE, cr3, cr4, efer, va4k + 0x123));
        // PAT bit 12 of a 2 MiB leaf is not an address bit.
        mem.writeU64(0x201000 + idx(va4k, 2) * 8 + 8, 0x0080_0000L | 0x1000 | PS | P);
        assertEquals(0x0080_0010L, mapped(walk(PG_PE, cr3, cr4, efer, va4k + (2 << 20) - 0x3000 + 0x10)).gpa());
    }

    @Test void fourLevelFaults() {
        long cr3 = 0x30000, cr4 = CR4_PAE, efer = EFER_LME | EFER_LMA;
        assertEquals(new Fault(4, Reason.NON_CANONICAL, 0, 0), walk(PG_PE, cr3, cr4, efer, 0x0000_8000_0000_0000L));
        assertEquals(new Fault(4, Reason.NOT_PRESENT, cr3, 0), walk(PG_PE, cr3, cr4, efer, 0x1000));
        mem.writeU64(cr3, 0x40000 | P | RW | PS); // PS in a PML4E is reserved
        assertEquals(Reason.RESERVED_BIT, fault(walk(PG_PE, cr3, cr4, efer, 0x1000)).reason());
        mem.writeU64(cr3, 0x40000 | P | RW);
        mem.writeU64(0x40000, 0x5_0000_0000L | P | RW); // PD beyond RAM
        assertEquals(new Fault(2, Reason.TABLE_OUTSIDE_RAM, 0x5_0000_0000L, 0), walk(PG_PE, cr3, cr4, efer, 0x1000));
        assertEquals(Reason.TABLE_OUTSIDE_RAM, fault(walk(PG_PE, 0x7_0000_0000L, cr4, efer, 0x1000)).reason());
    }

    @Test void fiveLevelUsesThePml5AndItsWiderCanonicalRange() {
        long cr3 = 0x30000, cr4 = CR4_PAE | CR4_LA57, efer = EFER_LME | EFER_LMA;
        long va = 0x00ff_8000_0000_5000L; // canonical with 57 bits, not with 48
        assertEquals(Reason.NON_CANONICAL, fault(walk(PG_PE, cr3, CR4_PAE, efer, va)).reason());
        assertEquals(Reason.NON_CANONICAL, fault(walk(PG_PE, cr3, cr4, efer, 0x0100_0000_0000_0000L)).reason());
        long table = cr3, next = 0x300000;
        for (int level = 5; level > 1; level--) {
            mem.writeU64(table + idx(va, level) * 8, next | P | RW | US);
            table = next;
            next += 0x1000;
        }
        mem.writeU64(table + idx(va, 1) * 8, 0x555000 | P | RW | US);
        assertEquals(new Mapped(0x555042, 4096, true, true, false, 1), walk(PG_PE, cr3, cr4, efer, va + 0x42));
        Fault f = fault(walk(PG_PE, cr3, cr4, efer, va - (1L << 48)));
        assertEquals(5, f.level());
        assertEquals(Reason.NOT_PRESENT, f.reason());
    }
}
