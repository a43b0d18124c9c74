package dev.vmscope.loader;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds small kernel images in memory for loader tests: ELF32/ELF64 executables and a.out-kludge files. */
final class TestImages {
    static final long MAGIC = 0x1BADB002L;

    record Seg(long paddr, long vaddr, byte[] data, long memsz) {
        Seg(long paddr, byte[] data, long memsz) { this(paddr, paddr, data, memsz); }
    }

    record Sym(String name, long value, long size, boolean function) { }

    private TestImages() { }

    /** A multiboot header {magic, flags, checksum} (12 bytes), or with the 5 a.out address fields (32 bytes). */
    static byte[] header(long flags, long... addressFields) {
        ByteBuffer b = le(12 + 4 * addressFields.length);
        b.putInt((int) MAGIC).putInt((int) flags).putInt((int) -(MAGIC + flags));
        for (long f : addressFields) b.putInt((int) f);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    /** An x86 (EM_386 / EM_X86_64) ET_EXEC ELF file with one PT_LOAD per segment, data packed after the headers. */
    static byte[] elf(boolean is64, long entry, List<Seg> segs, List<Sym> syms) {
        int ehsize = is64 ? 64 : 52, phentsize = is64 ? 56 : 32, shentsize = is64 ? 64 : 40;
        int off = ehsize + phentsize * segs.size();
        long[] offsets = new long[segs.size()];
        for (int i = 0; i < segs.size(); i++) {
            offsets[i] = off;
            off += segs.get(i).data().length;
        }
        // Symbol and string tables, then the section headers: null, .symtab, .strtab.
        ByteArrayOutputStream strtab = new ByteArrayOutputStream();
        strtab.write(0);
        ByteBuffer symtab = le((syms.size() + 1) * (is64 ? 24 : 16));
        symtab.position(is64 ? 24 : 16);
        for (Sym s : syms) {
            int name = strtab.size();
            strtab.writeBytes((s.name() + "\0").getBytes(StandardCharsets.US_ASCII));
            int info = 0x10 | (s.function() ? 2 : 1); // STB_GLOBAL, STT_FUNC or STT_OBJECT
            if (is64) symtab.putInt(name).put((byte) info).put((byte) 0).putShort((short) 1).putLong(s.value()).putLong(s.size());
            else symtab.putInt(name).putInt((int) s.value()).putInt((int) s.size()).put((byte) info).put((byte) 0).putShort((short) 1);
        }
        long symOff = off, strOff = symOff + symtab.capacity(), shOff = strOff + strtab.size();
        boolean withSyms = !syms.isEmpty();
        int total = (int) (withSyms ? shOff + 3L * shentsize : off);
        ByteBuffer b = le(total);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), 1, 1});
        b.position(16);
        b.putShort((short) 2).putShort((short) (is64 ? 62 : 3)).putInt(1);
        if (is64) b.putLong(entry).putLong(ehsize).putLong(withSyms ? shOff : 0);
        else b.putInt((int) entry).putInt(ehsize).putInt(withSyms ? (int) shOff : 0);
        b.putInt(0).putShort((short) ehsize).putShort((short) phentsize).putShort((short) segs.size())
                .putShort((short) shentsize).putShort((short) (withSyms ? 3 : 0)).putShort((short) 0);
        for (int i = 0; i < segs.size(); i++) {
            Seg s = segs.get(i);
            b.position(ehsize + i * phentsize);
            if (is64) b.putInt(1).putInt(7).putLong(offsets[i]).putLong(s.vaddr()).putLong(s.paddr())
                    .putLong(s.data().length).putLong(s.memsz()).putLong(0x1000);
            else b.putInt(1).putInt((int) offsets[i]).putInt((int) s.vaddr()).putInt((int) s.paddr())
                    .putInt(s.data().length).putInt((int) s.memsz()).putInt(7).putInt(0x1000);
            b.position((int) offsets[i]);
            b.put(s.data());
        }
        if (withSyms) {
            b.position((int) symOff);
            b.put(symtab.array()).put(strtab.toByteArray());
            b.position((int) shOff + shentsize);
            section(b, is64, 2, symOff, symtab.capacity(), 2);
            b.position((int) shOff + 2 * shentsize);
            section(b, is64, 3, strOff, strtab.size(), 0);
        }
        return b.array();
    }

    private static void section(ByteBuffer b, boolean is64, int type, long off, long size, int link) {
        if (is64) b.putInt(0).putInt(type).putLong(0).putLong(0).putLong(off).putLong(size).putInt(link).putInt(0).putLong(8).putLong(0);
        else b.putInt(0).putInt(type).putInt(0).putInt(0).putInt((int) off).putInt((int) size).putInt(link).putInt(0).putInt(4).putInt(0);
    }

    static List<Seg> segs(Seg... s) { return new ArrayList<>(List.of(s)); }

    static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }
}
