package dev.vmscope.explain.report;

import dev.vmscope.disasm.Disassembler;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Instruction bytes from a paste (QEMU's "Code=... <0f> aa ...", bhyve's "[0x0f 0xae ...]"), disassembled in place. */
final class CodeBytes {
    static final String CAPSTONE = "Capstone 4 (libcapstone.so.4), Intel syntax";

    private CodeBytes() {}

    /** Bytes from the marked one on (QEMU marks the byte at RIP with <..>); empty when there is no valid marker. */
    static byte[] fromQemu(String code) {
        int lt = code.indexOf('<');
        if (lt < 0) return hex(code);
        return hex(code.substring(lt).replace("<", "").replace(">", ""));
    }

    /** Hex byte pairs separated by spaces, "0x" prefixes allowed; stops at the first token that is not a byte. */
    static byte[] hex(String s) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (String t : s.strip().split("[\\s,]+")) {
            String b = t.startsWith("0x") || t.startsWith("0X") ? t.substring(2) : t;
            if (b.length() % 2 != 0 || !b.matches("[0-9a-fA-F]{2,30}")) break;
            o.writeBytes(HexFormat.of().parseHex(b));
            if (o.size() > 64) break;
        }
        return o.toByteArray();
    }

    /** The first instructions at the start of {@code code}, "bytes: text", or empty if Capstone is missing. */
    static Optional<List<String>> disassemble(byte[] code, int bits, int max) {
        if (code.length == 0) return Optional.of(List.of());
        Optional<Disassembler> d = Disassembler.capstone();
        if (d.isEmpty()) return Optional.empty();
        List<String> out = new ArrayList<>();
        for (Disassembler.Insn i : d.get().disassemble(code, 0, bits, max)) {
            out.add(HexFormat.ofDelimiter(" ").formatHex(i.bytes()) + ": " + i.text());
        }
        return Optional.of(out);
    }

    static String unavailable() { return Disassembler.unavailableReason(); }
}
