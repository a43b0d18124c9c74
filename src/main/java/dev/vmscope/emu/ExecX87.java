package dev.vmscope.emu;

/**
 * The x87 escape opcodes D8-DF (Intel SDM Vol. 1 chapter 8, Vol. 2 FADD..FYL2XP1). Only the control
 * instructions firmware uses so far; arithmetic is an emulation failure (the FPU is not advertised yet).
 */
abstract class ExecX87 extends ExecSystem {
    int fcw = 0x37f, fsw;
    /** x87/MMX/SSE register state (FXSAVE image model), shared with ExecSimd. */
    final dev.vmscope.emu.softfloat.FpuState fpu = new dev.vmscope.emu.softfloat.FpuState();
    final dev.vmscope.emu.softfloat.X87 x87 = new dev.vmscope.emu.softfloat.X87();

    ExecX87(PhysMemory phys) { super(phys); }

    @Override
    final void execX87(Insn in) {
        if ((cr0 & (CR0_EM | CR0_TS)) != 0) throw Fault.of(Fault.NM);
        int op = in.op, reg = in.reg & 7;
        if (in.mod == 3) {
            int modrm = 0xc0 | (in.reg & 7) << 3 | (in.rm & 7);
            if (op == 0xdb && modrm == 0xe3) { fcw = 0x37f; fsw = 0; return; }
            if (op == 0xdb && modrm == 0xe2) { fsw &= 0x7f00; return; }
            if (op == 0xdf && modrm == 0xe0) { setReg(0, 2, fsw); return; }
        } else {
            if (op == 0xd9 && reg == 7) { writeRm(in, 2, fcw); return; }
            if (op == 0xd9 && reg == 5) { fcw = (int) readRm(in, 2); return; }
            if (op == 0xdd && reg == 7) { writeRm(in, 2, fsw); return; }
        }
        throw new EmuFailure("x87 instruction not implemented");
    }
}
