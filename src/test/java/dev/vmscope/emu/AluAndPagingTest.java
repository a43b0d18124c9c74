package dev.vmscope.emu;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.VcpuExit;
import org.junit.jupiter.api.Test;

import static dev.vmscope.emu.CpuRegs.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Flags of the arithmetic core against values from the SDM's flag definitions (Vol. 1 appendix A, each
 * instruction's "Flags Affected"), and the page walker in 32-bit (PSE) and PAE paging.
 */
class AluAndPagingTest {
    private static long arith(EmuCpu c) { return c.getFlags() & ARITH; }

    private static EmuCpu cpu(EmuTestVm vm) { return (EmuCpu) vm.cpu; }

    @Test void addAndSubFlags() {
        try (EmuTestVm vm = new EmuTestVm()) {
            EmuCpu c = cpu(vm);
            assertEquals(0x80, c.alu(0, 0x7f, 1, 1));
            assertEquals(OF | SF | AF, arith(c));
            assertEquals(0, c.alu(0, 0xff, 1, 1));
            assertEquals(CF | ZF | AF | PF, arith(c));
            assertEquals(0xffffffffL, c.alu(5, 0, 1, 4));
            assertEquals(CF | SF | AF | PF, arith(c));
            assertEquals(0x7fffffffL, c.alu(5, 0x80000000L, 1, 4));
            assertEquals(OF | AF | PF, arith(c));
            c.alu(7, 5, 5, 8);
            assertTrue(c.cond(4) && !c.cond(2) && c.cond(13), "CMP equal: E, not B, GE");
        }
    }

    @Test void carryChainsAndIncKeepsCarry() {
        try (EmuTestVm vm = new EmuTestVm()) {
            EmuCpu c = cpu(vm);
            c.alu(0, 0xffffffffL, 1, 4);                         // CF=1
            assertEquals(0, c.alu(2, 0xffffffffL, 0, 4));        // ADC: 0xffffffff + 0 + 1
            assertEquals(CF | ZF | AF | PF, arith(c));
            assertEquals(0xffffffffL, c.alu(3, 0, 0, 4));        // SBB with CF=1
            assertTrue(c.cf());
            assertEquals(0x80000000L, c.inc(0x7fffffffL, 4));
            assertTrue(c.of() && c.cf(), "INC sets OF and keeps CF");
            assertEquals(0, c.dec(1, 2));
            assertTrue(c.zf() && c.cf());
        }
    }

    @Test void shiftsRotatesMultiplyDivide() {
        try (EmuTestVm vm = new EmuTestVm()) {
            EmuCpu c = cpu(vm);
            assertEquals(0x02, c.shift(4, 0x81, 1, 1));
            assertEquals(CF | OF, arith(c) & (CF | OF));
            assertEquals(0xffffffffL, c.shift(7, 0x80000000L, 31, 4));
            assertFalse(c.cf());
            assertEquals(0x03, c.shift(0, 0x81, 1, 1));
            assertEquals(CF | OF, arith(c) & (CF | OF));
            assertEquals(0x55, c.shift(0, 0x55, 8, 1), "ROL by the width rotates back");
            c.r[0] = 0x80000000L;
            c.mul1(2, 4, false);
            assertEquals(0, c.r[0]);
            assertEquals(1, c.r[2]);
            assertTrue(c.cf() && c.of());
            Fault f = assertThrows(Fault.class, () -> c.div(0, 4, false));
            assertEquals(Fault.DE, f.vector);
            c.r[2] = 0;
            c.r[0] = 0x0080;
            c.div(0xff, 1, true);   // 128 / -1 = -128 fits in AL
            assertEquals(0x80, c.r[0] & 0xffff);
            c.r[0] = 0x8000;
            assertEquals(Fault.DE, assertThrows(Fault.class, () -> c.div(0xff, 1, true)).vector, "-32768 / -1 does not fit");
        }
    }

    @Test void bcdAndBitScan() {
        try (EmuTestVm vm = new EmuTestVm()) {
            EmuCpu c = cpu(vm);
            c.r[0] = 0x0f;
            c.alu(0, 0x08, 0x07, 1);   // leaves AF clear; DAA still adjusts the low nibble > 9
            c.decimalAdjust(false);
            assertEquals(0x15, c.r[0] & 0xff);
            assertTrue(c.af());
            assertEquals(1234, c.bitScan(false, 0, 1234, 4));
            assertTrue(c.zf());
            assertEquals(31, c.bitScan(true, 0x80000001L, 0, 4));
            assertFalse(c.zf());
        }
    }

    @Test void legacyPagingWith4MiBPagesSetsAccessedAndDirty() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.write64(0x10000, 0x83);                   // PDE 0: 4 MiB page at 0 (PS, RW, P)
            vm.write64(0x10000 + 0x300 * 4, 0x83);      // PDE for 0xc0000000: the same page
            vm.load(0x2000, "78563412");
            vm.load(0x1000, "a1002000c0c705042000c055000000f4");   // mov eax,[0xc0002000]; mov dword [0xc0002004],0x55; hlt
            vm.prot32(0x1000);
            CpuState s = vm.state();
            vm.cpu.setState(s.withSystem(0x80000011L, 0, 0x10000, CR4_PSE, 0, 0, 0));
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x12345678L, vm.state().rax());
            assertEquals(0x55, vm.read32(0x2004));
            assertEquals(0xe3, vm.read32(0x10000 + 0x300 * 4), "A and D set in the PDE used for the write");
        }
    }

    @Test void paePagingThroughThePdpt() {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.write64(0x11000, 0x12000 | 1);            // PDPTE 0
            vm.write64(0x11018, 0x12000 | 1);            // PDPTE 3 (0xc0000000-0xffffffff): the same directory
            vm.write64(0x12000, 0x83);                   // 2 MiB page at 0
            vm.load(0x2000, "78563412");
            vm.load(0x1000, "a1002000c0c705042000c055000000f4");
            vm.prot32(0x1000);
            CpuState s = vm.state();
            vm.cpu.setState(s.withSystem(0x80000011L, 0, 0x11000, CR4_PAE, 0, 0, 0));
            assertInstanceOf(VcpuExit.Hlt.class, vm.run());
            assertEquals(0x12345678L, vm.state().rax());
            assertEquals(0x55, vm.read32(0x2004));
        }
    }
}
