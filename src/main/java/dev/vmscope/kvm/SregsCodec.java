package dev.vmscope.kvm;

import dev.vmscope.kvm.sys.Layouts;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.vmscope.kvm.sys.Layouts.off;

/** Converts struct kvm_sregs to and from {@link Sregs}. */
final class SregsCodec {
    private SregsCodec() {}

    private static final String[] SEGS = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"};
    private static final long SEG_SIZE = Layouts.SEGMENT.byteSize();
    private static final long GDT = off(Layouts.SREGS, "gdt"), IDT = off(Layouts.SREGS, "idt");
    private static final long CR0 = off(Layouts.SREGS, "cr0");
    private static final long BITMAP = off(Layouts.SREGS, "interrupt_bitmap");

    static Segment readSeg(MemorySegment s, long o) {
        java.util.function.LongPredicate b = x -> s.get(ValueLayout.JAVA_BYTE, o + x) != 0;
        return new Segment(s.get(ValueLayout.JAVA_LONG, o), s.get(ValueLayout.JAVA_INT, o + 8),
                s.get(ValueLayout.JAVA_SHORT, o + 12) & 0xffff, s.get(ValueLayout.JAVA_BYTE, o + 14) & 0xff,
                b.test(15), s.get(ValueLayout.JAVA_BYTE, o + 16) & 3, b.test(17), b.test(18), b.test(19), b.test(20),
                b.test(21), b.test(22));
    }

    static void writeSeg(MemorySegment s, long o, Segment g) {
        s.set(ValueLayout.JAVA_LONG, o, g.base());
        s.set(ValueLayout.JAVA_INT, o + 8, g.limit());
        s.set(ValueLayout.JAVA_SHORT, o + 12, (short) g.selector());
        byte[] v = {(byte) g.type(), bit(g.present()), (byte) g.dpl(), bit(g.db()), bit(g.s()), bit(g.l()), bit(g.g()),
                bit(g.avl()), bit(g.unusable()), 0};
        for (int i = 0; i < v.length; i++) s.set(ValueLayout.JAVA_BYTE, o + 14 + i, v[i]);
    }

    private static byte bit(boolean b) { return (byte) (b ? 1 : 0); }

    static Sregs read(MemorySegment s) {
        Segment[] g = new Segment[8];
        for (int i = 0; i < 8; i++) g[i] = readSeg(s, i * SEG_SIZE);
        long[] c = new long[7];
        for (int i = 0; i < 7; i++) c[i] = s.get(ValueLayout.JAVA_LONG, CR0 + 8L * i);
        long[] bm = new long[4];
        for (int i = 0; i < 4; i++) bm[i] = s.get(ValueLayout.JAVA_LONG, BITMAP + 8L * i);
        return new Sregs(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7],
                new DTable(s.get(ValueLayout.JAVA_LONG, GDT), s.get(ValueLayout.JAVA_SHORT, GDT + 8) & 0xffff),
                new DTable(s.get(ValueLayout.JAVA_LONG, IDT), s.get(ValueLayout.JAVA_SHORT, IDT + 8) & 0xffff),
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], bm);
    }

    static void write(MemorySegment s, Sregs r) {
        Segment[] g = {r.cs(), r.ds(), r.es(), r.fs(), r.gs(), r.ss(), r.tr(), r.ldt()};
        for (int i = 0; i < 8; i++) writeSeg(s, i * SEG_SIZE, g[i]);
        s.set(ValueLayout.JAVA_LONG, GDT, r.gdt().base());
        s.set(ValueLayout.JAVA_SHORT, GDT + 8, (short) r.gdt().limit());
        s.set(ValueLayout.JAVA_LONG, IDT, r.idt().base());
        s.set(ValueLayout.JAVA_SHORT, IDT + 8, (short) r.idt().limit());
        long[] c = {r.cr0(), r.cr2(), r.cr3(), r.cr4(), r.cr8(), r.efer(), r.apicBase()};
        for (int i = 0; i < 7; i++) s.set(ValueLayout.JAVA_LONG, CR0 + 8L * i, c[i]);
        long[] bm = r.interruptBitmap();
        for (int i = 0; i < 4; i++) s.set(ValueLayout.JAVA_LONG, BITMAP + 8L * i, bm[i]);
    }
}
