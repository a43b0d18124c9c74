package dev.vmscope.kvm;

import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.hypervisor.VmSpec;
import dev.vmscope.sys.SyscallException;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/** {@link VirtualMachine} on a KVM VM fd. */
final class KvmVm implements VirtualMachine {
    /** KVM_CAP_* (include/uapi/linux/kvm.h). */
    static final int CAP_SET_TSS_ADDR = 4, CAP_SET_IDENTITY_MAP_ADDR = 37, CAP_SYNC_REGS = 74,
            CAP_X86_USER_SPACE_MSR = 188, CAP_X86_MSR_FILTER = 189, CAP_SET_GUEST_DEBUG2 = 195,
            CAP_BINARY_STATS_FD = 203;
    /** KVM_MEM_READONLY (include/uapi/linux/kvm.h, struct kvm_userspace_memory_region flags bit 1). */
    private static final int MEM_READONLY = 2;
    /**
     * KVM_MSR_EXIT_REASON_INVAL (bit 0), _UNKNOWN (bit 1), _FILTER (bit 2). Without an in-kernel LAPIC, KVM
     * refuses x2APIC MSRs as invalid (arch/x86/kvm/lapic.c, kvm_x2apic_msr_read/write return 1), so INVAL
     * sends them here; IA32_APIC_BASE and IA32_TSC_DEADLINE are handled inside KVM even then and reach us
     * only when filtered (FILTER).
     */
    private static final long MSR_EXIT_REASONS = 1 | 1 << 1 | 1 << 2;
    /** IA32_APIC_BASE (0x1b) and IA32_TSC_DEADLINE (0x6e0): the Java local APIC must see them. */
    private static final int[][] APIC_MSRS = {{0x1b, 1}, {0x6e0, 1}};

    private final Kvm kvm;
    private final VmFd vm;
    private final boolean readOnlyMemory;
    private final boolean apicMsrsRouted;
    private final boolean softwareBreakpoints;
    private final Optional<KernelIrqchip> irqchip;

    private KvmVm(Kvm kvm, VmFd vm, boolean readOnlyMemory, boolean apicMsrsRouted, boolean softwareBreakpoints,
                  Optional<KernelIrqchip> irqchip) {
        this.kvm = kvm;
        this.vm = vm;
        this.readOnlyMemory = readOnlyMemory;
        this.apicMsrsRouted = apicMsrsRouted;
        this.softwareBreakpoints = softwareBreakpoints;
        this.irqchip = irqchip;
    }

    /** Creates and configures the VM; features this host lacks are noted once on {@code diag} and left out. */
    static KvmVm create(Kvm kvm, VmSpec spec, boolean readOnlyMemory, boolean softwareBreakpoints, PrintStream diag) {
        VmFd vm = kvm.createVm();
        try {
            if (kvm.checkExtension(CAP_SET_TSS_ADDR) > 0) {
                try { vm.setTssAddr(spec.tssAddress()); } catch (SyscallException e) { note(diag, "KVM_SET_TSS_ADDR", e); }
            }
            // Next to the TSS, as QEMU does (target/i386/kvm/kvm.c): KVM's default, 0xfffbc000, lies inside
            // firmware images larger than 256 KiB. Must precede vCPU creation.
            if (kvm.checkExtension(CAP_SET_IDENTITY_MAP_ADDR) > 0) {
                try { vm.setIdentityMapAddr(spec.identityMapAddress()); } catch (SyscallException e) { note(diag, "KVM_SET_IDENTITY_MAP_ADDR", e); }
            }
            Optional<KernelIrqchip> chip = Optional.empty();
            boolean routed = false;
            if (spec.kernelIrqchip()) {
                vm.createIrqchip();
                vm.createPit2();
                chip = Optional.of(new KernelIrqchip() {
                    @Override public void irqLine(int gsi, boolean level) { vm.irqLine(gsi, level); }
                    @Override public byte[] lapicPage(VirtualCpu v) { return ((KvmVcpu) v).fd().getLapic(); }
                });
            } else {
                routed = routeApicMsrs(kvm, vm, diag);
            }
            return new KvmVm(kvm, vm, readOnlyMemory, routed, softwareBreakpoints, chip);
        } catch (RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /**
     * Without the in-kernel irqchip, makes x2APIC and TSC-deadline MSR accesses exit to userspace. False when
     * this host cannot: then CPUID must not offer x2APIC or the TSC-deadline timer, or a guest using them
     * would talk to KVM's absent APIC and take #GP.
     */
    private static boolean routeApicMsrs(Kvm kvm, VmFd vm, PrintStream diag) {
        if (kvm.checkExtension(CAP_X86_USER_SPACE_MSR) <= 0 || kvm.checkExtension(CAP_X86_MSR_FILTER) <= 0) {
            diag.println("vmscope: note: this host has no userspace MSR exits or MSR filter; "
                    + "x2APIC and the TSC-deadline timer are hidden from CPUID with --irqchip user");
            return false;
        }
        try {
            vm.enableCap(CAP_X86_USER_SPACE_MSR, MSR_EXIT_REASONS);
            vm.denyMsrs(APIC_MSRS);
            return true;
        } catch (SyscallException e) {
            note(diag, "userspace APIC MSR exits (x2APIC, TSC deadline; both hidden from CPUID)", e);
            return false;
        }
    }

    private static void note(PrintStream diag, String what, SyscallException e) {
        diag.println("vmscope: note: " + what + " unavailable on this host (" + e.getMessage() + "); continuing without it");
    }

    @Override public void mapMemory(int slot, long gpa, MemorySegment host, boolean readOnly) {
        vm.setUserMemoryRegion(slot, readOnly && readOnlyMemory ? MEM_READONLY : 0, gpa, host);
    }

    @Override public void unmapMemory(int slot) { vm.setUserMemoryRegion(slot, 0, 0, MemorySegment.NULL); }

    @Override public VirtualCpu createVcpu(int id, CpuidSpec spec) {
        VcpuFd fd = vm.createVcpu(id);
        int hide = 0;
        boolean apicMsrs = irqchip.isPresent() || apicMsrsRouted;
        if (!spec.x2apic() || !apicMsrs) hide |= CpuidSetup.ECX_X2APIC;
        if (!spec.tscDeadline() || !apicMsrs) hide |= CpuidSetup.ECX_TSC_DEADLINE;
        List<CpuidEntry> cpuid = kvm.supportedCpuid();
        fd.setCpuid2(CpuidSetup.forVcpu(cpuid, id, spec.vcpuCount(), hide));
        if ((kvm.checkExtension(CAP_SYNC_REGS) & 1) != 0) fd.enableSyncRegs();
        boolean blockIrq = (kvm.checkExtension(CAP_SET_GUEST_DEBUG2) & KvmVcpu.GUESTDBG_BLOCKIRQ) != 0;
        KvmVcpu v = new KvmVcpu(fd, softwareBreakpoints, blockIrq);
        if (kvm.checkExtension(CAP_BINARY_STATS_FD) > 0) v.openStats();
        return v;
    }

    /** Whether x2APIC/TSC-deadline MSRs reach userspace (meaningful without the in-kernel irqchip). */
    boolean apicMsrsRouted() { return apicMsrsRouted; }

    @Override public Optional<KernelIrqchip> kernelIrqchip() { return irqchip; }

    @Override public void close() { vm.close(); }
}
