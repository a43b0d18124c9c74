package dev.vmscope.machine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --trace insn on the software CPU: every retired instruction, its bytes, disassembly and what it changed. */
class InstructionTraceTest {
    @Test void everyInstructionOfTheBuiltinGuestIsTracedWithTheRegistersItChanged() throws Exception {
        MachineConfig c = VmHarness.traced(VmHarness.config(null, null), true, 60_000)
                .withAccel(MachineConfig.Accel.EMU, false).withTraceInstructions(true);
        VmHarness.Result r = VmHarness.run(c);
        assertEquals(0, r.status(), r.stopMessage());
        // The built-in guest's first instructions (guests/builtin.S): mov $stack, %esp; ... mov $0x5a5aa5a5, %eax.
        assertTrue(r.diag().contains("vcpu0 insn    32-bit 0008:10007f bc 00 13 10 00"), r.diag());
        assertTrue(r.diag().contains("b8 a5 a5 5a 5a") && r.diag().contains("-> rax=0x5a5aa5a5"), r.diag());
        assertTrue(r.diag().contains("-> rsp=0x101300"), "the first instruction's change, against the boot state");
        long insns = r.diag().lines().filter(l -> l.contains(" insn ")).count();
        assertTrue(insns > 1000, "one line per instruction: " + insns);
        // Exits are still traced in between.
        assertTrue(r.diag().contains("vcpu0 io      out port=0x00e0"), r.diag());
    }
}
