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
