package dev.vmscope.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualMachine;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

/**
 * x87 programs on the software CPU (bytes assembled with GNU as, the source in the comment): exceptions and their
 * delivery (#MF with CR0.NE, #NM with TS/EM/MP), the stack faults, the save/restore images, stores and FCOMI/FCMOV.
 * Bit-exact arithmetic against the host is X87HostOracleTest's job.
 */
class X87ExecTest {
    private static final byte[] ONE_80 = EmuTestVm.hex("0000000000000080ff3f");

    private static EmuTestVm realWithCr0(EmuTestVm vm, long cr0) {
        vm.real(0x1000);
        CpuState s = vm.state();
        vm.cpu.setState(s.withSystem(cr0, 0, 0, 0, 0, 0, 0));
        return vm;
    }

    /** IVT entry {@code vector} -> 0000:handler, where a HLT waits. */
    private static void handler(EmuTestVm vm, int vector, int at) {
        vm.load(vector * 4L, new byte[] {(byte) at, (byte) (at >> 8), 0, 0});
        vm.load(at, "f4");
    }

    // fninit; fldcw [0x3000] (0x037b: ZE unmasked); fldz; fld1; fdiv st0,st1; fwait; hlt
    private static final String ZERO_DIVIDE = "dbe3d92e0030d9eed9e8d8f19bf4";

    @Test void anUnmaskedExceptionRaisesMfAtTheNextWaitingInstructionWhenCr0NeIsSet() {
        try (EmuTestVm vm = new EmuTestVm()) {
            realWithCr0(vm, 0x30);
            vm.load(0x1000, ZERO_DIVIDE);
            vm.load(0x3000, "7b03");
            handler(vm, 16, 0x2000);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            CpuState s = vm.state();
            assertEquals(0x2001, s.rip(), "#MF delivered through IVT vector 16");
            assertEquals(0x100c, vm.read32(0x7000 - 6) & 0xffff, "pushed IP is the FWAIT (a fault)");
            CpuState.Fpu f = s.fpu();
            assertEquals(0x3000 | 0x8084, f.fsw(), "ZE with ES and B, TOP 6");
            assertArrayEquals(ONE_80, Arrays.copyOf(f.st(), 10), "destination unchanged: ST0 still 1.0");
            assertEquals(0x0f1, f.fop(), "FOP of the FDIV (D8 F1)");
            assertEquals(0x100a, f.fioff(), "FIP of the FDIV");
        }
    }

