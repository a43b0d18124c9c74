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
            case "rndint" -> X87Convert.roundInt(x, a[1], ase);
            case "scale" -> X87Ops.scale(x, a[1], ase, b[1], bse);
            case "prem" -> X87Ops.remainder(x, a[1], ase, b[1], bse, false);
            case "prem1" -> X87Ops.remainder(x, a[1], ase, b[1], bse, true);
            case "xtract" -> { X87Ops.extract(x, a[1], ase); r2Sig = x.sig2(); r2Se = x.signExp2(); }
            case "com", "ucom" -> {
                int cc = X87Ops.conditionCodes(X87Ops.compare(x, a[1], ase, b[1], bse, op.equals("ucom")));
                x.status |= cc;
            }
            case "comi", "ucomi" -> fl = X87Ops.eflags(X87Ops.compare(x, a[1], ase, b[1], bse, op.equals("ucomi")));
            case "tst" -> {
                int cc = X87Ops.conditionCodes(X87Ops.test(x, a[1], ase));
                x.status |= cc;
            }
            case "xam" -> x.status |= X87Ops.examine(a[1], ase);
            case "ist16", "ist32", "ist64", "istt16", "istt32", "istt64" -> {
                int bits = Integer.parseInt(op.substring(op.length() - 2).replace("t", ""));
                rSig = X87Convert.toInt(x, a[1], ase, bits, op.startsWith("istt"));
                if (bits < 64) rSig &= (1L << bits) - 1;
            }
            case "st32" -> rSig = X87Convert.toFloat32(x, a[1], ase) & 0xFFFFFFFFL;
            case "st64" -> rSig = X87Convert.toFloat64(x, a[1], ase);
            case "bstp" -> { rSig = X87Convert.toBcd(x, a[1], ase); rSe = x.signExp(); }
            case "ld32" -> X87Convert.fromFloat32(x, (int) a[1]);
            case "ld64" -> X87Convert.fromFloat64(x, a[1]);
            case "bld" -> X87Convert.fromBcd(x, a[1], ase);
            case "sin" -> X87Trans.sin(x, a[1], ase);
            case "cos" -> X87Trans.cos(x, a[1], ase);
            case "sincos", "ptan" -> {
                if (op.equals("ptan")) X87Trans.tan(x, a[1], ase); else X87Trans.sinCos(x, a[1], ase);
                if ((x.status() & FpCore.C2) != 0) {
                    r2Sig = b[1]; r2Se = bse;
                } else if (op.equals("ptan")) {
                    r2Sig = x.sig(); r2Se = x.signExp();
                    x.set(x.sig2(), x.signExp2());
                } else {
                    r2Sig = x.sig2(); r2Se = x.signExp2();
                }
            }
            case "patan" -> X87Trans.atan(x, b[1], bse, a[1], ase);
            case "f2xm1" -> X87Trans.exp2m1(x, a[1], ase);
            case "yl2x" -> X87Trans.ylog2x(x, b[1], bse, a[1], ase);
            case "yl2xp1" -> X87Trans.ylog2xp1(x, b[1], bse, a[1], ase);
            case "ldpi" -> X87Ops.loadConstant(x, X87Ops.PI);
            case "ldl2e" -> X87Ops.loadConstant(x, X87Ops.L2E);
            case "ldl2t" -> X87Ops.loadConstant(x, X87Ops.L2T);
            case "ldlg2" -> X87Ops.loadConstant(x, X87Ops.LG2);
            case "ldln2" -> X87Ops.loadConstant(x, X87Ops.LN2);
            default -> throw new IllegalArgumentException(op);
        }
        if (!op.contains("com") && !op.equals("tst") && !op.equals("xam") && !op.startsWith("ist")
                && !op.startsWith("st") && !op.equals("bstp")) {
            // results of stores are set in the switch
            rSig = x.sig(); rSe = x.signExp();
            if (x.suppressed()) { rSig = a[1]; rSe = ase; }           // unmasked IE/DE/ZE: ST(0) unchanged
        } else if (x.storeSuppressed()) {
            rSig = 0; rSe = 0;
        }
        return String.format("%04x %016x %04x %016x %04x %04x", rSe, rSig, r2Se, r2Sig, x.status() & 0xFFFF, fl);
    }
}
