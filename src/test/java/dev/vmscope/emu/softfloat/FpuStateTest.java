package dev.vmscope.emu.softfloat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FpuStateTest {
    @Test
    void finitValues() {
        FpuState s = new FpuState();
        s.fcw = 0; s.setStatusWord(0x3FFF); s.tags = 0; s.fop = 0x123; s.fip = 5; s.fdp = 7; s.mxcsr = 0x9FC0;
        s.finit();
        assertEquals(0x037F, s.fcw);
        assertEquals(0, s.statusWord());
        assertEquals(0xFFFF, s.tags);
        assertEquals(0, s.fop + s.fip + s.fdp);
        assertEquals(0x9FC0, s.mxcsr, "FINIT leaves MXCSR alone");
        s.reset();
        assertEquals(0x1F80, s.mxcsr);
    }

    @Test
    void stackOverflowAndFaultBits() {
        FpuState s = new FpuState();
        for (int i = 0; i < 8; i++) assertTrue(s.push(X87.MSB_ONE, 0x3FFF));
        assertFalse(s.push(0, 0), "a ninth push overflows");
        assertTrue(s.stackFault(true), "IE masked by default");
        assertEquals(FpCore.IE | FpCore.SF | FpCore.C1, s.statusWord() & 0x0FFF & ~0x3800);
        s.setStatusWord(0);
        s.fcw = 0x037E;                            // IE unmasked
        assertFalse(s.stackFault(false));
        assertEquals(0x8000 | 0x80 | FpCore.IE | FpCore.SF, s.statusWord() & ~0x3800, "ES and B follow the unmasked IE");
    }

    @Test
    void tagsFollowContents() {
        FpuState s = new FpuState();
        s.push(0, 0x8000);
        s.push(X87.INDEFINITE_SIG, X87.INDEFINITE_SE);
        s.push(1L, 0);                             // denormal
        s.push(X87.MSB_ONE, 0x4000);
        assertEquals(0b01_10_10_00 << 8 | 0xFF, s.tags);
        assertEquals(0xF0, s.abridgedTags());
        s.setAbridgedTags(0xF0);
        assertEquals(0b01_10_10_00 << 8 | 0xFF, s.tags);
    }

    @Test
    void fxsaveRoundTripsBothLayouts() {
        FpuState s = new FpuState();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 5; i++) s.push(r.nextLong(), r.nextInt(0x10000));
        for (int i = 0; i < 32; i++) s.xmm[i] = r.nextLong();
        s.fcw = 0x0B7F; s.fop = 0x5D9; s.fip = 0x1234_5678_9ABCL; s.fdp = 0xFEDC_BA98L; s.fcs = 0x10; s.fds = 0x18;
        s.mxcsr = 0x7FC1;
        for (boolean rexW : new boolean[] {true, false}) {
            byte[] img = new byte[512];
            s.fxsave(img, 0, rexW, 16);
            FpuState t = new FpuState();
            assertTrue(t.fxrstor(img, 0, rexW, 16));
            assertEquals(s.statusWord(), t.statusWord());
            assertEquals(s.tags, t.tags);
            assertArrayEquals(s.sig, t.sig);
            assertArrayEquals(s.se, t.se);
            assertArrayEquals(s.xmm, t.xmm);
            assertEquals(rexW ? s.fip : s.fip & 0xFFFFFFFFL, t.fip);
            assertEquals(rexW ? 0 : 0x10, t.fcs);
            assertEquals(s.fop, t.fop);
            assertEquals(s.mxcsr, t.mxcsr);
        }
        byte[] bad = new byte[512];
        s.fxsave(bad, 0, true, 16);
        bad[26] = 1;                               // MXCSR bit 16: reserved
        FpuState t = new FpuState();
        assertFalse(t.fxrstor(bad, 0, true, 16), "reserved MXCSR bits are #GP");
        assertEquals(0x1F80, t.mxcsr);
    }

    @Test
    void fsaveRoundTripAndInit() {
        FpuState s = new FpuState();
        s.push(X87.MSB_ONE, 0x3FFF);
        s.push(0, 0);
        s.fcw = 0x027F;
        byte[] img = new byte[108];
        s.fnsave(img, 0);
        assertEquals(0xFFFF, s.tags, "FNSAVE reinitializes");
        s.frstor(img, 0);
        assertEquals(0x027F, s.fcw);
        assertEquals(6, s.top);
        assertEquals(0, s.stSig(0));
        assertEquals(X87.MSB_ONE, s.stSig(1));
        assertEquals(0b00_01 << 12 | 0x0FFF, s.tags);
    }

    /** FXSAVE64 images against the host after loads, an MMX write, EMMS and FINCSTP. */
    @Test
    void fxsaveMatchesHost() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        Operands gen = new Operands(r);
        List<String> lines = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int k = i % 4;
            long[] a = gen.f80(), b = gen.f80();
            lines.add(String.format("fxsave %x %x %x %x %x", k, a[0], a[1], b[0], b[1]));
            FpuState s = new FpuState();
            s.push(b[1], (int) b[0]);
            s.push(a[1], (int) a[0]);
            if (k == 1 || k == 2) { s.mmxEnter(); s.setMmx(3, b[1]); }
            if (k == 2) s.emms();
            if (k == 3) { s.pop(); s.incrementTop(); }
            byte[] img = new byte[512];
            s.fxsave(img, 0, true, 16);
            expected.add(img);
        }
        List<String> actual = HostOracle.run(lines);
        for (int i = 0; i < lines.size(); i++) {
            byte[] host = HexFormat.of().parseHex(actual.get(i));
            byte[] mine = expected.get(i);
            for (int o = 0; o < 160; o++) {
                if (o >= 6 && o < 24 || o >= 28 && o < 32) continue;   // FOP, FPU IP/DP, MXCSR_MASK are host-specific
                assertEquals(host[o], mine[o], lines.get(i) + " byte " + o + "\n host " + actual.get(i)
                        + "\n java " + HexFormat.of().formatHex(mine, 0, 160));
            }
        }
    }
}
