package dev.vmscope.disasm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Disassembler} over Capstone 4's C API. A handle is opened per call: capstone handles are not
 * thread-safe and cs_open is cheap next to formatting.
 */
final class CapstoneDisassembler implements Disassembler {
    // capstone.h (4.0.2): enum cs_arch / cs_mode values.
    private static final int CS_ARCH_X86 = 3;
    private static final int CS_MODE_16 = 1 << 1, CS_MODE_32 = 1 << 2, CS_MODE_64 = 1 << 3;

    // struct cs_insn, capstone 4 (checked with offsetof against libcapstone-dev 4.0.2 on x86-64):
    // id u32 @0, address u64 @8, size u16 @16, bytes[16] @18, mnemonic[32] @34, op_str[160] @66, detail* @232.
    static final long INSN_SIZE = 240, OFF_ADDRESS = 8, OFF_SIZE = 16, OFF_BYTES = 18, OFF_MNEMONIC = 34, OFF_OPSTR = 66;
    private static final int MNEMONIC_LEN = 32, OPSTR_LEN = 160;

    private final MethodHandle csOpen, csDisasm, csFree, csClose;

    CapstoneDisassembler(MethodHandle open, MethodHandle disasm, MethodHandle free, MethodHandle close) {
        this.csOpen = open;
        this.csDisasm = disasm;
        this.csFree = free;
        this.csClose = close;
    }

    @Override
    public List<Insn> disassemble(byte[] code, long address, int bits, int maxInsns) {
        int mode = switch (bits) {
            case 16 -> CS_MODE_16;
            case 32 -> CS_MODE_32;
            case 64 -> CS_MODE_64;
            default -> throw new IllegalArgumentException("bits must be 16, 32 or 64, not " + bits);
        };
        if (maxInsns < 0) throw new IllegalArgumentException("maxInsns < 0");
        if (code.length == 0 || maxInsns == 0) return List.of();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(ValueLayout.JAVA_LONG);
            int err = (int) csOpen.invokeExact(CS_ARCH_X86, mode, handle);
            if (err != 0) throw new IllegalStateException("cs_open failed with error " + err);
            try {
                MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, code);
                MemorySegment insnPtr = arena.allocate(ValueLayout.ADDRESS);
                long n = (long) csDisasm.invokeExact(handle.get(ValueLayout.JAVA_LONG, 0), buf, (long) code.length,
                        address, (long) maxInsns, insnPtr);
                if (n <= 0) return List.of();
                MemorySegment insns = insnPtr.get(ValueLayout.ADDRESS, 0).reinterpret(n * INSN_SIZE);
                try {
                    return read(insns, n);
                } finally {
                    csFree.invokeExact(insns, n);
                }
            } finally {
                int unused = (int) csClose.invokeExact(handle);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("capstone call failed: " + t, t);
        }
    }

    private static List<Insn> read(MemorySegment insns, long n) {
        List<Insn> out = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) {
            MemorySegment s = insns.asSlice(i * INSN_SIZE, INSN_SIZE);
            int size = Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, OFF_SIZE));
            byte[] bytes = s.asSlice(OFF_BYTES, Math.min(size, 16)).toArray(ValueLayout.JAVA_BYTE);
            out.add(new Insn(s.get(ValueLayout.JAVA_LONG, OFF_ADDRESS), bytes,
                    cString(s.asSlice(OFF_MNEMONIC, MNEMONIC_LEN)), cString(s.asSlice(OFF_OPSTR, OPSTR_LEN))));
        }
        return out;
    }

    /** NUL-terminated string within a fixed-size field (never reads past the field). */
    private static String cString(MemorySegment field) {
        byte[] b = field.toArray(ValueLayout.JAVA_BYTE);
        int len = 0;
        while (len < b.length && b[len] != 0) len++;
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }
}
