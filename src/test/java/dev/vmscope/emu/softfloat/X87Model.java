package dev.vmscope.emu.softfloat;

/** Runs one oracle line's x87 operation on {@link X87} and formats the answer as fpu_oracle.c prints it. */
final class X87Model {
    private final X87 x = new X87();

    String eval(String op, int fcw, long[] a, long[] b) {
        x.setControl(fcw);
        x.clearStatus();
        long rSig = 0, r2Sig = 0;
        int rSe = 0, r2Se = 0, fl = 0;
        int ase = (int) a[0], bse = (int) b[0];
        switch (op) {
            case "add" -> x.add(a[1], ase, b[1], bse);
            case "sub" -> x.sub(a[1], ase, b[1], bse);
            case "mul" -> x.mul(a[1], ase, b[1], bse);
            case "div" -> x.div(a[1], ase, b[1], bse);
            case "sqrt" -> x.sqrt(a[1], ase);
            default -> throw new IllegalArgumentException(op);
        }
        if (!op.contains("com") && !op.equals("tst") && !op.equals("xam") && !op.startsWith("ist")
                && !op.startsWith("st") && !op.equals("bstp")) {
            rSig = x.sig(); rSe = x.signExp();
        }
        return String.format("%04x %016x %04x %016x %04x %04x", rSe, rSig, r2Se, r2Sig, x.status() & 0xFFFF, fl);
    }
}
