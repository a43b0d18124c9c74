package dev.vmscope.kvm.sys;

/**
 * KVM ioctl request numbers for x86_64, computed as <linux/kvm.h> does with _IO/_IOR/_IOW/_IOWR
 * (include/uapi/asm-generic/ioctl.h: dir in bits 30-31, size in 16-29, type 'KVMIO' 0xAE in 8-15, nr in 0-7).
 * IoctlNumbersTest checks every value against the C header.
 */
public final class Ioctls {
    private Ioctls() {}

    private static final int KVMIO = 0xAE;

    static long io(int nr) { return (KVMIO << 8) | nr; }

    static long ior(int nr, long size) { return (2L << 30) | (size << 16) | (KVMIO << 8) | nr; }

    static long iow(int nr, long size) { return (1L << 30) | (size << 16) | (KVMIO << 8) | nr; }

    static long iowr(int nr, long size) { return (3L << 30) | (size << 16) | (KVMIO << 8) | nr; }

    // system ioctls
    public static final long KVM_GET_API_VERSION = io(0x00);
    public static final long KVM_CREATE_VM = io(0x01);
    public static final long KVM_GET_MSR_INDEX_LIST = iowr(0x02, 4);
    public static final long KVM_CHECK_EXTENSION = io(0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    public static final long KVM_GET_SUPPORTED_CPUID = iowr(0x05, 8);
    // VM ioctls
    public static final long KVM_CREATE_VCPU = io(0x41);
    public static final long KVM_SET_USER_MEMORY_REGION = iow(0x46, Layouts.USER_MEMORY_REGION.byteSize());
    public static final long KVM_SET_TSS_ADDR = io(0x47);
    public static final long KVM_SET_IDENTITY_MAP_ADDR = iow(0x48, 8);
    public static final long KVM_CREATE_IRQCHIP = io(0x60);
    public static final long KVM_IRQ_LINE = iow(0x61, 8);
    public static final long KVM_IRQ_LINE_STATUS = iowr(0x67, 8);
    public static final long KVM_CREATE_PIT2 = iow(0x77, 64);
    public static final long KVM_ENABLE_CAP = iow(0xa3, 104);
    public static final long KVM_GET_STATS_FD = io(0xce);
    /** struct kvm_msr_filter: flags, pad, 16 ranges of {flags, nmsrs, base, pad, bitmap pointer} = 392 bytes. */
    public static final long KVM_X86_SET_MSR_FILTER = iow(0xc6, 392);
    // vCPU ioctls
    public static final long KVM_RUN = io(0x80);
    public static final long KVM_GET_REGS = ior(0x81, Layouts.REGS.byteSize());
    public static final long KVM_SET_REGS = iow(0x82, Layouts.REGS.byteSize());
    public static final long KVM_GET_SREGS = ior(0x83, Layouts.SREGS.byteSize());
    public static final long KVM_SET_SREGS = iow(0x84, Layouts.SREGS.byteSize());
    public static final long KVM_TRANSLATE = iowr(0x85, 24);
    public static final long KVM_INTERRUPT = iow(0x86, 4);
    public static final long KVM_GET_MSRS = iowr(0x88, 8);
    public static final long KVM_SET_MSRS = iow(0x89, 8);
    public static final long KVM_SET_SIGNAL_MASK = iow(0x8b, 4);
    public static final long KVM_GET_FPU = ior(0x8c, Layouts.FPU.byteSize());
    public static final long KVM_SET_FPU = iow(0x8d, Layouts.FPU.byteSize());
    public static final long KVM_GET_LAPIC = ior(0x8e, 1024);
    public static final long KVM_SET_LAPIC = iow(0x8f, 1024);
    public static final long KVM_SET_CPUID2 = iow(0x90, 8);
    public static final long KVM_GET_CPUID2 = iowr(0x91, 8);
    public static final long KVM_GET_MP_STATE = ior(0x98, 4);
    public static final long KVM_SET_MP_STATE = iow(0x99, 4);
    public static final long KVM_NMI = io(0x9a);
    public static final long KVM_GET_TSC_KHZ = io(0xa3);
    public static final long KVM_SET_GUEST_DEBUG = iow(0x9b, Layouts.GUEST_DEBUG.byteSize());
    public static final long KVM_GET_VCPU_EVENTS = ior(0x9f, Layouts.VCPU_EVENTS.byteSize());
    public static final long KVM_SET_VCPU_EVENTS = iow(0xa0, Layouts.VCPU_EVENTS.byteSize());
    public static final long KVM_GET_DEBUGREGS = ior(0xa1, 128);
    public static final long KVM_SET_DEBUGREGS = iow(0xa2, 128);
}
