package dev.vmscope.arch.x86;

import dev.vmscope.hypervisor.CpuState.Segment;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootStateTest {
    @Test void multibootIsFlat32BitProtectedModeWithTheGdtInMemory() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 4 << 20);
            BootState s = BootState.multiboot(mem, 0x10000c, 0x2BADB002L, 0x9000);
            assertEquals(BootState.Mode.PROTECTED32, s.mode());
            assertEquals(0x10000c, s.rip());
            assertEquals(0x2BADB002L, s.rax());
            assertEquals(0x9000, s.rbx());
            assertEquals(0x2, s.rflags(), "IF clear");
            assertEquals(BootState.CR0_PE, s.cr0() & (BootState.CR0_PE | BootState.CR0_PG));
            assertEquals(new DescriptorTable(0x500, 31), s.gdt());
            // The descriptors in memory are the architectural encodings of flat 4 GiB segments.
            assertEquals(0, mem.readU64(0x500));
            assertEquals(0x00cf9b000000ffffL, mem.readU64(0x508));
            assertEquals(0x00cf93000000ffffL, mem.readU64(0x510));
            assertEquals(0x00af9b000000ffffL, mem.readU64(0x518));
            assertEquals(0x08, s.cs().selector());
            assertTrue(s.cs().db() && s.cs().g() && s.cs().present() && s.cs().s());
            assertEquals(0xffffffffL, s.ss().limit());
            assertEquals(Segment.DATA_RW_ACCESSED, s.ds().type());
            for (Segment seg : List.of(s.ds(), s.es(), s.fs(), s.gs(), s.ss())) assertEquals(0x10, seg.selector());
        }
    }

    @Test void realModeSegmentBaseIsSelectorTimes16() {
        BootState s = BootState.real(0xf000, 0xfff0);
        assertEquals(BootState.Mode.REAL, s.mode());
        assertEquals(0xf0000, s.cs().base());
        assertEquals(0xfff0, s.rip());
        assertEquals(0xffff, s.cs().limit());
        assertEquals(0, s.cr0() & BootState.CR0_PE);
        assertEquals(new DescriptorTable(0, 0x3ff), s.idt());
    }

    @Test void long64IdentityMapsTheFirst4GiBWith2MiBPages() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 4 << 20);
            BootState s = BootState.long64(mem, 0x200000, 0x80000);
            assertEquals(BootState.Mode.LONG64, s.mode());
            assertEquals(BootState.PAGE_TABLES, s.cr3());
            assertTrue(s.cs().l() && !s.cs().db());
            assertEquals(PageWalker.Mode.LEVEL4, PageWalker.mode(s.cr0(), s.cr4(), s.efer()));
            for (long va : new long[] {0, 0x123456, 0xfee00010L, 0xffff_ffffL}) {
                PageWalker.Mapped m = assertInstanceOf(PageWalker.Mapped.class, PageWalker.translate(mem, s, va));
                assertEquals(va, m.gpa());
                assertEquals(2 << 20, m.pageSize());
                assertTrue(m.writable());
                assertFalse(m.user());
            }
            PageWalker.Fault f = assertInstanceOf(PageWalker.Fault.class, PageWalker.translate(mem, s, 1L << 32));
            assertEquals(3, f.level());
        }
    }

    @Test void long64RejectsAnUnalignedRoot() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory mem = GuestMemory.allocate(arena, 4 << 20);
            assertThrows(IllegalArgumentException.class, () -> BootState.long64(mem, 0, 0, 0x1800));
        }
    }
}
