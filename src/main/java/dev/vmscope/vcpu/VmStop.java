package dev.vmscope.vcpu;

/** How a vCPU ends the VM. The first stop wins; later ones are ignored. */
public interface VmStop {
    /** Stops the VM with process status {@code status}; {@code fatal} carries the diagnostic for crash dumps. */
    void stop(int status, String message, Fatal fatal);

    boolean stopping();

    /** What made the VM stop abnormally, for the diagnostic and the crash dump. */
    record Fatal(int vcpu, String kind, String detail, dev.vmscope.hypervisor.VcpuExit exit) {}
}
