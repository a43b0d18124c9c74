package dev.vmscope.kvm;

import dev.vmscope.hypervisor.CpuState.Segment;

/** Segment and control registers (struct kvm_sregs). */
public record Sregs(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss, Segment tr, Segment ldt,
                    DTable gdt, DTable idt, long cr0, long cr2, long cr3, long cr4, long cr8, long efer,
                    long apicBase, long[] interruptBitmap) {
    public Sregs {
        interruptBitmap = interruptBitmap.clone();
    }

    @Override public long[] interruptBitmap() { return interruptBitmap.clone(); }

    public Sregs withSegments(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss) {
        return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase, interruptBitmap);
    }

    public Sregs withControl(long cr0, long cr3, long cr4, long efer) {
        return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase, interruptBitmap);
    }

    public Sregs withTables(DTable gdt, DTable idt, Segment tr, Segment ldt) {
        return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase, interruptBitmap);
    }
}
