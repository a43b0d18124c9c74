package dev.vmscope.machine;

import dev.vmscope.kvm.VcpuFd;

/** What the boot CPU's registers must be when the guest starts. */
interface BootPlan {
    void applyTo(VcpuFd bsp);
}
