package dev.vmscope.machine;

import dev.vmscope.hypervisor.BackendUnavailableException;
import dev.vmscope.emu.EmuHypervisor;
import dev.vmscope.hypervisor.Hypervisor;
import dev.vmscope.kvm.KvmHypervisor;
import dev.vmscope.sys.SyscallException;

import java.io.PrintStream;

/**
 * Chooses the accelerator for {@code --accel} (QEMU's -accel): the only class outside the backends that names
 * them. {@code auto} takes KVM where /dev/kvm can be opened and the software CPU elsewhere, and says so.
 */
final class Backends {
    private Backends() {}

    /** @param deterministic {@code auto} then means the software CPU, the only backend that counts instructions */
    static Hypervisor open(MachineConfig.Accel accel, boolean deterministic, PrintStream diag) {
        return switch (accel) {
            case KVM -> kvm(diag);
            case EMU -> emu();
            case AUTO -> {
                if (deterministic) yield emu();
                if (KvmHypervisor.usable()) {
                    try { yield KvmHypervisor.open(diag); }
                    catch (SyscallException e) { diag.println("vmscope: note: KVM unusable (" + e.getMessage() + ")"); }
                }
                Hypervisor emu = emu();
                diag.println("vmscope: no usable /dev/kvm: running on vmscope's software x86 CPU (--accel emu)");
                yield emu;
            }
        };
    }

    private static Hypervisor kvm(PrintStream diag) {
        try {
            return KvmHypervisor.open(diag);
        } catch (SyscallException e) {
            throw new BackendUnavailableException("--accel kvm: cannot open /dev/kvm (" + e.getMessage() + "); load the kvm "
                    + "module and make /dev/kvm readable and writable for this user, or use --accel emu", e);
        }
    }

    private static Hypervisor emu() { return new EmuHypervisor(); }
}
