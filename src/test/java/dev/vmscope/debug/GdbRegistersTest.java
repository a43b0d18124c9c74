package dev.vmscope.debug;

import dev.vmscope.hypervisor.CpuState;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two register layouts: which one a vCPU gets, the i386 'g' image, and the description GDB accepts. */
class GdbRegistersTest {
    static CpuState protected32(long eip) {
        CpuState.Segment code = new CpuState.Segment(0x8, 0, 0xffffffffL, CpuState.Segment.attributesOf(0xb, true, 0, true, false, false, true, true, false));
        CpuState.Segment data = new CpuState.Segment(0x10, 0, 0xffffffffL, CpuState.Segment.attributesOf(0x3, true, 0, true, false, false, true, true, false));
        long[] g = new long[16];
        for (int i = 0; i < 16; i++) g[i] = 0x1111111100000000L * (i + 1) + 0x100 + i; // high halves must not show in i386
        return CpuState.reset().withSegments(code, data, data, data, data, data).withSystem(0x11, 0, 0, 0, 0, 0, 0).withGprs(g, eip, 0x46);
    }

    @Test
    void layoutFollowsLongModeActive() {
        assertSame(GdbRegisters.I386, GdbRegisters.forState(protected32(0x100000)));
        assertSame(GdbRegisters.I386, GdbRegisters.forState(CpuState.reset()));
        assertSame(GdbRegisters.X86_64, GdbRegisters.forState(FakeTarget.longMode(0x1000)));
    }

    @Test
    void i386ImageUsesGdbOrderAnd32BitRegisters() {
        GdbRegisters l = GdbRegisters.I386;
        // 8 GPRs + eip + eflags + 6 selectors (4 bytes), st0-7 (10), 8 FPU control (4), xmm0-7 (16), mxcsr, 3 bases + 6 system (8)
        assertEquals(16 * 4 + 80 + 32 + 128 + 4 + 9 * 8, l.size());
        ByteBuffer b = ByteBuffer.wrap(l.toBytes(protected32(0x100088))).order(ByteOrder.LITTLE_ENDIAN);
        // gdb/features/i386/32bit-core.xml: eax, ecx, edx, ebx, esp, ebp, esi, edi, eip, eflags, cs...
        assertEquals(0x100, b.getInt(0), "eax");
        assertEquals(0x102, b.getInt(4), "ecx = gpr 2");
        assertEquals(0x103, b.getInt(8), "edx");
        assertEquals(0x101, b.getInt(12), "ebx");
        assertEquals(0x107, b.getInt(16), "esp");
        assertEquals(0x106, b.getInt(20), "ebp");
        assertEquals(0x100088, b.getInt(l.reg("eip").offset()));
        assertEquals(0x46, b.getInt(l.reg("eflags").offset()));
        assertEquals(0x8, b.getInt(l.reg("cs").offset()));
        assertEquals(0x11, b.getLong(l.reg("cr0").offset()));
    }

    @Test
    void i386WritesKeepWhatTheLayoutDoesNotShow() {
        GdbRegisters l = GdbRegisters.I386;
        CpuState s = protected32(0x100000);
        CpuState w = l.write(s, l.regs().indexOf(l.reg("eip")), new byte[] {(byte) 0x90, 0, 0x10, 0});
        assertEquals(0x100090, w.rip());
        assertEquals(s.r8(), w.r8(), "r8-r15 are not in the i386 layout and survive");
        assertEquals(s.cs(), w.cs());
        CpuState round = l.fromBytes(l.toBytes(s), s);
        assertEquals(s.rflags(), round.rflags());
        assertEquals(s.rax() & 0xffffffffL, round.rax(), "GDB's 32-bit value is what the vCPU gets back");
    }

    @Test
    void descriptionsNameTheirArchitecture() {
        String x86 = GdbRegisters.I386.targetXml();
        assertTrue(x86.contains("<architecture>i386</architecture>") && x86.contains("name=\"eip\" bitsize=\"32\""), x86);
        // GDB 13 asserts in tdesc_use_registers when an i386 description carries org.gnu.gdb.i386.segments.
        assertFalse(x86.contains("org.gnu.gdb.i386.segments"), x86);
        assertFalse(x86.contains("xmm8"), x86);
        String x64 = GdbRegisters.X86_64.targetXml();
        assertTrue(x64.contains("<architecture>i386:x86-64</architecture>") && x64.contains("org.gnu.gdb.i386.segments") && x64.contains("xmm15"), x64);
    }
}
