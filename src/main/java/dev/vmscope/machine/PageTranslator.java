package dev.vmscope.machine;

import dev.vmscope.arch.x86.PageWalker;
import dev.vmscope.debug.Translator;
import dev.vmscope.hypervisor.CpuState;

/**
 * Guest-virtual to guest-physical for the debugger, on a paused vCPU: vmscope's own walk of the guest's
 * page tables ({@link PageWalker}: none, 32-bit, PAE, 4- and 5-level) with that vCPU's CR0/CR3/CR4/EFER,
 * reading the tables only through bounds-checked guest memory. Like ptrace on a read-only text page, a
 * debugger write is not refused for a page the guest itself may not write.
 */
final class PageTranslator implements Translator {
    private final Machine m;

    PageTranslator(Machine m) { this.m = m; }

    @Override public Result translate(int vcpu, long gva, boolean write) {
        if (vcpu < 0 || vcpu >= m.vcpus().size()) return new Fault("no vCPU " + vcpu);
        CpuState s;
        try {
            s = m.vcpus().get(vcpu).cpu().state();
        } catch (RuntimeException e) {
            return new Fault(e.getMessage());
        }
        return switch (PageWalker.translate(m.memory(), s.cr0(), s.cr3(), s.cr4(), s.efer(), gva)) {
            case PageWalker.Mapped mapped -> new Mapped(mapped.gpa());
            case PageWalker.Fault f -> new Fault(String.format("not mapped: %s at level %d (entry at 0x%x = 0x%x)",
                    f.reason(), f.level(), f.entryAddress(), f.entry()));
        };
    }
}
