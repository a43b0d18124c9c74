package dev.vmscope.kvm;

import dev.vmscope.hypervisor.CpuState.Segment;
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
    private static final long DT_BASE = off(Layouts.DTABLE, "base"), DT_LIMIT = off(Layouts.DTABLE, "limit");
    private static final long BITMAP = off(Layouts.SREGS, "interrupt_bitmap");

    /** struct kvm_segment field offsets, from the layout StructLayoutTest checks against <linux/kvm.h>. */
    private static final long BASE = segOff("base"), LIMIT = segOff("limit"), SELECTOR = segOff("selector"),
            TYPE = segOff("type"), PRESENT = segOff("present"), DPL = segOff("dpl"), DB = segOff("db"), S = segOff("s"),
            L = segOff("l"), G = segOff("g"), AVL = segOff("avl"), UNUSABLE = segOff("unusable");

    private static long segOff(String field) { return off(Layouts.SEGMENT, field); }

    static Segment readSeg(MemorySegment s, long o) {
        java.util.function.LongPredicate b = x -> s.get(ValueLayout.JAVA_BYTE, o + x) != 0;
        int attrs = Segment.attributesOf(s.get(ValueLayout.JAVA_BYTE, o + TYPE) & 0xff, b.test(S),
                s.get(ValueLayout.JAVA_BYTE, o + DPL) & 3, b.test(PRESENT), b.test(AVL), b.test(L), b.test(DB), b.test(G),
                b.test(UNUSABLE));
        return new Segment(s.get(ValueLayout.JAVA_SHORT, o + SELECTOR) & 0xffff, s.get(ValueLayout.JAVA_LONG, o + BASE),
                Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT, o + LIMIT)), attrs);
    }

    static void writeSeg(MemorySegment s, long o, Segment g) {
        s.set(ValueLayout.JAVA_LONG, o + BASE, g.base());
        s.set(ValueLayout.JAVA_INT, o + LIMIT, (int) g.limit());
        s.set(ValueLayout.JAVA_SHORT, o + SELECTOR, (short) g.selector());
        s.set(ValueLayout.JAVA_BYTE, o + TYPE, (byte) g.type());
        s.set(ValueLayout.JAVA_BYTE, o + DPL, (byte) g.dpl());
        long[] at = {PRESENT, DB, S, L, G, AVL, UNUSABLE};
        boolean[] v = {g.present(), g.db(), g.s(), g.l(), g.g(), g.avl(), g.unusable()};
        for (int i = 0; i < at.length; i++) s.set(ValueLayout.JAVA_BYTE, o + at[i], (byte) (v[i] ? 1 : 0));
    }

    static Sregs read(MemorySegment s) {
        Segment[] g = new Segment[8];
        for (int i = 0; i < 8; i++) g[i] = readSeg(s, i * SEG_SIZE);
        long[] c = new long[7];
        for (int i = 0; i < 7; i++) c[i] = s.get(ValueLayout.JAVA_LONG, CR0 + 8L * i);
        long[] bm = new long[4];
        for (int i = 0; i < 4; i++) bm[i] = s.get(ValueLayout.JAVA_LONG, BITMAP + 8L * i);
        return new Sregs(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7],
                new DTable(s.get(ValueLayout.JAVA_LONG, GDT + DT_BASE), s.get(ValueLayout.JAVA_SHORT, GDT + DT_LIMIT) & 0xffff),
                new DTable(s.get(ValueLayout.JAVA_LONG, IDT + DT_BASE), s.get(ValueLayout.JAVA_SHORT, IDT + DT_LIMIT) & 0xffff),
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], bm);
    }

    static void write(MemorySegment s, Sregs r) {
        Segment[] g = {r.cs(), r.ds(), r.es(), r.fs(), r.gs(), r.ss(), r.tr(), r.ldt()};
        for (int i = 0; i < 8; i++) writeSeg(s, i * SEG_SIZE, g[i]);
        s.set(ValueLayout.JAVA_LONG, GDT + DT_BASE, r.gdt().base());
        s.set(ValueLayout.JAVA_SHORT, GDT + DT_LIMIT, (short) r.gdt().limit());
        s.set(ValueLayout.JAVA_LONG, IDT + DT_BASE, r.idt().base());
        s.set(ValueLayout.JAVA_SHORT, IDT + DT_LIMIT, (short) r.idt().limit());
        long[] c = {r.cr0(), r.cr2(), r.cr3(), r.cr4(), r.cr8(), r.efer(), r.apicBase()};
        for (int i = 0; i < 7; i++) s.set(ValueLayout.JAVA_LONG, CR0 + 8L * i, c[i]);
        long[] bm = r.interruptBitmap();
        for (int i = 0; i < 4; i++) s.set(ValueLayout.JAVA_LONG, BITMAP + 8L * i, bm[i]);
    }
}
