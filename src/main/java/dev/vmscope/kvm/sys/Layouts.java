package dev.vmscope.kvm.sys;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Struct layouts from include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h (x86_64).
 * StructLayoutTest compiles a C program against the system headers and checks every size and offset.
 */
public final class Layouts {
    private Layouts() {}

    public static long off(GroupLayout l, String... path) {
        MemoryLayout.PathElement[] p = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) p[i] = MemoryLayout.PathElement.groupElement(path[i]);
        return l.byteOffset(p);
    }

    public static final StructLayout USER_MEMORY_REGION = structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"), JAVA_LONG.withName("userspace_addr")).withName("kvm_userspace_memory_region");

    public static final StructLayout REGS = structLayout(
            JAVA_LONG.withName("rax"), JAVA_LONG.withName("rbx"), JAVA_LONG.withName("rcx"), JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"), JAVA_LONG.withName("rdi"), JAVA_LONG.withName("rsp"), JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"), JAVA_LONG.withName("r9"), JAVA_LONG.withName("r10"), JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"), JAVA_LONG.withName("r13"), JAVA_LONG.withName("r14"), JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"), JAVA_LONG.withName("rflags")).withName("kvm_regs");

    public static final StructLayout SEGMENT = structLayout(
            JAVA_LONG.withName("base"), JAVA_INT.withName("limit"), JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"), JAVA_BYTE.withName("dpl"), JAVA_BYTE.withName("db"),
            JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"), JAVA_BYTE.withName("g"), JAVA_BYTE.withName("avl"),
            JAVA_BYTE.withName("unusable"), JAVA_BYTE.withName("padding")).withName("kvm_segment");

    public static final StructLayout DTABLE = structLayout(
            JAVA_LONG.withName("base"), JAVA_SHORT.withName("limit"), paddingLayout(6)).withName("kvm_dtable");

    public static final StructLayout SREGS = structLayout(
            SEGMENT.withName("cs"), SEGMENT.withName("ds"), SEGMENT.withName("es"), SEGMENT.withName("fs"),
            SEGMENT.withName("gs"), SEGMENT.withName("ss"), SEGMENT.withName("tr"), SEGMENT.withName("ldt"),
            DTABLE.withName("gdt"), DTABLE.withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"), JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"), JAVA_LONG.withName("apic_base"),
            sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap")).withName("kvm_sregs");

    public static final StructLayout FPU = structLayout(
            sequenceLayout(128, JAVA_BYTE).withName("fpr"), JAVA_SHORT.withName("fcw"), JAVA_SHORT.withName("fsw"),
            JAVA_BYTE.withName("ftwx"), JAVA_BYTE.withName("pad1"), JAVA_SHORT.withName("last_opcode"),
            JAVA_LONG.withName("last_ip"), JAVA_LONG.withName("last_dp"), sequenceLayout(256, JAVA_BYTE).withName("xmm"),
            JAVA_INT.withName("mxcsr"), JAVA_INT.withName("pad2")).withName("kvm_fpu");

    public static final StructLayout MSR_ENTRY = structLayout(
            JAVA_INT.withName("index"), JAVA_INT.withName("reserved"), JAVA_LONG.withName("data")).withName("kvm_msr_entry");

    public static final StructLayout CPUID_ENTRY2 = structLayout(
            JAVA_INT.withName("function"), JAVA_INT.withName("index"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"), JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"),
            sequenceLayout(3, JAVA_INT).withName("padding")).withName("kvm_cpuid_entry2");

    public static final StructLayout VCPU_EVENTS = structLayout(
            JAVA_BYTE.withName("exception_injected"), JAVA_BYTE.withName("exception_nr"),
            JAVA_BYTE.withName("exception_has_error_code"), JAVA_BYTE.withName("exception_pending"),
            JAVA_INT.withName("exception_error_code"),
            JAVA_BYTE.withName("interrupt_injected"), JAVA_BYTE.withName("interrupt_nr"),
            JAVA_BYTE.withName("interrupt_soft"), JAVA_BYTE.withName("interrupt_shadow"),
            JAVA_BYTE.withName("nmi_injected"), JAVA_BYTE.withName("nmi_pending"), JAVA_BYTE.withName("nmi_masked"),
            JAVA_BYTE.withName("nmi_pad"), JAVA_INT.withName("sipi_vector"), JAVA_INT.withName("flags"),
            JAVA_BYTE.withName("smi_smm"), JAVA_BYTE.withName("smi_pending"), JAVA_BYTE.withName("smi_smm_inside_nmi"),
            JAVA_BYTE.withName("smi_latched_init"), JAVA_BYTE.withName("triple_fault_pending"),
            sequenceLayout(26, JAVA_BYTE).withName("reserved"),
            JAVA_BYTE.withName("exception_has_payload"), JAVA_LONG.withName("exception_payload")).withName("kvm_vcpu_events");

    public static final StructLayout GUEST_DEBUG = structLayout(
            JAVA_INT.withName("control"), JAVA_INT.withName("pad"),
            sequenceLayout(8, JAVA_LONG).withName("debugreg")).withName("kvm_guest_debug");

    public static final StructLayout PIT_CONFIG = structLayout(
            JAVA_INT.withName("flags"), sequenceLayout(15, JAVA_INT).withName("pad")).withName("kvm_pit_config");

    public static final StructLayout ENABLE_CAP = structLayout(
            JAVA_INT.withName("cap"), JAVA_INT.withName("flags"), sequenceLayout(4, JAVA_LONG).withName("args"),
            sequenceLayout(64, JAVA_BYTE).withName("pad")).withName("kvm_enable_cap");

    public static final StructLayout MSR_FILTER_RANGE = structLayout(
            JAVA_INT.withName("flags"), JAVA_INT.withName("nmsrs"), JAVA_INT.withName("base"), paddingLayout(4),
            ADDRESS.withName("bitmap")).withName("kvm_msr_filter_range");

    public static final StructLayout MSR_FILTER = structLayout(
            JAVA_INT.withName("flags"), paddingLayout(4), sequenceLayout(16, MSR_FILTER_RANGE).withName("ranges"))
            .withName("kvm_msr_filter");

    public static final StructLayout IRQ_LEVEL = structLayout(
            JAVA_INT.withName("irq"), JAVA_INT.withName("level")).withName("kvm_irq_level");

    /** struct kvm_run, with the exit union (256 bytes at offset 32) described by the per-exit layouts below. */
    public static final StructLayout RUN = structLayout(
            JAVA_BYTE.withName("request_interrupt_window"), JAVA_BYTE.withName("immediate_exit"), paddingLayout(6),
            JAVA_INT.withName("exit_reason"), JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"), JAVA_SHORT.withName("flags"), JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("apic_base"), sequenceLayout(256, JAVA_BYTE).withName("exit"),
            JAVA_LONG.withName("kvm_valid_regs"), JAVA_LONG.withName("kvm_dirty_regs"),
            sequenceLayout(2048, JAVA_BYTE).withName("s")).withName("kvm_run");

    public static final long RUN_EXIT = off(RUN, "exit");

    public static final StructLayout EXIT_IO = structLayout(
            JAVA_BYTE.withName("direction"), JAVA_BYTE.withName("size"), JAVA_SHORT.withName("port"),
            JAVA_INT.withName("count"), JAVA_LONG.withName("data_offset"));

    public static final StructLayout EXIT_MMIO = structLayout(
            JAVA_LONG.withName("phys_addr"), sequenceLayout(8, JAVA_BYTE).withName("data"),
            JAVA_INT.withName("len"), JAVA_BYTE.withName("is_write"), paddingLayout(3));

    public static final StructLayout EXIT_DEBUG = structLayout(
            JAVA_INT.withName("exception"), JAVA_INT.withName("pad"), JAVA_LONG.withName("pc"),
            JAVA_LONG.withName("dr6"), JAVA_LONG.withName("dr7"));

    public static final StructLayout EXIT_FAIL_ENTRY = structLayout(
            JAVA_LONG.withName("hardware_entry_failure_reason"), JAVA_INT.withName("cpu"), paddingLayout(4));

    public static final StructLayout EXIT_INTERNAL = structLayout(
            JAVA_INT.withName("suberror"), JAVA_INT.withName("ndata"), sequenceLayout(16, JAVA_LONG).withName("data"));

    /** The emulation-failure view of the internal-error union member (KVM_INTERNAL_ERROR_EMULATION with flags). */
    public static final StructLayout EXIT_EMULATION_FAILURE = structLayout(
            JAVA_INT.withName("suberror"), JAVA_INT.withName("ndata"), JAVA_LONG.withName("flags"),
            JAVA_BYTE.withName("insn_size"), sequenceLayout(15, JAVA_BYTE).withName("insn_bytes"));

    public static final StructLayout EXIT_SYSTEM_EVENT = structLayout(
            JAVA_INT.withName("type"), JAVA_INT.withName("ndata"), sequenceLayout(16, JAVA_LONG).withName("data"));

    public static final StructLayout EXIT_MSR = structLayout(
            JAVA_BYTE.withName("error"), paddingLayout(7), JAVA_INT.withName("reason"),
            JAVA_INT.withName("index"), JAVA_LONG.withName("data"));

    public static final StructLayout EXIT_EX = structLayout(JAVA_INT.withName("exception"), JAVA_INT.withName("error_code"));

    public static final StructLayout EXIT_HYPERCALL = structLayout(
            JAVA_LONG.withName("nr"), sequenceLayout(6, JAVA_LONG).withName("args"), JAVA_LONG.withName("ret"),
            JAVA_INT.withName("longmode"), JAVA_INT.withName("pad"));
}
