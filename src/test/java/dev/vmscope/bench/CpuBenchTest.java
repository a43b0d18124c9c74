package dev.vmscope.bench;

import dev.vmscope.disasm.Disassembler;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The software-CPU benchmark: its guest image, its arithmetic, its table, and a tiny run on every engine found. */
class CpuBenchTest {
    private static final CpuBenchImage IMAGE = CpuBenchImage.builtin();

    @Test
    void imageIsABootSectorWithItsHeader() {
        byte[] s = IMAGE.sector();
        assertEquals(512, s.length);
        assertEquals(0x55, s[510] & 0xff);
        assertEquals(0xaa, s[511] & 0xff);
        assertEquals(10, IMAGE.intInsns());
        assertEquals(11, IMAGE.memInsns());
        byte[] p = IMAGE.patched(0x01020304L, 0xfffffffeL);
        assertEquals(0x01020304L, CpuBenchImage.u32(p, CpuBenchImage.INT_ITERS));
        assertEquals(0xfffffffeL, CpuBenchImage.u32(p, CpuBenchImage.MEM_ITERS));
        assertEquals(0, CpuBenchImage.u32(IMAGE.patched(0, 0), CpuBenchImage.INT_ITERS));
        assertThrows(IllegalArgumentException.class, () -> IMAGE.patched(1L << 32, 0));
        byte[] floppy = CpuBenchImage.floppy(p);
        assertEquals(1_474_560, floppy.length);
        assertEquals(p[8], floppy[8]);
    }

    @Test
    void malformedImagesAreRefused() {
        assertNotNull(CpuBenchImage.problem(new byte[511]));
        byte[] noSig = IMAGE.sector();
        noSig[511] = 0;
        assertTrue(CpuBenchImage.problem(noSig).contains("55 aa"));
        byte[] noMagic = IMAGE.sector();
        noMagic[4] = 'X';
        assertTrue(CpuBenchImage.problem(noMagic).contains("CPUB"));
        byte[] badCount = IMAGE.sector();
        badCount[CpuBenchImage.INT_INSNS] = 0;
        assertNotNull(CpuBenchImage.problem(badCount));
        assertThrows(IllegalArgumentException.class, () -> new CpuBenchImage(noMagic));
    }

    /** The header's instruction counts are the loops' instructions: each loop ends in dec ecx; jnz back (49 75 rel8). */
    @Test
    void headerCountsMatchTheDisassembledLoops() {
        var d = Disassembler.capstone();
        assumeTrue(d.isPresent(), "assumption: Capstone unavailable: " + Disassembler.unavailableReason());
        byte[] s = IMAGE.sector();
        List<Integer> counts = new java.util.ArrayList<>();
        for (int i = 0; i + 2 < s.length; i++) {
            if ((s[i] & 0xff) != 0x49 || (s[i + 1] & 0xff) != 0x75 || s[i + 2] >= 0) continue;
            int end = i + 3, start = end + s[i + 2];
            byte[] body = java.util.Arrays.copyOfRange(s, start, end);
            List<Disassembler.Insn> insns = d.get().disassemble(body, 0x7c00 + start, 32, 100);
            assertEquals(body.length, insns.stream().mapToInt(x -> x.bytes().length).sum(), "the loop decodes whole");
            counts.add(insns.size());
        }
        assertEquals(List.of(IMAGE.intInsns(), IMAGE.memInsns()), counts);
    }

