package dev.vmscope.machine;

import dev.vmscope.debug.Translator;
import dev.vmscope.kvm.sys.KvmException;

/** Guest-virtual to guest-physical for the debugger, on a paused vCPU (KVM_TRANSLATE walks its page tables). */
final class PageTranslator implements Translator {
    private final Machine m;

    PageTranslator(Machine m) { this.m = m; }

    @Override public Result translate(int vcpu, long gva, boolean write) {
        if (vcpu < 0 || vcpu >= m.vcpus().size()) return new Fault("no vCPU " + vcpu);
        try {
            long[] t = m.vcpus().get(vcpu).fd().translate(gva);
            if (t == null) return new Fault("not mapped");
            if (write && t[1] == 0) return new Fault("not writable");
            return new Mapped(t[0]);
        } catch (KvmException e) {
            return new Fault(e.getMessage());
        }
    }
}
