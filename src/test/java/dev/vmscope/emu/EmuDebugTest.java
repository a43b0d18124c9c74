package dev.vmscope.emu;

import dev.vmscope.hypervisor.GuestDebug;
import dev.vmscope.hypervisor.VcpuExit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The debugger's single-step, breakpoints and watchpoints end run() with KVM_EXIT_DEBUG as on KVM. */
class EmuDebugTest {
    // 0x1000 nop; 0x1001 nop; 0x1002 mov dword [0x3000], 1; 0x100c nop; 0x100d int3; 0x100e hlt
    private static final String CODE = "9090c705003000000100000090ccf4";

    @Test void singleStepExitsAfterEachInstruction() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, CODE);
            vm.prot32(0x1000);
            vm.cpu.setGuestDebug(new GuestDebug(true, false, new GuestDebug.Slot[4]), true);
            VcpuExit.Debug d = assertInstanceOf(VcpuExit.Debug.class, vm.run());
            assertEquals(1, d.exception());
            assertEquals(0x1001, d.pc());
            assertNotEquals(0, d.dr6() & 0x4000, "BS");
            assertEquals(0x1002, ((VcpuExit.Debug) vm.run()).pc());
        }
    }

    @Test void breakpointWatchpointAndInt3() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, CODE);
            vm.prot32(0x1000);
            GuestDebug.Slot[] slots = {new GuestDebug.Slot(0x1001, GuestDebug.Kind.EXECUTE, 1),
                    new GuestDebug.Slot(0x3000, GuestDebug.Kind.WRITE, 4), null, null};
            vm.cpu.setGuestDebug(new GuestDebug(false, true, slots), false);
            VcpuExit.Debug bp = assertInstanceOf(VcpuExit.Debug.class, vm.run());
            assertEquals(0x1001, bp.pc(), "execute breakpoint before the instruction");
            assertEquals(1, bp.dr6() & 0xf);
            VcpuExit.Debug wp = assertInstanceOf(VcpuExit.Debug.class, vm.run());
            assertEquals(2, wp.dr6() & 0xf, "write watchpoint in slot 1");
            assertEquals(0x100c, wp.pc(), "reported after the writing instruction");
            assertEquals(1, vm.read32(0x3000));
            VcpuExit.Debug i3 = assertInstanceOf(VcpuExit.Debug.class, vm.run());
            assertEquals(3, i3.exception());
            assertEquals(0x100d, i3.pc());
        }
    }

    /** A watched range of any length: REP MOVSB stops after the iteration that wrote into it (SDM Vol. 3B 18.3.1.2). */
    @Test void aLongRangeStopsRepMovsAfterTheHittingIteration() {
        try (EmuTestVm vm = new EmuTestVm()) {
            // 0x1000 mov esi,0x2000; mov edi,0x3000; mov ecx,200; 0x100f rep movsb; 0x1011 hlt
            vm.load(0x1000, "be00200000bf00300000b9c8000000f3a4f4");
            vm.prot32(0x1000);
            vm.cpu.setGuestDebug(new GuestDebug(false, false, new GuestDebug.Slot[4],
                    java.util.List.of(new GuestDebug.Watch(0x3080, 100, GuestDebug.Access.WRITE))), false);
            VcpuExit.Debug d = assertInstanceOf(VcpuExit.Debug.class, vm.run());
            assertEquals(0, d.watch());
            assertEquals(0, d.dr6() & 0xf, "no debug-register slot");
            assertEquals(0x100f, d.pc(), "the REP instruction is not finished");
            assertEquals(200 - 129, vm.cpu.state().gpr(2), "ECX: 129 bytes copied, 0x3000..0x3080");
            vm.cpu.setGuestDebug(GuestDebug.OFF, false);
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0, vm.cpu.state().gpr(2));
        }
    }

    @Test void readRangesFireOnReadsOnly() {
        try (EmuTestVm vm = new EmuTestVm()) {
            // 0x1000 mov [0x5000],eax; 0x1005 mov eax,[0x5000]; 0x100a hlt
            vm.load(0x1000, "a300500000a100500000f4");
            vm.prot32(0x1000);
            vm.cpu.setGuestDebug(new GuestDebug(false, false, new GuestDebug.Slot[4], java.util.List.of(
                    new GuestDebug.Watch(0x9000, 1, GuestDebug.Access.ACCESS),
                    new GuestDebug.Watch(0x5002, 1, GuestDebug.Access.READ))), false);
            VcpuExit.Debug d = assertInstanceOf(VcpuExit.Debug.class, vm.run());
            assertEquals(1, d.watch(), "the 4-byte read covers 0x5002");
            assertEquals(0x100a, d.pc(), "reported after the reading instruction, not after the write");
        }
    }

    /** 16-byte SSE accesses reach the watch check for both of their 8-byte halves. */
    @Test void sseAccessesHitRangesInTheirSecondHalf() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.long64(0x1000);
            vm.load(0x1000, "f30f7f06f30f6f0ff4");   // movdqu [rsi],xmm0; movdqu xmm1,[rdi]; hlt
            EmuCpu c = (EmuCpu) vm.cpu;
            c.cr4 |= CpuRegs.CR4_OSFXSR;
            c.r[6] = 0x40000;
            c.r[7] = 0x50000;
            vm.cpu.setGuestDebug(new GuestDebug(false, false, new GuestDebug.Slot[4], java.util.List.of(
                    new GuestDebug.Watch(0x4000c, 1, GuestDebug.Access.WRITE),
                    new GuestDebug.Watch(0x5000f, 1, GuestDebug.Access.READ))), false);
            VcpuExit.Debug st = assertInstanceOf(VcpuExit.Debug.class, vm.run());
            assertEquals(0, st.watch());
            assertEquals(0x1004, st.pc());
            VcpuExit.Debug ld = assertInstanceOf(VcpuExit.Debug.class, vm.run());
            assertEquals(1, ld.watch());
            assertEquals(0x1008, ld.pc());
        }
    }

    /** Deterministic mode's entry points: an exact instruction budget and a TSC that follows the given clock. */
    @Test void runWithABudgetStopsAfterExactlyThatManyInstructions() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "90909090909090909090f4");   // 10 nops, hlt
            vm.prot32(0x1000);
            assertInstanceOf(VcpuExit.BudgetUsed.class, vm.cpu.run(3));
            assertEquals(3, vm.cpu.retiredInstructions());
            assertEquals(0x1003, vm.cpu.state().rip());
            long[] now = {777};
            assertTrue(vm.cpu.useClock(() -> now[0]));
            long tsc = vm.cpu.guestTsc();
            now[0] += 1000;
            assertEquals(tsc + 1000, vm.cpu.guestTsc(), "the TSC follows the clock, not host time");
            assertInstanceOf(VcpuExit.Hlt.class, vm.cpu.run(100));
            assertEquals(11, vm.cpu.retiredInstructions());
        }
    }

    @Test void theObserverSeesEveryRetiredInstruction() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, "31c00fa2f4");   // xor eax,eax; cpuid; hlt
            vm.prot32(0x1000);
            StringBuilder seen = new StringBuilder();
            ((EmuCpu) vm.cpu).setInstructionObserver((cpu, rip, bytes, bits) ->
                    seen.append(String.format("%x:%s/%d ", rip, java.util.HexFormat.of().formatHex(bytes), bits)));
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals("1000:31c0/32 1002:0fa2/32 1004:f4/32 ", seen.toString());
        }
    }
}
