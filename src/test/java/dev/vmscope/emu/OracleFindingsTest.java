package dev.vmscope.emu;

import dev.vmscope.hypervisor.CpuState;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Regression tests for emulator bugs the host-CPU oracle (HostOracleSequenceTest) found. */
class OracleFindingsTest {
    /** SDM Vol. 2A CMPXCHG: on a failed compare a register destination is not written (its bits 63:32 stay). */
    @Test void failedCmpxchgLeavesA32BitRegisterDestinationAlone() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "0fb1d9 f4");   // cmpxchg ecx, ebx; hlt
            vm.long64(0x1000);
            CpuState s = vm.state();
            long[] g = s.gprs();   // rax, rbx, rcx, rdx, ...
            g[0] = 0xaaaa_bbbb_0000_0007L;
            g[1] = 0x1234;
            g[2] = 0x1_0000_0005L;
            vm.cpu.setState(s.withGprs(g, s.rip(), s.rflags()));
            vm.run();
            CpuState t = vm.state();
            assertEquals(0x1_0000_0005L, t.rcx(), "destination kept whole");
            assertEquals(5, t.rax(), "accumulator loaded (zero-extended)");
            assertEquals(0, t.rflags() & CpuRegs.ZF);
        }
    }

    /** A read-modify-write of a not-present page reports a write access (#PF error code W=1, SDM Vol. 3A 4.7). */
    @Test void readModifyWriteFaultsAsAWrite() {
        try (EmuSequenceRunner emu = new EmuSequenceRunner()) {
            long[] g = new long[16];
            g[4] = InsnOracle.DATA + 0x800;
            // inc dword [DATA+0x1000]; lock bts dword [DATA+0x1000], 1; mov eax, [DATA+0x1000]
            String[] codes = {"ff042500100010", "f00fba2c250010001001", "8b042500100010"};
            int[] expected = {6, 6, 4};
            for (int k = 0; k < codes.length; k++) {
                InsnOracle.Case c = new InsnOracle.Case(g, 0x202, new byte[4096], EmuTestVm.hex(codes[k]));
                EmuSequenceRunner.Outcome o = emu.run(c);
                assertEquals(Fault.PF, o.vector(), codes[k]);
                assertEquals(expected[k], o.errorCode(), codes[k]);
                assertEquals(InsnOracle.DATA + 0x1000, o.faultAddress());
                assertFalse(o.failure() != null, o.failure());
            }
        }
    }

    /** UD0 (0F FF /r) raises #UD (SDM Vol. 2B UD) instead of ending the run as an unimplemented SSE instruction. */
    @Test void ud0IsInvalidOpcode() {
        try (EmuSequenceRunner emu = new EmuSequenceRunner()) {
            long[] g = new long[16];
            g[4] = InsnOracle.DATA + 0x800;
            EmuSequenceRunner.Outcome o = emu.run(new InsnOracle.Case(g, 0x202, new byte[4096], EmuTestVm.hex("0fffc0")));
            assertEquals(null, o.failure());
            assertEquals(Fault.UD, o.vector());
            assertEquals(InsnOracle.CODE, o.rip());
        }
    }
}
