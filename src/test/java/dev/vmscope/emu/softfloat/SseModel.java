package dev.vmscope.emu.softfloat;

/** Runs one oracle line's SSE operation on {@link Sse} and formats it as fpu_oracle.c prints it. */
final class SseModel {
    private final Sse u = new Sse();

    String eval(String op, int mxcsr, long a, long b, int imm) {
        u.setMxcsr(mxcsr);
        u.clearStatus();
        int ia = (int) a, ib = (int) b;
        long r = a;
        int fl = 0;
        switch (op) {
            case "addss" -> r = u.add32(ia, ib) & 0xFFFFFFFFL;
            case "subss" -> r = u.sub32(ia, ib) & 0xFFFFFFFFL;
            case "mulss" -> r = u.mul32(ia, ib) & 0xFFFFFFFFL;
            case "divss" -> r = u.div32(ia, ib) & 0xFFFFFFFFL;
            case "sqrtss" -> r = u.sqrt32(ib) & 0xFFFFFFFFL;
            case "minss" -> r = u.min32(ia, ib) & 0xFFFFFFFFL;
            case "maxss" -> r = u.max32(ia, ib) & 0xFFFFFFFFL;
            case "addsd" -> r = u.add64(a, b);
            case "subsd" -> r = u.sub64(a, b);
            case "mulsd" -> r = u.mul64(a, b);
            case "divsd" -> r = u.div64(a, b);
            case "sqrtsd" -> r = u.sqrt64(b);
            case "minsd" -> r = u.min64(a, b);
            case "maxsd" -> r = u.max64(a, b);
            case "comiss", "ucomiss" -> fl = u.comi32(ia, ib, op.equals("comiss"));
            case "comisd", "ucomisd" -> fl = u.comi64(a, b, op.equals("comisd"));
            case "cmpss" -> r = u.cmp32(ia, ib, imm) & 0xFFFFFFFFL;
            case "cmpsd" -> r = u.cmp64(a, b, imm);
            case "cvtsd2ss" -> r = (a & 0xFFFFFFFF00000000L) | (SseConvert.toSingle(u, b) & 0xFFFFFFFFL);
            case "cvtss2sd" -> r = SseConvert.toDouble(u, ib);
            case "cvtsi2sd32" -> r = SseConvert.intToDouble(u, ib);
            case "cvtsi2sd64" -> r = SseConvert.intToDouble(u, b);
            case "cvtsi2ss32" -> r = (a & 0xFFFFFFFF00000000L) | (SseConvert.intToSingle(u, ib) & 0xFFFFFFFFL);
            case "cvtsi2ss64" -> r = (a & 0xFFFFFFFF00000000L) | (SseConvert.intToSingle(u, b) & 0xFFFFFFFFL);
            default -> {
                boolean t = op.startsWith("cvtt");
                int bits = op.endsWith("64") ? 64 : 32;
                r = op.contains("sd2si") ? SseConvert.doubleToInt(u, b, bits, t) : SseConvert.singleToInt(u, ib, bits, t);
            }
        }
        boolean trap = (u.status() & ~(mxcsr >> 7) & 0x3F) != 0;
        if (trap) { r = a; fl = 0; }
        return String.format("%016x %08x %04x %d", r, mxcsr | u.status(), fl, trap ? 1 : 0);
    }
}
