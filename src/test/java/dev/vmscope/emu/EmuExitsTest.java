package dev.vmscope.emu;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.VcpuExit;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The software CPU's exits follow KVM's protocol (port and MMIO reads re-executed, writes after commit). */
class EmuExitsTest {
    @Test void portInExitsThenFinishesTheInstructionAndOutCarriesTheData() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "b83412e46089c3e680f4");   // mov ax,0x1234; in al,0x60; mov bx,ax; out 0x80,al; hlt
            vm.real(0x1000);
            assertEquals(new VcpuExit.IoIn(0x60, 1, 1), vm.run());
            assertEquals(0x1003, vm.cpu.exitRip(), "RIP stays at the IN until it is completed");
            vm.cpu.completeIn(new byte[] {0x5a});
            VcpuExit out = vm.run();
            assertInstanceOf(VcpuExit.IoOut.class, out);
            assertEquals(0x80, ((VcpuExit.IoOut) out).port());
            assertEquals(0x5a, ((VcpuExit.IoOut) out).value(0));
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            CpuState s = vm.state();
            assertEquals(0x125a, s.rbx());
            assertEquals(0x100a, s.rip(), "HLT exits with RIP after it");
        }
    }

    @Test void repInsbFillsMemoryInOrderAndLeavesRaxAlone() {
        try (EmuTestVm vm = new EmuTestVm()) {
            // mov eax,0xdeadbeef; mov edi,0x2000; mov ecx,4; mov dx,0x510; cld; rep insb; hlt
            vm.load(0x1000, "b8efbeaddebf00200000b90400000066ba1005fcf36cf4");
            vm.prot32(0x1000);
            assertEquals(new VcpuExit.IoIn(0x510, 1, 4), vm.run());
            vm.cpu.completeIn("QEMU".getBytes());
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x554d4551L, vm.read32(0x2000), "QEMU in guest order");
            CpuState s = vm.state();
            assertEquals(0xdeadbeefL, s.rax());
            assertEquals(0, s.rcx());
            assertEquals(0x2004, s.rdi());
        }
    }

    @Test void repOutswSendsEveryElementInOneExit() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x2000, "010002000300");
            vm.load(0x1000, "be00200000b90300000066ba005066f36ff4");   // rep outsw, 3 words to port 0x5000
            vm.prot32(0x1000);
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, vm.run());
            assertEquals(3, out.count());
            assertEquals(2, out.size());
            assertEquals(3, out.value(2));
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x2006, vm.state().rsi());
        }
    }

    @Test void mmioReadIsReexecutedAndReadModifyWriteGivesReadThenWrite() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "a12000e0fe83053000e0fe01f4");   // mov eax,[0xfee00020]; add dword [0xfee00030],1; hlt
            vm.prot32(0x1000);
            assertEquals(new VcpuExit.MmioRead(0xfee00020L, 4), vm.run());
            vm.cpu.completeMmioRead(0x11223344L);
            assertEquals(new VcpuExit.MmioRead(0xfee00030L, 4), vm.run());
            vm.cpu.completeMmioRead(41);
            assertEquals(new VcpuExit.MmioWrite(0xfee00030L, 4, 42), vm.run());
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x11223344L, vm.state().rax());
        }
    }

    @Test void writesToReadOnlySlotsExitAsMmioWrites() {
        try (EmuTestVm vm = new EmuTestVm(); Arena a = Arena.ofConfined()) {
            MemorySegment rom = a.allocate(0x1000, 0x1000);
            vm.vm.mapMemory(1, 0x800000, rom, true);
            vm.load(0x1000, "c7050000800078563412f4");   // mov dword [0x800000], 0x12345678; hlt
            vm.prot32(0x1000);
            VcpuExit e = vm.run();
            assertEquals(new VcpuExit.MmioWrite(0x800000, 4, 0x12345678), e, ((EmuCpu) vm.cpu).failureMessage());
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
        }
    }

    @Test void rdmsrOfAnApicMsrExitsAndTheValueArrivesInEdxEax() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "b91b0000000f32f4");   // mov ecx,0x1b; rdmsr; hlt
            vm.prot32(0x1000);
            assertEquals(new VcpuExit.RdMsr(0x1b), vm.run());
            vm.cpu.completeMsr(false, 0x1_fee00900L);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0xfee00900L, vm.state().rax());
            assertEquals(1, vm.state().rdx());
        }
    }

    @Test void aRejectedMsrRaisesGpWhichWithoutAnIdtIsATripleFault() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "0f011d00300000b91b0000000f32f4");   // lidt [0x3000] (limit 0); rdmsr
            vm.prot32(0x1000);
            assertEquals(new VcpuExit.RdMsr(0x1b), vm.run());
            vm.cpu.completeMsr(true, 0);
            assertInstanceOf(VcpuExit.Shutdown.class, vm.run());
        }
    }

    @Test void tripleFaultIsShutdown() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "0f011d00300000cc");   // lidt [0x3000] with limit 0; int3
            vm.prot32(0x1000);
            assertInstanceOf(VcpuExit.Shutdown.class, vm.run());
        }
    }

    @Test void anUnimplementedInstructionIsAnEmulationFailureNamingItsBytes() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "900faa");   // nop; rsm (SMM is not implemented)
            vm.prot32(0x1000);
            VcpuExit.InternalError e = assertInstanceOf(VcpuExit.InternalError.class, vm.run());
            assertEquals(1, e.suberror());
            assertArrayEquals(EmuTestVm.hex("0faa"), e.insn());
            assertEquals(0x1001, vm.state().rip(), "RIP at the failing instruction");
            assertTrue(((EmuCpu) vm.cpu).failureMessage().contains("not implemented"));
        }
    }

    @Test void kickStopsAGuestSpinningInJmpSelf() throws Exception {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "ebfe");
            vm.prot32(0x1000);
            CompletableFuture<VcpuExit> f = CompletableFuture.supplyAsync(vm.cpu::run);
            Thread.sleep(50);
            vm.cpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, f.get(10, TimeUnit.SECONDS));
        }
    }

    @Test void realModeInterruptGoesThroughTheIvtWhenInterruptsAreEnabled() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "fbebfe");                 // sti; jmp $
            vm.load(0x1100, "c7060006aa55f4");         // handler: mov word [0x600], 0x55aa; hlt
            vm.load(0x20 * 4, "00110000");             // IVT[0x20] = 0000:1100
            vm.real(0x1000);
            assertFalse(vm.cpu.readyForInterrupt());
            vm.cpu.injectInterrupt(0x20);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x55aa, vm.read32(0x600) & 0xffff);
            assertFalse(vm.cpu.interruptsEnabled(), "IF cleared by the interrupt");
        }
    }

    @Test void interruptWindowExitWhenReady() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "fbebfe");   // sti; jmp $
            vm.real(0x1000);
            vm.cpu.requestInterruptWindow(true);
            assertInstanceOf(VcpuExit.IrqWindowOpen.class, vm.run());
            assertTrue(vm.cpu.readyForInterrupt());
            assertEquals(0x1001 + 2, vm.state().rip() + 2, "the window opens after the instruction following STI");
        }
    }

    @Test void selfModifyingCodeIsSeen() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1010, "40f4");   // inc eax; hlt
            vm.prot32(0x1010);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(1, vm.state().rax());
            vm.load(0x1000, "c60510100000f4eb07");   // mov byte [0x1010], 0xf4 (hlt); jmp 0x1010
            vm.prot32(0x1000);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x1011, vm.state().rip());
            assertEquals(0, vm.state().rax(), "the cached INC must not run");
        }
    }

    @Test void pageFaultIn64BitModeSetsCr2AndPushesTheErrorCode() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "48b800000000ff7f0000488b18f4");   // mov rax, 0x7fff00000000; mov rbx,[rax]; hlt
            vm.load(0x1100, "0f20d05bf4");                    // handler: mov rax, cr2; pop rbx; hlt
            long gate = 0x1100 | 0x08L << 16 | 0x8eL << 40;     // 64-bit interrupt gate, CS 0x08
            vm.write64(0x4000 + 14 * 16, gate);
            vm.write64(0x5008, 0x00209a0000000000L);           // GDT[1]: 64-bit ring-0 code
            vm.long64(0x1000);
            CpuState s = vm.state();
            vm.cpu.setState(new CpuState(s.rax(), s.rbx(), s.rcx(), s.rdx(), s.rsi(), s.rdi(), s.rbp(), s.rsp(), 0, 0, 0, 0, 0, 0, 0, 0,
                    s.rip(), s.rflags(), s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), new CpuState.Table(0x5000, 0xff),
                    new CpuState.Table(0x4000, 0xfff), s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), 0,
                    0, 0, 0, 0, s.dr6(), s.dr7(), s.events(), s.mpState(), s.fpu(), java.util.Set.of()));
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            CpuState after = vm.state();
            assertEquals(0x7fff00000000L, after.rax());
            assertEquals(0, after.rbx(), "error code: not present, read, supervisor");
        }
    }

    @Test void divideByZeroWithoutAnIdtShutsDown() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "0f011d0030000031c9f7f1");   // lidt (limit 0); xor ecx,ecx; div ecx
            vm.prot32(0x1000);
            assertInstanceOf(VcpuExit.Shutdown.class, vm.run());
        }
    }

    @Test void cpuidNamesTheVendorAndCountsInstructions() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "31c00fa2f4");
            vm.prot32(0x1000);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            CpuState s = vm.state();
            assertEquals(0x756e6547L, s.rbx(), "Genu");
            assertEquals(3, vm.cpu.counters().get("instructions"));
        }
    }
}
