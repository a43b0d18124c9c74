package dev.vmscope.emu.softfloat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-checked vectors that need no host compiler (the oracle tests skip without gcc). */
class SoftFloatVectorsTest {
    static final long ONE = X87.MSB_ONE;

    @Test
    void x87BasicArithmeticAndPrecisionControl() {
        X87 x = new X87();
        x.add(ONE, 0x3FFF, ONE, 0x4000);                               // 1 + 2
        assertEquals(0x4000, x.signExp());
        assertEquals(0xC000000000000000L, x.sig());
        assertEquals(0, x.status());
        x.setControl(0x007F);                                          // PC = 24 bits, nearest
        x.clearStatus();
        x.div(ONE, 0x3FFF, 0xC000000000000000L, 0x4000);               // 1/3
        assertEquals(0xAAAAAB0000000000L, x.sig(), "rounded to 24 bits");
        assertEquals(FpCore.PE | FpCore.C1, x.status(), "inexact, rounded up");
        x.setControl(0x0F7F);                                          // 64 bits, toward zero
        x.clearStatus();
        x.div(ONE, 0x3FFF, 0xC000000000000000L, 0x4000);
        assertEquals(0xAAAAAAAAAAAAAAAAL, x.sig());
        assertEquals(FpCore.PE, x.status());
    }

    @Test
    void x87InvalidGivesRealIndefinite() {
        X87 x = new X87();
        x.sub(ONE, 0x7FFF, ONE, 0x7FFF);                               // inf - inf
        assertEquals(X87.INDEFINITE_SIG, x.sig());
        assertEquals(X87.INDEFINITE_SE, x.signExp());
        assertEquals(FpCore.IE, x.status());
        x.clearStatus();
        x.add(0x4000000000000000L, 0x3FFF, ONE, 0x3FFF);              // unnormal operand
        assertEquals(X87.INDEFINITE_SIG, x.sig());
        assertEquals(FpCore.IE, x.status());
        x.clearStatus();
        x.setControl(0x037E);                                          // IE unmasked
        x.sqrt(ONE, 0xBFFF);
        assertTrue(x.suppressed());
    }

    @Test
    void x87IntegerAndBcdStores() {
        X87 x = new X87();
        assertEquals(0x8000, X87Convert.toInt(x, ONE, 0x3FFF + 15, 16, false), "2^15 overflows int16");
        assertEquals(FpCore.IE, x.status());
        x.clearStatus();
        assertEquals(-2L, X87Convert.toInt(x, 0xC000000000000000L, 0xBFFF, 64, false), "-1.5 rounds to even -2");
        assertEquals(-1L, X87Convert.toInt(x, 0xC000000000000000L, 0xBFFF, 64, true), "FISTTP truncates");
        X87Convert.fromInt(x, -123456789012345678L);
        long bcd = X87Convert.toBcd(x, x.sig(), x.signExp());
        assertEquals(0x3456789012345678L, bcd);
        assertEquals(0x8012, x.signExp() & 0xFFFF, "sign byte and digits 17-16");
    }

    @Test
    void x87RemainderQuotientBits() {
        X87 x = new X87();
        X87Convert.fromInt(x, 23);
        long a = x.sig(); int ae = x.signExp();
        X87Convert.fromInt(x, 5);
        X87Ops.remainder(x, a, ae, x.sig(), x.signExp(), false);         // 23 = 4*5 + 3
        assertEquals(0xC000000000000000L, x.sig());
        assertEquals(0x4000, x.signExp());
        assertEquals(FpCore.C0, x.status() & (FpCore.C0 | FpCore.C1 | FpCore.C2 | FpCore.C3), "Q = 4: C0 = Q2");
    }

    @Test
    void sseRoundingModesDazFtz() {
        Sse s = new Sse();
        long third = Double.doubleToRawLongBits(1.0 / 3);
        assertEquals(third, s.div64(Double.doubleToRawLongBits(1), Double.doubleToRawLongBits(3)));
        s.setMxcsr(0x1F80 | 2 << 13);                                  // round up
        assertEquals(third + 1, s.div64(Double.doubleToRawLongBits(1), Double.doubleToRawLongBits(3)));
        assertEquals(FpCore.PE, s.status());
        s.setMxcsr(0x1F80 | Sse.MXCSR_FTZ);
        s.clearStatus();
        assertEquals(0, s.mul64(Double.doubleToRawLongBits(Double.MIN_NORMAL), Double.doubleToRawLongBits(0.5)));
        assertEquals(FpCore.UE | FpCore.PE, s.status());
        s.setMxcsr(0x1F80 | Sse.MXCSR_DAZ);
        s.clearStatus();
        assertEquals(Double.doubleToRawLongBits(1), s.add64(1L, Double.doubleToRawLongBits(1)), "denormal read as 0");
        assertEquals(0, s.status(), "no DE under DAZ");
    }

    @Test
    void sseNanRulesAndIndefinites() {
        Sse s = new Sse();
        long snan = 0x7FF0000000000001L, qnan = 0x7FF8000000000002L;
        assertEquals(snan | 0x8000000000000L, s.add64(snan, qnan), "first operand's NaN, quieted");
        assertEquals(FpCore.IE, s.status());
        assertEquals(Sse.DEFAULT_NAN64, s.mul64(0, 0x7FF0000000000000L), "0 * inf");
        assertEquals(qnan, s.min64(Double.doubleToRawLongBits(1), qnan), "MINSD returns the second operand");
        assertEquals(0x8000000000000000L, s.max64(0, 0x8000000000000000L), "MAXSD(+0, -0) is the second");
        assertEquals(SseConvert.INT32_INDEFINITE & 0xFFFFFFFFL,
                SseConvert.doubleToInt(s, Double.doubleToRawLongBits(3e9), 32, true));
        assertEquals(X87Ops.ZF | X87Ops.PF | X87Ops.CF, s.comi64(qnan, 0, false));
    }
}
