package dev.vmscope.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualMachine;
import org.junit.jupiter.api.Test;

/**
 * MMX/SSE/SSE2 behaviour the host oracle cannot show: the CR0/CR4 exception rules (SDM Vol. 3A 2.5, Vol. 1
 * 11.6.2), FXSAVE/FXRSTOR/LDMXCSR/STMXCSR with their #GP cases, x87/MMX aliasing, #UD for the unadvertised
 * SSSE3/SSE4/XSAVE encodings, faults that leave memory untouched, and 16-byte MMIO reads split into two exits.
 */
class SimdExecTest {
    private static EmuCpu cpu(EmuTestVm vm) { return (EmuCpu) vm.cpu; }

    /** 64-bit VM with code at 0x1000 (then HLT), OSFXSR and OSXMMEXCPT set. */
    private static EmuTestVm vm(String hex) {
        EmuTestVm vm = new EmuTestVm();
        vm.long64(0x1000);
        vm.load(0x1000, hex + "f4");
        cpu(vm).cr4 |= CpuRegs.CR4_OSFXSR | CpuRegs.CR4_OSXMMEXCPT;
        return vm;
    }

    /** Executes the first instruction; the exception vector it raises, or -1. */
    private static int step(EmuTestVm vm) {
        try {
            cpu(vm).step();
            return -1;
        } catch (Fault f) {
            return f.vector;
        }
    }

    @Test void cpuidAdvertisesMmxFxsrSseSse2() {
        int edx = new CpuidModel(0, new VirtualMachine.CpuidSpec(1, false, false)).query(1, 0)[3];
        assertEquals(0xf << 23, edx & 0xf << 23);
    }

    @Test void controlRegistersGateSseAndMmx() {
        try (EmuTestVm vm = vm("0f58c1")) {                      // addps xmm0, xmm1
            cpu(vm).cr4 &= ~CpuRegs.CR4_OSFXSR;
            assertEquals(Fault.UD, step(vm), "SSE without CR4.OSFXSR");
            cpu(vm).cr4 |= CpuRegs.CR4_OSFXSR;
            cpu(vm).cr0 |= CpuRegs.CR0_TS;
            assertEquals(Fault.NM, step(vm), "CR0.TS");
            cpu(vm).cr0 |= CpuRegs.CR0_EM;
            assertEquals(Fault.UD, step(vm), "CR0.EM outranks TS");
        }
        try (EmuTestVm vm = vm("0ffcc1")) {                      // paddb mm0, mm1: no OSFXSR needed
            cpu(vm).cr4 &= ~CpuRegs.CR4_OSFXSR;
            assertEquals(-1, step(vm));
            cpu(vm).rip = 0x1000;
            cpu(vm).cr0 |= CpuRegs.CR0_TS;
            assertEquals(Fault.NM, step(vm));
            cpu(vm).cr0 = cpu(vm).cr0 & ~CpuRegs.CR0_TS | CpuRegs.CR0_EM;
            assertEquals(Fault.UD, step(vm));
        }
    }

    @Test void unadvertisedEncodingsAreUndefined() {
        for (String insn : new String[] {"660f3800c1", "660f3a0fc108", "f20f12c1", "660f7cc1", "0fae20", "f20ff006",
                "0f0f", "660f77"}) {
            try (EmuTestVm vm = vm(insn)) {
                assertEquals(Fault.UD, step(vm), insn);
            }
        }
    }

    @Test void unmaskedExceptionIsXmOrUd() {
        try (EmuTestVm vm = vm("f30f5ec1")) {                    // divss xmm0, xmm1 with 1/0, ZE unmasked
            EmuCpu c = cpu(vm);
            c.fpu.xmm[0] = 0x3f800000;
            c.fpu.mxcsr = 0x1f80 & ~0x200;
            assertEquals(Fault.XM, step(vm));
            assertEquals(0x3f800000, c.fpu.xmm[0], "destination unchanged");
            assertEquals(0x1d84, c.fpu.mxcsr, "ZE recorded");
            c.cr4 &= ~CpuRegs.CR4_OSXMMEXCPT;
            assertEquals(Fault.UD, step(vm));
            c.fpu.mxcsr = 0x1f80;
            assertEquals(-1, step(vm));
            assertEquals(0x7f800000, c.fpu.xmm[0]);
            assertEquals(0x1f84, c.fpu.mxcsr);
        }
    }

    @Test void mmxAliasesTheX87Registers() {
        try (EmuTestVm vm = vm("0f6e c0 0f77")) {                // movd mm0, eax; emms
            EmuCpu c = cpu(vm);
            c.fpu.top = 5;
            c.r[0] = 0x12345678;
            assertEquals(-1, step(vm));
            assertEquals(0, c.fpu.top);
            assertEquals(0, c.fpu.tags, "all tags valid");
            assertEquals(0x12345678L, c.fpu.sig[0]);
            assertEquals(0xffff, c.fpu.se[0], "exponent and sign set to ones");
            c.rip = 0x1003;
            assertEquals(-1, step(vm));
            assertEquals(0xffff, c.fpu.tags, "EMMS empties the stack");
        }
    }

