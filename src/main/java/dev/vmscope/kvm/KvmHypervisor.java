package dev.vmscope.kvm;

import dev.vmscope.hypervisor.BackendUnavailableException;
import dev.vmscope.hypervisor.Capabilities;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.Hypervisor;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.hypervisor.VmSpec;

import java.io.PrintStream;

/** The KVM backend: /dev/kvm behind the {@link Hypervisor} contract. */
public final class KvmHypervisor implements Hypervisor {
    /** KVM_CAP_READONLY_MEM (include/uapi/linux/kvm.h). */
    private static final int CAP_READONLY_MEM = 81;

    private final Kvm kvm;
    private final PrintStream diag;
    private DebugCapabilities debug;

    private KvmHypervisor(Kvm kvm, PrintStream diag) {
        this.kvm = kvm;
        this.diag = diag;
    }

    /** Opens /dev/kvm; a {@link dev.vmscope.sys.SyscallException} (ENOENT, EACCES) when it cannot. */
    public static KvmHypervisor open(PrintStream diag) { return new KvmHypervisor(Kvm.open(), diag); }

    /** Whether /dev/kvm exists and can be opened for reading and writing by this process. */
    public static boolean usable() {
        java.nio.file.Path p = java.nio.file.Path.of(Kvm.DEVICE);
        return java.nio.file.Files.isReadable(p) && java.nio.file.Files.isWritable(p);
    }

    @Override public String name() { return "kvm"; }

    @Override public Capabilities capabilities() {
        boolean msrs = kvm.checkExtension(KvmVm.CAP_X86_USER_SPACE_MSR) > 0 && kvm.checkExtension(KvmVm.CAP_X86_MSR_FILTER) > 0;
        return new Capabilities(true, msrs, readOnlyMemory(), kvm.checkExtension(KvmVm.CAP_BINARY_STATS_FD) > 0, false);
    }

    private boolean readOnlyMemory() { return kvm.checkExtension(CAP_READONLY_MEM) > 0; }

    @Override public VirtualMachine createVm(VmSpec spec) {
        if (spec.deterministic())
            throw new BackendUnavailableException("--deterministic needs the software CPU (--accel emu): KVM runs guest "
                    + "code on the host CPU and cannot count instructions", null);
        if (!readOnlyMemory()) diag.println("vmscope: note: KVM_CAP_READONLY_MEM unavailable; read-only memory (firmware ROM) is mapped writable");
        return KvmVm.create(kvm, spec, readOnlyMemory(), debug != null && debug.softwareBreakpoints(), diag);
    }

    /** Runs the two bounded probe guests once (DebugProbe); call before {@link #createVm} to use int3 intercepts. */
    @Override public synchronized DebugCapabilities debugCapabilities() {
        if (debug == null) debug = DebugProbe.probe(kvm);
        return debug;
    }

    /** What the probes saw, for the debugger's console note. */
    @Override public String debugEvidence() { return "int3: " + DebugProbe.evidence() + "; data breakpoints: " + DebugProbe.dataEvidence(); }

    @Override public void close() { kvm.close(); }
}
