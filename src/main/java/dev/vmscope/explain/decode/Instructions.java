package dev.vmscope.explain.decode;

import dev.vmscope.disasm.Disassembler;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code decode insn HEXBYTES... [--bits 16|32|64]}: disassembly through Capstone. */
final class Instructions {
    private Instructions() {}

    private static final int MAX_BYTES = 4096;

    static Section disassemble(DecodeRequest r) {
        if (r.values().isEmpty()) throw new DecodeException("insn needs HEXBYTES (e.g. 'f3 6c' or f36c)");
        String hex = String.join("", r.values()).replace("0x", "").replace(",", "").replace(" ", "");
        if (hex.length() % 2 != 0 || !hex.matches("[0-9a-fA-F]+")) {
            throw new DecodeException("bad instruction bytes '" + String.join(" ", r.values()) + "': expected hex byte pairs");
        }
        if (hex.length() / 2 > MAX_BYTES) throw new DecodeException("insn: at most " + MAX_BYTES + " bytes");
        byte[] code = HexFormat.of().parseHex(hex);
        String b = r.options().getOrDefault("--bits", "64");
        int bits = switch (b) {
            case "16" -> 16;
            case "32" -> 32;
            case "64" -> 64;
            default -> throw new DecodeException("--bits must be 16, 32 or 64, not '" + b + "'");
        };
        String src = "Capstone 4 (libcapstone.so.4) x86 " + bits + "-bit, Intel syntax";
        var dis = Disassembler.capstone();
        if (dis.isEmpty()) {
            return Section.of("instruction bytes " + HexFormat.ofDelimiter(" ").formatHex(code), "none",
                    Map.of("disassembly", "unavailable"), List.of(Disassembler.unavailableReason()));
        }
        var insns = dis.get().disassemble(code, 0, bits, 64);
        Map<String, String> f = new LinkedHashMap<>();
        int used = 0;
        for (var i : insns) {
            f.put(String.format("+%x", i.address()), String.format("%-24s %s", HexFormat.ofDelimiter(" ").formatHex(i.bytes()), i.text()));
            used += i.bytes().length;
        }
        List<String> notes = new ArrayList<>();
        boolean flagged = false;
        if (used < code.length) {
            notes.add((code.length - used) + " trailing byte(s) from offset +" + Integer.toHexString(used)
                    + " do not decode as a complete instruction");
            flagged = true;
        }
        return new Section("instruction bytes " + HexFormat.ofDelimiter(" ").formatHex(code) + " (" + bits + "-bit)", src,
                f, List.of(), notes, flagged);
    }
}
