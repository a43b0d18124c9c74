package dev.vmscope.emu;

import java.math.BigInteger;

/**
 * Arithmetic with the exact flag rules of Intel SDM Vol. 2 (each instruction's "Flags Affected"): ADD..CMP
 * with lazy flags, shifts and rotates, multiply and divide with #DE, bit scans and tests, SHLD/SHRD and BCD.
 * Flags the manual leaves undefined are given fixed values (AF clear, OF as for a count of one) so two runs agree.
 */
abstract class CpuAlu extends CpuSystem {
    CpuAlu(PhysMemory phys) { super(phys); }

    /** The eight ALU operations of opcodes 00-3F and group 1: ADD OR ADC SBB AND SUB XOR CMP. */
    final long alu(int op, long a, long b, int size) {
        long m = mask(size);
        a &= m;
        b &= m;
        switch (op) {
            case 0: { long r = (a + b) & m; setLazy(L_ADD, a, b, r, size); return r; }
            case 1: { long r = a | b; setLazy(L_LOGIC, a, b, r, size); return r; }
            case 2: { long c = carryIn(); long r = (a + b + c) & m; setLazy(L_ADC, a, b, r, size); return r; }
            case 3: { long c = carryIn(); long r = (a - b - c) & m; setLazy(L_SBB, a, b, r, size); return r; }
            case 4: { long r = a & b; setLazy(L_LOGIC, a, b, r, size); return r; }
            case 6: { long r = a ^ b; setLazy(L_LOGIC, a, b, r, size); return r; }
            default: { long r = (a - b) & m; setLazy(L_SUB, a, b, r, size); return r; }
        }
    }

    /** ADC/SBB read the carry and leave it in {@link #flags} bit 0, where the lazy CF of L_ADC/L_SBB finds it. */
    private long carryIn() {
        long c = cf() ? CF : 0;   // only CF: the ADC/SBB about to be recorded redefines the other five
        flags = flags & ~CF | c;
        return c;
    }

    final long inc(long a, int size) {
        long r = (a + 1) & mask(size);
        setLazyKeepCf(L_INC, a & mask(size), r, size);
        return r;
    }

    final long dec(long a, int size) {
        long r = (a - 1) & mask(size);
        setLazyKeepCf(L_DEC, a & mask(size), r, size);
        return r;
    }

    final long neg(long a, int size) {
        long m = mask(size);
        long r = (-a) & m;
        setLazy(L_SUB, 0, a & m, r, size);
        return r;
    }

    // ---- shifts and rotates (group 2): ROL ROR RCL RCR SHL SHR SAL SAR ----

    final long shift(int op, long v, int count, int size) {
        int bits = size * 8;
        count &= size == 8 ? 0x3f : 0x1f;
        long m = mask(size);
        v &= m;
        if (count == 0) return v;
        long sign = signBit(size);
        long f = getFlags() & ARITH;
        long r;
        switch (op) {
            case 0 -> {   // ROL
                int c = count % bits;
                r = c == 0 ? v : (v << c | v >>> (bits - c)) & m;
                f = f & ~(CF | OF) | (r & 1) | (((r & sign) != 0) ^ ((r & 1) != 0) ? OF : 0);
            }
            case 1 -> {   // ROR
                int c = count % bits;
                r = c == 0 ? v : (v >>> c | v << (bits - c)) & m;
                boolean msb = (r & sign) != 0, msb2 = (r & sign >>> 1) != 0;
                f = f & ~(CF | OF) | (msb ? CF : 0) | (msb ^ msb2 ? OF : 0);
            }
            case 2 -> {   // RCL through CF
                int c = count % (bits + 1);
                long cf = f & CF;
                r = v;
                for (int k = 0; k < c; k++) {
                    long out = (r & sign) != 0 ? 1 : 0;
                    r = (r << 1 | cf) & m;
                    cf = out;
                }
                f = f & ~(CF | OF) | cf | (((r & sign) != 0) ^ (cf != 0) ? OF : 0);
            }
            case 3 -> {   // RCR through CF
                int c = count % (bits + 1);
                long cf = f & CF;
                boolean of = ((v & sign) != 0) ^ (cf != 0);
                r = v;
                for (int k = 0; k < c; k++) {
                    long out = r & 1;
                    r = (r >>> 1 | (cf != 0 ? sign : 0)) & m;
                    cf = out;
                }
                f = f & ~(CF | OF) | cf | (of ? OF : 0);
            }
            case 4, 6 -> {   // SHL/SAL
                r = count >= 64 ? 0 : (v << count) & m;
                long cf = count > bits ? 0 : (v >>> (bits - count)) & 1;
                f = szp(r, size) | cf | (((r & sign) != 0) ^ (cf != 0) ? OF : 0);
            }
            case 5 -> {   // SHR
                r = v >>> count;
                long cf = (v >>> (count - 1)) & 1;
                f = szp(r, size) | cf | ((v & sign) != 0 && count == 1 ? OF : 0);
            }
            default -> {   // SAR
                long sv = signExtend(v, size);
                r = (sv >> Math.min(count, 63)) & m;
                long cf = (sv >> Math.min(count - 1, 63)) & 1;
                f = szp(r, size) | cf;
            }
        }
        setArith(f);
        return r;
    }

