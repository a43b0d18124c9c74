package dev.vmscope.emu;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.VcpuExit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Decoded blocks: self-modifying code, code changed between runs, exits and counts in the middle of a block. */
class BlockCacheTest {
    // mov ecx,5; xor ebx,ebx; 1: mov [0x100e],cl (the immediate of the next instruction); mov eax,0x99;
    // add ebx,eax; dec ecx; jnz 1b; hlt
    static final String SELF_PATCHING_LOOP = "b905000000 31db 880d0e100000 b899000000 01c3 49 75f0 f4";

    @Test void aStoreIntoTheRunningBlockIsSeenByTheNextInstruction() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, SELF_PATCHING_LOOP);
            vm.prot32(0x1000);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            CpuState s = vm.state();
            assertEquals(1, s.rax(), "the last patched immediate");
            assertEquals(5 + 4 + 3 + 2 + 1, s.rbx(), "every iteration ran the immediate its store wrote");
            assertEquals(2 + 5 * 5 + 1, vm.cpu.counters().get("instructions"));
        }
    }

    @Test void codeRewrittenBetweenRunsIsDecodedAgain() {
        try (EmuTestVm vm = new EmuTestVm()) {
            String loop = "b9%s 31c0 01c8 49 75fb f4";   // mov ecx,N; xor eax,eax; 1: add eax,ecx; dec ecx; jnz 1b; hlt
            vm.load(0x1000, String.format(loop, "0a000000"));
            vm.prot32(0x1000);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(55, vm.state().rax());
            vm.load(0x1007, "29");   // add -> sub: another writer (DMA, another vCPU) changes the cached block
            vm.prot32(0x1000);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(-55L & 0xffffffffL, vm.state().rax());
        }
    }

    @Test void anInstructionBudgetEndsInsideABlock() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "b9%s 31c0 01c8 49 75fb f4".formatted("0a000000"));   // mov ecx,10; xor eax,eax; 1: add; dec; jnz 1b; hlt
            vm.prot32(0x1000);
            long start = vm.cpu.retiredInstructions();
            assertInstanceOf(VcpuExit.BudgetUsed.class, vm.cpu.run(6));   // mov, xor, then add dec jnz add
            assertEquals(6, vm.cpu.retiredInstructions() - start);
            assertEquals(0x1009, vm.cpu.exitRip(), "stopped before the second DEC");
            assertEquals(10 + 9, vm.state().rax());
        }
    }

    @Test void anMmioWriteInsideABlockExitsRightAfterItsInstruction() {
        try (EmuTestVm vm = new EmuTestVm()) {
            // mov eax,1; mov [0xd0000000],eax; mov eax,2; jmp +0; hlt
            vm.load(0x1000, "b801000000 a3000000d0 b802000000 eb00 f4");
            vm.prot32(0x1000);
            assertEquals(new VcpuExit.MmioWrite(0xd0000000L, 4, 1), vm.run());
            assertEquals(0x100a, vm.cpu.exitRip());
            assertEquals(1, vm.state().rax());
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(2, vm.state().rax());
        }
    }

    @Test void anMmioReadInsideABlockIsRunAgainWithItsValue() {
        try (EmuTestVm vm = new EmuTestVm()) {
            // mov ebx,7; mov eax,[0xd0000000]; add eax,ebx; jmp +0; hlt
            vm.load(0x1000, "bb07000000 a1000000d0 01d8 eb00 f4");
            vm.prot32(0x1000);
            assertEquals(new VcpuExit.MmioRead(0xd0000000L, 4), vm.run());
            assertEquals(0x1005, vm.cpu.exitRip(), "RIP at the instruction that exited");
            vm.cpu.completeMmioRead(0x100);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x107, vm.state().rax());
        }
    }
}
