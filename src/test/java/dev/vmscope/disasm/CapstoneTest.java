package dev.vmscope.disasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real libcapstone.so.4 through FFM (skipped, with the loader's reason, where it is not installed). */
class CapstoneTest {
    private Disassembler dis;

    @BeforeEach
    void load() {
        var d = Disassembler.capstone();
        assumeTrue(d.isPresent(), "assumption: Capstone unavailable: " + Disassembler.unavailableReason());
        dis = d.get();
    }

    private static byte[] hex(String h) { return HexFormat.of().parseHex(h); }

    @Test
    void repInsbAndIcebp() {
        List<Disassembler.Insn> insns = dis.disassemble(hex("f36cf1"), 0x1000, 64, 10);
        assertEquals(2, insns.size());
        assertEquals("rep insb byte ptr [rdi], dx", insns.get(0).text());
        assertEquals(0x1000, insns.get(0).address());
        assertArrayEquals(hex("f36c"), insns.get(0).bytes());
        assertEquals("int1", insns.get(1).text());
        assertEquals(0x1002, insns.get(1).address());
    }

    @Test
    void modesChangeDecoding() {
        // b8 imm: mov eax, imm32 in 32-bit mode, mov ax, imm16 in 16-bit mode.
        assertEquals("mov eax, 0x12345678", dis.disassemble(hex("b878563412"), 0, 32, 1).getFirst().text());
        assertEquals("mov ax, 0x5678", dis.disassemble(hex("b87856"), 0, 16, 1).getFirst().text());
        // 48 is REX.W in 64-bit mode but "dec eax" in 32-bit mode.
        assertEquals("dec eax", dis.disassemble(hex("48"), 0, 32, 1).getFirst().text());
    }

    @Test
    void limitsAndBadInput() {
        assertEquals(1, dis.disassemble(hex("909090"), 0, 64, 1).size());
        assertTrue(dis.disassemble(new byte[0], 0, 64, 5).isEmpty());
        assertTrue(dis.disassemble(hex("0f"), 0, 64, 5).isEmpty(), "truncated opcode decodes to nothing");
        assertThrows(IllegalArgumentException.class, () -> dis.disassemble(hex("90"), 0, 8, 1));
    }
}