    /** SHLD/SHRD (SDM Vol. 2B): {@code v} shifted with bits from {@code fill}. */
    final long shiftDouble(boolean left, long v, long fill, int count, int size) {
        int bits = size * 8;
        count &= size == 8 ? 0x3f : 0x1f;
        long m = mask(size);
        v &= m;
        fill &= m;
        if (count == 0) return v;
        long r, cf;
        if (count > bits) {   // only for 16-bit operands: undefined result; rotate through the 32-bit concatenation
            count -= bits;
            long t = v;
            v = fill;
            fill = t;
        }
        if (left) {
            r = count == bits ? fill : (v << count | fill >>> (bits - count)) & m;
            cf = (v >>> (bits - count)) & 1;
        } else {
            r = count == bits ? fill : (v >>> count | fill << (bits - count)) & m;
            cf = (v >>> (count - 1)) & 1;
        }
        long sign = signBit(size);
        setArith(szp(r, size) | cf | (((r ^ v) & sign) != 0 ? OF : 0));
        return r;
    }

    // ---- multiply and divide (F6/F7 group 3, 0F AF, 69, 6B) ----

    /** MUL/IMUL with one operand: RDX:RAX (or AX) = RAX * src. */
    final void mul1(long src, int size, boolean signed) {
        long m = mask(size);
        long a = reg(0, size);
        src &= m;
        long lo, hi;
        if (size == 8) {
            lo = a * src;
            hi = signed ? Math.multiplyHigh(a, src) : Math.unsignedMultiplyHigh(a, src);
        } else {
            long p = signed ? signExtend(a, size) * signExtend(src, size) : a * src;
            lo = p & m;
            hi = (p >>> (size * 8)) & m;
            if (signed) hi = (p >> (size * 8)) & m;
        }
        boolean over = signed ? hi != ((lo & signBit(size)) != 0 ? m : 0) : hi != 0;
        if (size == 1) setReg(0, 2, lo | hi << 8);
        else {
            setReg(0, size, lo);
            setReg(2, size, hi);
        }
        setArith(szp(lo, size) & ~ZF | (over ? CF | OF : 0));
    }

    /** IMUL with two or three operands: the truncated product, CF=OF when it does not fit. */
    final long imul2(long a, long b, int size) {
        long r, m = mask(size);
        boolean over;
        if (size == 8) {
            r = a * b;
            over = Math.multiplyHigh(a, b) != (r >> 63);
        } else {
            long p = signExtend(a, size) * signExtend(b, size);
            r = p & m;
            over = p != signExtend(r, size);
        }
        setArith(szp(r, size) & ~ZF | (over ? CF | OF : 0));
        return r;
    }

