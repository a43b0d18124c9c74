package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.CpuState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cores of the fake target ({@link FakeTarget} stands in for KVM), checked by parsing them back and by real gdb. */
class ElfCoreWriterTest {
    @TempDir Path dir;

    private static FakeTarget withKnownState() {
        FakeTarget t = new FakeTarget(2, DebugCapabilities.KVM_NO_SW_BP);
        // Protected mode without paging: the identity vaddr layout applies (QEMU's -p with paging off).
        for (int v = 0; v < 2; v++) {
            CpuState s = FakeTarget.longMode(0x1234 + v).withSystem(0x11, 0, 0, 0, 0, 0, 0);
            long[] g = new long[16];
            for (int i = 0; i < 16; i++) g[i] = 0x1111L * (i + 1) + v;
            t.setState(v, s.withGprs(g, 0x1234 + v, 0x246));
        }
        t.writePhysical(0x2000, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
        t.writePhysical(FakeTarget.RAM2 + 0x10, new byte[] {0x0f, 0x1e, 0x2d, 0x3c});
        return t;
    }

    @Test
    void headersNotesAndMemoryParseBack() throws Exception {
        Path core = dir.resolve("vm.core");
        try (FakeTarget t = withKnownState()) {
            ElfCoreWriter.write(t, core);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(core)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x464c457f, b.getInt(0));
        assertEquals(2, b.get(4)); // ELFCLASS64
        assertEquals(ElfCoreWriter.ET_CORE, b.getShort(16));
        assertEquals(ElfCoreWriter.EM_X86_64, b.getShort(18));
        int phoff = (int) b.getLong(32);
        int phnum = b.getShort(56);
        assertEquals(3, phnum, "PT_NOTE + two RAM regions");
        assertEquals(ElfCoreWriter.PT_NOTE, b.getInt(phoff));
        int noteOff = (int) b.getLong(phoff + 8);
        int noteSize = (int) b.getLong(phoff + 32);
        assertEquals(2 * (ElfCoreWriter.noteSize(336) + ElfCoreWriter.noteSize(440)), noteSize);
        // Second PT_LOAD: RAM at 1 MiB, identity vaddr, and its bytes at p_offset.
        int ph2 = phoff + 2 * 56;
        assertEquals(ElfCoreWriter.PT_LOAD, b.getInt(ph2));
        assertEquals(FakeTarget.RAM2, b.getLong(ph2 + 16), "vaddr");
        assertEquals(FakeTarget.RAM2, b.getLong(ph2 + 24), "paddr");
        assertEquals(0x10000, b.getLong(ph2 + 32));
        int off = (int) b.getLong(ph2 + 8) + 0x10;
        assertArrayEquals(new byte[] {0x0f, 0x1e, 0x2d, 0x3c}, new byte[] {b.get(off), b.get(off + 1), b.get(off + 2), b.get(off + 3)});
        // Notes: CORE/NT_PRSTATUS for vCPU 0 and 1 with pr_pid = index + 1, then QEMU notes.
        int n = noteOff;
        for (int v = 0; v < 2; v++) {
            assertEquals(5, b.getInt(n));
            assertEquals(336, b.getInt(n + 4));
            assertEquals(1, b.getInt(n + 8));
            assertEquals("CORE", new String(new byte[] {b.get(n + 12), b.get(n + 13), b.get(n + 14), b.get(n + 15)}));
            int desc = n + 20;
            assertEquals(v + 1, b.getInt(desc + 32), "pr_pid");
            int regs = desc + 112;
            assertEquals(0x1111L * 16 + v, b.getLong(regs), "r15 first");
            assertEquals(0x1111L * 1 + v, b.getLong(regs + 10 * 8), "rax at index 10");
            assertEquals(0x1234 + v, b.getLong(regs + 16 * 8), "rip at index 16");
            assertEquals(0x8, b.getLong(regs + 17 * 8), "cs");
            assertEquals(0x246, b.getLong(regs + 18 * 8), "eflags");
            n += ElfCoreWriter.noteSize(336);
        }
        assertEquals(0, b.getInt(n + 8), "QEMU note type 0");
        assertEquals("QEMU", new String(new byte[] {b.get(n + 12), b.get(n + 13), b.get(n + 14), b.get(n + 15)}));
        assertEquals(1, b.getInt(n + 20), "QEMUCPUState version");
        assertEquals(440, b.getInt(n + 24), "QEMUCPUState size, with kernel_gs_base");
        assertEquals(0x1111L, b.getLong(n + 28), "rax");
        assertEquals(0x1234, b.getLong(n + 28 + 16 * 8), "rip after 16 GPRs");
        assertEquals(0xa09b00, b.getInt(n + 28 + 18 * 8 + 8), "cs flags in QEMU DESC_* form (P S type b, L, G)");
    }

    @Test
    void realGdbReadsRegistersAndMemory() throws Exception {
        Path core = dir.resolve("vm.core");
        try (FakeTarget t = withKnownState()) {
            ElfCoreWriter.write(t, core, ElfCoreWriter.VirtualAddresses.IDENTITY);
        }
        String out = GdbHarness.run(60, "core-file " + core, "info registers rip", "info registers rax", "x/4xb 0x2000",
                "x/4xb 0x100010", "info threads");
        System.out.println(out);
        assertTrue(out.matches("(?s).*rip\\s+0x1234\\s.*"), out);
        assertTrue(out.matches("(?s).*rax\\s+0x1111\\s.*"), out);
        assertTrue(out.contains("0x2000:\t0xde\t0xad\t0xbe\t0xef"), out);
        assertTrue(out.contains("0x100010:\t0x0f\t0x1e\t0x2d\t0x3c"), out);
        assertTrue(out.matches("(?s).*2\\s+(LWP|process|Thread) 2\\s.*"), "second vCPU as a thread: " + out);
    }

    @Test
    void physicalOnlyModeLeavesVaddrZeroAsQemuDefault() throws Exception {
        Path core = dir.resolve("p.core");
        try (FakeTarget t = withKnownState()) {
            ElfCoreWriter.write(t, core, ElfCoreWriter.VirtualAddresses.PHYSICAL_ONLY);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(core)).order(ByteOrder.LITTLE_ENDIAN);
        int ph2 = 64 + 2 * 56;
        assertEquals(0, b.getLong(ph2 + 16));
        assertEquals(FakeTarget.RAM2, b.getLong(ph2 + 24));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }
}