    @Test void withoutCr0NeThePendingExceptionIsNotDelivered() {
        try (EmuTestVm vm = new EmuTestVm()) {
            realWithCr0(vm, 0x10);
            vm.load(0x1000, ZERO_DIVIDE);
            vm.load(0x3000, "7b03");
            handler(vm, 16, 0x2000);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x100e, vm.state().rip(), "FWAIT went on (FERR#/IGNNE# path)");
        }
    }

    @Test void tsOrEmRaiseNmAndWaitOnlyFaultsWithMpAndTs() {
        long[][] cases = {   // cr0, code (fld1; hlt or fwait; hlt), expected rip after HLT
            {0x18, 0}, {0x14, 0}, {0x1a, 1}, {0x18, 2}, {0x14, 3},
        };
        for (long[] c : cases) {
            try (EmuTestVm vm = new EmuTestVm()) {
                realWithCr0(vm, c[0]);
                vm.load(0x1000, c[1] == 0 ? "d9e8f4" : "9bf4");
                handler(vm, 7, 0x2100);
                assertInstanceOf(VcpuExit.Hlt.class, vm.run());
                long expected = c[1] <= 1 ? 0x2101 : 0x1002;
                assertEquals(expected, vm.state().rip(), "CR0 0x" + Long.toHexString(c[0]) + " case " + c[1]);
            }
        }
    }

    @Test void fnsaveAndFrstorRoundTripInTheRealModeLayout() {
        try (EmuTestVm vm = new EmuTestVm()) {
            realWithCr0(vm, 0x30);
            // fninit; fldpi; fld1; fnsave [0x3000]; fnstsw ax; frstor [0x3000]; fstp tword [0x3100]; fnstenv [0x3200]; hlt
            vm.load(0x1000, "dbe3d9ebd9e8dd360030dfe0dd260030db3e0031d9360032f4");
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            byte[] img = new byte[94];
            for (int k = 0; k < 94; k++) img[k] = vm.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x3000 + k);
            // SDM Vol. 1 figure 8-12 (16-bit real mode): CW, SW, TW, IP 15:0, IP 19:16|FOP, DP 15:0, DP 19:16
            assertArrayEquals(EmuTestVm.hex("7f03 0030 ff0f 0410 e801 0000 0000"), Arrays.copyOf(img, 14));
            assertArrayEquals(ONE_80, Arrays.copyOfRange(img, 14, 24), "ST0 = 1.0 first");
            assertEquals(0x4000c90fdaa2L, (vm.read64(0x3000 + 24 + 2) >>> 16) & 0xffffffffffffL, "ST1 = pi (top bytes)");
            CpuState s = vm.state();
            assertEquals(0, s.rax() & 0xffff, "FNSAVE reinitialized the FPU");
            assertEquals(0x8000000000000000L, vm.read64(0x3100), "FRSTOR brought 1.0 back, FSTP m80 stored it");
            assertEquals(0x3fff, vm.read32(0x3108) & 0xffff);
            // FNSTENV after the pop: TOP 7, R7 = pi valid, the FSTP (DB 3E at 0x1010) with its operand 0x3100
            assertArrayEquals(EmuTestVm.hex("7f03 0038 ff3f 1010 3e03 0031 0000"), bytes(vm, 0x3200, 14));
            assertEquals(0x37f, s.fpu().fcw(), "exceptions were already masked");
        }
    }

    @Test void fbstpFcomiAndFcmov() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.prot32(0x1000);
            // fninit; fild dword [0x3000]; fbstp [0x3100]; fild dword [0x3004]; fbstp [0x3110];
            // fld1; fadd st0,st0; fld1; fcomi st0,st1; fcmovb st0,st1; fstp qword [0x3120]; fnstsw ax; hlt
            vm.load(0x1000, "dbe3db0500300000df3500310000db0504300000df3510310000d9e8d8c0d9e8dbf1dac1dd1d20310000dfe0f4");
            vm.load(0x3000, "4e61bc0025fcffff");   // 12345678, -987
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertArrayEquals(EmuTestVm.hex("78563412000000000000"), bytes(vm, 0x3100, 10));
            assertArrayEquals(EmuTestVm.hex("87090000000000000080"), bytes(vm, 0x3110, 10), "sign in byte 9");
            CpuState s = vm.state();
            assertEquals(1, s.rflags() & 0x45, "FCOMI 1.0 < 2.0: CF only");
            assertEquals(0x4000000000000000L, vm.read64(0x3120), "FCMOVB took ST1 = 2.0");
            assertEquals(0x3800, s.rax() & 0xffff);
        }
    }

    @Test void stackOverflowAndUnderflowAreMaskedInvalidOperations() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.prot32(0x1000);
            // fninit; fld1 x9; fnstsw ax; mov ebx,eax; fninit; fstp st0; fnstsw ax; hlt
            vm.load(0x1000, "dbe3" + "d9e8".repeat(9) + "dfe089c3dbe3ddd8dfe0f4");
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            CpuState s = vm.state();
            assertEquals(0x3a41, s.rbx() & 0xffff, "overflow: IE, SF, C1 = 1, TOP 7");
            assertEquals(0x0841, s.rax() & 0xffff, "underflow: IE, SF, C1 = 0, popped to TOP 1");
        }
    }

    @Test void stateRoundTripsAndInitKeepsTheFpu() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.prot32(0x1000);
            byte[] st = new byte[80];
            System.arraycopy(ONE_80, 0, st, 0, 10);
            byte[] xmm = new byte[256];
            xmm[17] = 0x5a;
            CpuState.Fpu f = new CpuState.Fpu(0x27f, 0x3800 | 0x20, 0x3fff, 0x1e8, 8, 0x1234, 0x10, 0x5678, st, xmm, 0x1f00);
            vm.cpu.setState(vm.state().withFpu(f));
            assertEquals(f, vm.state().fpu());
            vm.cpu.restart(CpuState.startup(0, 0, 0x1000, 0x10));
            assertEquals(f, vm.state().fpu(), "INIT leaves x87/SSE state alone (SDM Vol. 3A table 9-1)");
            assertNotEquals(CpuState.Fpu.EMPTY, vm.state().fpu());
        }
    }

    @Test void cpuidAdvertisesTheFpu() {
        CpuidModel m = new CpuidModel(0, new VirtualMachine.CpuidSpec(1, false, false));
        assertEquals(1, m.query(1, 0)[3] & 1);
    }

    private static byte[] bytes(EmuTestVm vm, long at, int n) {
        byte[] b = new byte[n];
        for (int k = 0; k < n; k++) b[k] = vm.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + k);
        return b;
    }
}