    @Test
    void mipsAndMedianArithmetic() {
        assertEquals(20.0, CpuBench.mips(1_000_000, 10, 0.5), 1e-9);
        assertEquals(4400.0, CpuBench.mips(400_000_000, 11, 1.0), 1e-9);
        assertTrue(Double.isNaN(CpuBench.mips(1000, 10, 0)));
        assertTrue(Double.isNaN(CpuBench.mips(1000, 10, -0.1)));
        assertEquals(2.0, CpuBench.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, CpuBench.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals(1.0, CpuBench.median(List.of(Double.NaN, 1.0)));
        assertTrue(Double.isNaN(CpuBench.median(List.of())));
    }

    @Test
    void instructionCountsAreCheckedAgainstTheAssembly() {
        var zero = new CpuEngine.LoopRun(1, 200, null);
        assertNull(CpuBench.countProblem(zero, new CpuEngine.LoopRun(2, 200 + 10_000 + 5, null), 1000, 10));
        assertNotNull(CpuBench.countProblem(zero, new CpuEngine.LoopRun(2, 200 + 9_999, null), 1000, 10));
        assertNotNull(CpuBench.countProblem(zero, new CpuEngine.LoopRun(2, 200 + 10_000 + 65, null), 1000, 10));
        assertNull(CpuBench.countProblem(new CpuEngine.LoopRun(1, -1, null), new CpuEngine.LoopRun(2, 5, null), 1000, 10),
                "an engine without counts is not checked");
    }

    @Test
    void tableReportsFailuresSkipsAndRatios() {
        var o = new CpuBench.Options(1, 0, 1.0, Path.of("bios.bin"));
        List<CpuBench.Row> rows = List.of(
                new CpuBench.Row("vmscope-emu", null, 50, Double.NaN, 1.5, 10, 20, List.of("load/store loop run: boom")),
                new CpuBench.Row("qemu-tcg", null, 1000, 300, 0.25, 10, 20, List.of()),
                new CpuBench.Row("bochs", null, 100, 80, Double.NaN, 10, 20, List.of()));
        var out = new ByteArrayOutputStream();
        assertFalse(CpuBenchTable.print(rows, IMAGE, o, new PrintStream(out, true, StandardCharsets.UTF_8)));
        String t = out.toString(StandardCharsets.UTF_8);
        assertTrue(t.contains("vmscope-emu: FAILED: load/store loop run: boom"), t);
        assertTrue(t.contains("integer MIPS / Bochs:       0.50x"), t);
        assertTrue(t.contains("load/store MIPS / Bochs:    n/a"), t);
        assertTrue(t.contains("QEMU TCG's:  6.00x"), t);
        var skipped = List.of(new CpuBench.Row("bochs", "bochs is not installed", Double.NaN, Double.NaN, Double.NaN, 0, 0, List.of()));
        out.reset();
        assertTrue(CpuBenchTable.print(skipped, IMAGE, o, new PrintStream(out, true, StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("bochs: skipped: bochs is not installed"));
    }

    @Test
    void childRunStopsAtTheMarker() throws Exception {
        ChildRun r = ChildRun.run(List.of("sh", "-c", "echo before; echo 'No bootable device.' >&2; exec sleep 60"), null,
                CpuEngine.NO_BOOTABLE_DEVICE, 120_000, null);
        assertTrue(r.markerSeen());
        assertFalse(r.timedOut(), "the child is killed at the marker, not at the timeout");
        assertTrue(r.stdout().contains("before"));
    }

    /** A tiny N on every engine installed here: each run finishes, and engines that count instructions agree with the assembly. */
    @Test
    void tinyRunsOnEveryEngineFound(@TempDir Path dir) throws Exception {
        long n = 1000;
        int ran = 0;
        for (CpuEngine e : List.of(EmuEngine.self(), QemuEngine.find(), BochsEngine.find())) {
            if (e.missing() != null) {
                System.err.println("CpuBenchTest: skipping " + e.name() + ": " + e.missing());
                continue;
            }
            Path d = java.nio.file.Files.createDirectories(dir.resolve(e.name()));
            CpuEngine.LoopRun zero = e.runSector(IMAGE.patched(0, 0), d);
            assertTrue(zero.ok(), e.name() + ": " + zero.failure());
            for (boolean integer : new boolean[] {true, false}) {
                CpuEngine.LoopRun r = e.runSector(integer ? IMAGE.patched(n, 0) : IMAGE.patched(0, n), d);
                assertTrue(r.ok(), e.name() + ": " + r.failure());
                int insns = integer ? IMAGE.intInsns() : IMAGE.memInsns();
                assertNull(CpuBench.countProblem(zero, r, n, insns), e.name());
                if (!(e instanceof QemuEngine)) assertTrue(r.instructions() > 0, e.name() + " reports its instruction count");
            }
            ran++;
        }
        assertTrue(ran >= 1, "vmscope-emu always runs");
    }
}