    @Test void fxsaveAndFxrstorRoundTrip() {
        // fxsave64 [rsi]; fxrstor64 [rsi]
        try (EmuTestVm vm = vm("480fae06 480fae0e")) {
            EmuCpu c = cpu(vm);
            c.r[6] = 0x40000;
            for (int i = 0; i < 32; i++) c.fpu.xmm[i] = 0x1111111111111111L * (i % 15 + 1);
            c.fpu.mxcsr = 0x9fc0;
            vm.write64(0x40000 + 464, 0x5a5a5a5a5a5a5a5aL);
            assertEquals(-1, step(vm));
            assertEquals(0x9fc0, vm.read32(0x40000 + 24), "MXCSR");
            assertEquals(0xffff, vm.read32(0x40000 + 28), "MXCSR_MASK");
            assertEquals(0x1111111111111111L, vm.read64(0x40000 + 160), "XMM0");
            assertEquals(c.fpu.xmm[31], vm.read64(0x40000 + 160 + 15 * 16 + 8), "XMM15 high");
            assertEquals(0x5a5a5a5a5a5a5a5aL, vm.read64(0x40000 + 464), "bytes 464-511 are the software's");
            long[] saved = c.fpu.xmm.clone();
            java.util.Arrays.fill(c.fpu.xmm, 0);
            c.fpu.mxcsr = 0x1f80;
            c.rip = 0x1004;
            assertEquals(-1, step(vm));
            assertArrayEquals(saved, c.fpu.xmm);
            assertEquals(0x9fc0, c.fpu.mxcsr);
            vm.write64(0x40000 + 24, 0x10000 | 0x1f80);           // reserved MXCSR bit in the image
            java.util.Arrays.fill(c.fpu.xmm, 0);
            c.rip = 0x1004;
            assertEquals(Fault.GP, step(vm));
            assertEquals(0, c.fpu.xmm[0], "nothing restored");
            c.r[6] = 0x40008;
            c.rip = 0x1000;
            assertEquals(Fault.GP, step(vm), "FXSAVE needs 16-byte alignment");
            c.cr0 |= CpuRegs.CR0_TS;
            assertEquals(Fault.NM, step(vm));
        }
    }

    @Test void ldmxcsrChecksReservedBits() {
        try (EmuTestVm vm = vm("0fae16 0fae1e")) {                // ldmxcsr [rsi]; stmxcsr [rsi]
            EmuCpu c = cpu(vm);
            c.r[6] = 0x40000;
            vm.write64(0x40000, 0x10000 | 0x1f80);
            assertEquals(Fault.GP, step(vm));
            assertEquals(0x1f80, c.fpu.mxcsr);
            vm.write64(0x40000, 0x7fc0);
            assertEquals(-1, step(vm));
            assertEquals(0x7fc0, c.fpu.mxcsr);
            vm.write64(0x40000, 0);
            assertEquals(-1, step(vm));
            assertEquals(0x7fc0, vm.read64(0x40000));
        }
    }

    @Test void misalignedAlignedFormsFault() {
        try (EmuTestVm vm = vm("660f6f06")) {                    // movdqa xmm0, [rsi]
            cpu(vm).r[6] = 0x40008;
            assertEquals(Fault.GP, step(vm));
        }
        try (EmuTestVm vm = vm("f30f6f06")) {                    // movdqu xmm0, [rsi]
            cpu(vm).r[6] = 0x40008;
            vm.write64(0x40008, 7);
            assertEquals(-1, step(vm));
            assertEquals(7, cpu(vm).fpu.xmm[0]);
        }
    }

    @Test void pageFaultOnTheSecondHalfWritesNothing() {
        try (EmuTestVm vm = vm("f30f7f06")) {                    // movdqu [rsi], xmm0
            EmuCpu c = cpu(vm);
            vm.write64(0x11000, 0x12000 | 3);                   // 4 KiB pages for the first 2 MiB; 0x50000 absent
            vm.write64(0x12000, 0x13000 | 3);
            for (int i = 0; i < 512; i++) vm.write64(0x13000 + 8 * i, i == 0x50 ? 0 : (long) i << 12 | 3);
            c.flushTlb();
            c.r[6] = 0x4fff8;
            c.fpu.xmm[0] = -1;
            c.fpu.xmm[1] = -1;
            assertEquals(Fault.PF, step(vm));
            assertEquals(0, vm.read64(0x4fff8), "first half not written");
        }
    }

    @Test void mmioReadsSplitIntoTwoExitsInOrder() {
        try (EmuTestVm vm = vm("660f6f06")) {                    // movdqa xmm0, [rsi] on MMIO
            EmuCpu c = cpu(vm);
            c.r[6] = 0x10000000;
            assertEquals(new VcpuExit.MmioRead(0x10000000, 8), vm.run());
            vm.cpu.completeMmioRead(0x1122334455667788L);
            assertEquals(new VcpuExit.MmioRead(0x10000008, 8), vm.run());
            vm.cpu.completeMmioRead(0x99aabbccddeeff00L);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x1122334455667788L, c.fpu.xmm[0]);
            assertEquals(0x99aabbccddeeff00L, c.fpu.xmm[1]);
        }
    }

    @Test void stringScanLikeGlibc() {
        // pxor xmm1,xmm1; movdqa xmm0,[rsi]; pcmpeqb xmm0,xmm1; pmovmskb eax,xmm0; bsf eax,eax
        try (EmuTestVm vm = vm("660fefc9 660f6f06 660f74c1 660fd7c0 0fbcc0")) {
            EmuCpu c = cpu(vm);
            c.r[6] = 0x40000;
            vm.load(0x40000, "hello, world!\0xy".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(13, c.r[0], "index of the terminating NUL");
        }
    }
}
