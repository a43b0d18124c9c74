package dev.vmscope.facts;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * bhyve's hypervisor-neutral exit codes ({@code enum vm_exitcode}, value = position in the enum).
 * Source: FreeBSD sys/amd64/include/vmm.h (freebsd-src commit 001345683da7); the handlers are in
 * sys/amd64/vmm/vmm.c (kernel) and usr.sbin/bhyve/amd64/vmexit.c (userspace).
 */
public final class BhyveExitCodes {
    private BhyveExitCodes() {}

    private static final String SRC = Sources.BHYVE_VMM_H;

    // Order matters: the value is the enum position. Checked against freebsd-src main.
    private static final String[][] ROWS = {
        {"VM_EXITCODE_INOUT", "port I/O (IN/OUT) that the kernel could not handle; u.inout has port, size, direction", "guest touching an I/O port emulated by bhyve userspace (serial, RTC, PCI config, ...)"},
        {"VM_EXITCODE_VMX", "Intel VMX exit bhyve has no generic code for; u.vmx has the raw exit reason and qualification", "unhandled VMX exit reason or a VM-entry failure (status != 0: VMLAUNCH/VMRESUME error)"},
        {"VM_EXITCODE_BOGUS", "no-op exit: the vCPU returned to userspace for housekeeping, nothing to emulate", "pending signal, rendezvous or suspend check; harmless"},
        {"VM_EXITCODE_RDMSR", "RDMSR of an MSR the kernel does not emulate; u.msr.code = ECX", "guest reading an unsupported MSR (bhyve may inject #GP)"},
        {"VM_EXITCODE_WRMSR", "WRMSR of an MSR the kernel does not emulate; u.msr has ECX and value", "guest writing an unsupported MSR"},
        {"VM_EXITCODE_HLT", "HLT; u.hlt.rflags tells whether interrupts were enabled", "idle guest; with IF=0 the vCPU halts for good"},
        {"VM_EXITCODE_MTRAP", "monitor trap: one instruction single-stepped", "debugger (bhyve gdb stub) stepping the guest"},
        {"VM_EXITCODE_PAUSE", "PAUSE exit", "guest spinning; only reported when the PAUSE capability is enabled"},
        {"VM_EXITCODE_PAGING", "nested page fault on guest RAM handled by the VM's pager; u.paging has GPA and fault type", "first touch of guest memory or a write to a copy-on-write page"},
        {"VM_EXITCODE_INST_EMUL", "memory access to a GPA not backed by RAM, needing instruction emulation (MMIO); u.inst_emul has GPA, GLA and decoded instruction", "guest MMIO to the local APIC, IOAPIC, HPET or a PCI BAR; or a stray access to unmapped guest-physical memory"},
        {"VM_EXITCODE_SPINUP_AP", "guest sent INIT/SIPI to start an application processor; u.spinup_ap has vcpu and start RIP", "SMP bring-up"},
        {"VM_EXITCODE_DEPRECATED1", "unused (was SPINDOWN_CPU)", "should never appear"},
        {"VM_EXITCODE_RENDEZVOUS", "vCPU must join a VM-wide rendezvous", "another vCPU requested a rendezvous (e.g. ioapic/vlapic update)"},
        {"VM_EXITCODE_IOAPIC_EOI", "EOI for a level-triggered vector to forward to the virtual IOAPIC", "guest acknowledging a level-triggered interrupt"},
        {"VM_EXITCODE_SUSPENDED", "VM suspended; u.suspended.how = reset, poweroff, halt or triple fault", "guest reboot/poweroff, all vCPUs halted, or a triple fault"},
        {"VM_EXITCODE_INOUT_STR", "string port I/O (INS/OUTS, possibly REP); u.inout_str has paging, index, count, segment", "guest using REP INSB/OUTSB etc. (e.g. ATA PIO)"},
        {"VM_EXITCODE_TASK_SWITCH", "hardware task switch to emulate; u.task_switch has selector and reason", "32-bit guest task gate (often a double-fault TSS)"},
        {"VM_EXITCODE_MONITOR", "MONITOR executed", "guest idle loop; bhyve injects #UD unless supported"},
        {"VM_EXITCODE_MWAIT", "MWAIT executed", "guest idle loop"},
        {"VM_EXITCODE_SVM", "AMD SVM exit bhyve has no generic code for; u.svm has the raw EXITCODE, EXITINFO1, EXITINFO2", "unhandled SVM intercept (decode u.svm.exitcode as an SVM exit code) or VMEXIT_INVALID"},
        {"VM_EXITCODE_REQIDLE", "vCPU asked to idle so userspace can do something", "VM-wide request (e.g. suspend or debug)"},
        {"VM_EXITCODE_DEBUG", "vCPU stopped for the debugger", "gdb stub suspended the vCPU"},
        {"VM_EXITCODE_VMINSN", "guest executed a VMX/SVM instruction bhyve does not emulate", "nested virtualization attempt; bhyve injects #UD"},
        {"VM_EXITCODE_BPT", "breakpoint (INT3) exit for the debugger", "gdb stub software breakpoint"},
        {"VM_EXITCODE_IPI", "IPI delivery handed to userspace (IPI exit capability)", "guest sending an IPI while VM_CAP_IPI_EXIT is on"},
        {"VM_EXITCODE_DB", "debug exception (#DB) exit for the debugger", "gdb stub single-step via RFLAGS.TF"},
    };

    private static final CodeTable TABLE = build();

    private static CodeTable build() {
        List<ExitCodeInfo> l = new ArrayList<>();
        for (int i = 0; i < ROWS.length; i++) l.add(new ExitCodeInfo(i, ROWS[i][0], ROWS[i][1], ROWS[i][2], SRC));
        return new CodeTable("bhyve VM_EXITCODE_*", l);
    }

    /** VM_EXITCODE_MAX: first value past the enum. */
    public static final int MAX = ROWS.length;

    public static CodeTable table() { return TABLE; }

    public static Optional<ExitCodeInfo> lookup(long code) { return TABLE.lookup(code); }
}