    /** DIV/IDIV: quotient to RAX, remainder to RDX; #DE on a zero divisor or a quotient that does not fit. */
    final void div(long src, int size, boolean signed) {
        long m = mask(size);
        src &= m;
        if (src == 0) throw Fault.of(Fault.DE);
        if (size == 8) {
            div64(src, signed);
            return;
        }
        long hi = size == 1 ? reg(0, 2) >>> 8 : reg(2, size), lo = size == 1 ? reg(0, 1) : reg(0, size);
        int bits = size * 8;
        long dividend = hi << bits | lo;   // at most 64 bits
        long q, rem;
        if (signed) {
            long n = size == 4 ? dividend : signExtend(dividend, size * 2);
            long d = signExtend(src, size);
            q = n / d;
            rem = n % d;
            if (q != signExtend(q & m, size)) throw Fault.of(Fault.DE);
        } else {
            q = Long.divideUnsigned(dividend, src);
            rem = Long.remainderUnsigned(dividend, src);
            if (Long.compareUnsigned(q, m) > 0) throw Fault.of(Fault.DE);
        }
        if (size == 1) setReg(0, 2, (q & 0xff) | (rem & 0xff) << 8);
        else {
            setReg(0, size, q);
            setReg(2, size, rem);
        }
    }

    private void div64(long d, boolean signed) {
        BigInteger n = new BigInteger(1, toBytes(r[2], r[0]));
        BigInteger dv = signed ? BigInteger.valueOf(d) : new BigInteger(Long.toUnsignedString(d));
        if (signed && r[2] < 0) n = n.subtract(BigInteger.ONE.shiftLeft(128));
        BigInteger[] qr = n.divideAndRemainder(dv);
        BigInteger q = qr[0];
        boolean fits = signed ? q.bitLength() <= 63 : q.signum() >= 0 && q.bitLength() <= 64;
        if (!fits) throw Fault.of(Fault.DE);
        r[0] = q.longValue();
        r[2] = qr[1].longValue();
    }

    private static byte[] toBytes(long hi, long lo) {
        byte[] b = new byte[16];
        for (int k = 0; k < 8; k++) {
            b[k] = (byte) (hi >>> (56 - 8 * k));
            b[8 + k] = (byte) (lo >>> (56 - 8 * k));
        }
        return b;
    }

    // ---- bit scans, BCD ----

    /** BSF/BSR: ZF set and the destination kept when the source is zero (SDM, and what AMD documents). */
    final long bitScan(boolean reverse, long src, long dest, int size) {
        src &= mask(size);
        getFlags();
        if (src == 0) {
            flags |= ZF;
            return dest;
        }
        flags &= ~ZF;
        return reverse ? 63 - Long.numberOfLeadingZeros(src) : Long.numberOfTrailingZeros(src);
    }

    final long popcnt(long src, int size) {
        src &= mask(size);
        setArith(src == 0 ? ZF : 0);
        return Long.bitCount(src);
    }

    /** DAA/DAS (SDM Vol. 2A): decimal adjust AL after addition or subtraction. */
    final void decimalAdjust(boolean sub) {
        long f = getFlags();
        int al = (int) r[0] & 0xff, oldAl = al;
        boolean oldCf = (f & CF) != 0, cf = false, af = false;
        if ((al & 0xf) > 9 || (f & AF) != 0) {
            cf = oldCf || (sub ? al < 6 : al + 6 > 0xff);
            al = (sub ? al - 6 : al + 6) & 0xff;
            af = true;
        }
        if (oldAl > 0x99 || oldCf) {
            al = (sub ? al - 0x60 : al + 0x60) & 0xff;
            cf = true;
        }
        setReg(0, 1, al);
        setArith(szp(al, 1) | (cf ? CF : 0) | (af ? AF : 0));
    }

    /** AAA/AAS: ASCII adjust after addition or subtraction. */
    final void asciiAdjust(boolean sub) {
        long f = getFlags();
        int ax = (int) r[0] & 0xffff;
        boolean adj = (ax & 0xf) > 9 || (f & AF) != 0;
        if (adj) ax = sub ? ((ax - 6) & 0xff) | (((ax >> 8) - 1) & 0xff) << 8 : (ax + 0x106) & 0xffff;
        setReg(0, 2, ax & 0xff0f);
        setArith(szp(ax & 0xf, 1) | (adj ? CF | AF : 0));
    }

    final void aam(int base) {
        if (base == 0) throw Fault.of(Fault.DE);
        int al = (int) r[0] & 0xff;
        int res = (al / base) << 8 | al % base;
        setReg(0, 2, res);
        setArith(szp(res & 0xff, 1));
    }

    final void aad(int base) {
        int ax = (int) r[0] & 0xffff;
        int al = ((ax & 0xff) + (ax >> 8) * base) & 0xff;
        setReg(0, 2, al);
        setArith(szp(al, 1));
    }
}
