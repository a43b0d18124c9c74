package dev.vmscope.emu;

/**
 * MMX, SSE and SSE2 in the 0F map, and the 0F38/0F3A maps (Intel SDM Vol. 2D table A-3). Not implemented
 * yet: every such encoding is an emulation failure (CPUID does not advertise them).
 */
abstract class ExecSimd extends ExecX87 {
    final dev.vmscope.emu.softfloat.Sse sse = new dev.vmscope.emu.softfloat.Sse();

    ExecSimd(PhysMemory phys) { super(phys); }

    /** An 0F-map SSE/MMX opcode (0F 10-17, 28-3F, 50-7F, C2-C6, D0-FF...) or any 0F38/0F3A opcode. */
    final void execSimd(Insn in) {
        if (in.op >= 0x200) throw new EmuFailure("0F38/0F3A instruction not implemented");
        throw new EmuFailure("SSE/MMX instruction not implemented");
    }
}
