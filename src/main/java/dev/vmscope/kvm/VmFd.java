package dev.vmscope.kvm;

import dev.vmscope.kvm.sys.Ioctls;
import dev.vmscope.kvm.sys.Layouts;
import dev.vmscope.sys.Libc;
import dev.vmscope.sys.NativeMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static dev.vmscope.kvm.sys.Layouts.off;

/** A VM fd: memory slots, irqchip, vCPU creation. Owns the guest RAM mappings it creates. */
public final class VmFd implements AutoCloseable {
    private final Kvm kvm;
    private final int fd;
    /** Owns every mapping of this VM: closing it invalidates all views of guest RAM before unmapping. */
    private final Arena mappings = Arena.ofShared();
    private final List<VcpuFd> vcpus = new ArrayList<>();
    private boolean closed;

    VmFd(Kvm kvm, int fd) { this.kvm = kvm; this.fd = fd; }

    public Kvm kvm() { return kvm; }

    public int checkExtension(int cap) { return Math.max(0, Libc.ioctlRaw(fd, Ioctls.KVM_CHECK_EXTENSION, cap)); }

    /** Maps anonymous host memory for guest RAM; unmapped when this VM closes. */
    public synchronized MemorySegment mapRam(long size) {
        return NativeMemory.mapAnonymous(size, mappings);
    }

    /** KVM_SET_USER_MEMORY_REGION: guest-physical [gpa, gpa + host.byteSize()) backed by {@code host}. */
    public void setUserMemoryRegion(int slot, int flags, long gpa, MemorySegment host) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(Layouts.USER_MEMORY_REGION);
            r.set(ValueLayout.JAVA_INT, off(Layouts.USER_MEMORY_REGION, "slot"), slot);
            r.set(ValueLayout.JAVA_INT, off(Layouts.USER_MEMORY_REGION, "flags"), flags);
            r.set(ValueLayout.JAVA_LONG, off(Layouts.USER_MEMORY_REGION, "guest_phys_addr"), gpa);
            r.set(ValueLayout.JAVA_LONG, off(Layouts.USER_MEMORY_REGION, "memory_size"), host.byteSize());
            r.set(ValueLayout.JAVA_LONG, off(Layouts.USER_MEMORY_REGION, "userspace_addr"), host.address());
            Libc.ioctl(fd, "KVM_SET_USER_MEMORY_REGION", Ioctls.KVM_SET_USER_MEMORY_REGION, r);
        }
    }

    /** KVM_SET_TSS_ADDR: three pages Intel VMX needs below 4 GiB for real-mode emulation. */
    public void setTssAddr(long addr) { Libc.ioctl(fd, "KVM_SET_TSS_ADDR", Ioctls.KVM_SET_TSS_ADDR, addr); }

    public void setIdentityMapAddr(long addr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(ValueLayout.JAVA_LONG, addr);
            Libc.ioctl(fd, "KVM_SET_IDENTITY_MAP_ADDR", Ioctls.KVM_SET_IDENTITY_MAP_ADDR, p);
        }
    }

    /** KVM_CREATE_IRQCHIP: in-kernel PIC, IOAPIC and local APICs. */
    public void createIrqchip() { Libc.ioctl(fd, "KVM_CREATE_IRQCHIP", Ioctls.KVM_CREATE_IRQCHIP, 0L); }

    /**
     * KVM_CREATE_PIT2 with KVM_PIT_SPEAKER_DUMMY (flags bit 0, include/uapi/linux/kvm.h): KVM then also
     * answers port 0x61 with channel 2's gate and OUT (arch/x86/kvm/i8254.c, kvm_create_pit registers
     * speaker_dev only with this flag); without it 0x61 exits unclaimed and PIT-polled delays never wait.
     */
    public void createPit2() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cfg = a.allocate(Layouts.PIT_CONFIG);
            cfg.set(ValueLayout.JAVA_INT, off(Layouts.PIT_CONFIG, "flags"), 1);
            Libc.ioctl(fd, "KVM_CREATE_PIT2", Ioctls.KVM_CREATE_PIT2, cfg);
        }
    }

    /** KVM_IRQ_LINE: sets in-kernel irqchip input {@code irq} (GSI) to {@code level}. */
    public void irqLine(int irq, boolean level) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.IRQ_LEVEL);
            s.set(ValueLayout.JAVA_INT, off(Layouts.IRQ_LEVEL, "irq"), irq);
            s.set(ValueLayout.JAVA_INT, off(Layouts.IRQ_LEVEL, "level"), level ? 1 : 0);
            Libc.ioctl(fd, "KVM_IRQ_LINE", Ioctls.KVM_IRQ_LINE, s);
        }
    }

    /** KVM_ENABLE_CAP on the VM with up to four arguments. */
    public void enableCap(int cap, long... args) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(Layouts.ENABLE_CAP);
            s.set(ValueLayout.JAVA_INT, off(Layouts.ENABLE_CAP, "cap"), cap);
            long at = off(Layouts.ENABLE_CAP, "args");
            for (int i = 0; i < args.length && i < 4; i++) s.set(ValueLayout.JAVA_LONG, at + 8L * i, args[i]);
            Libc.ioctl(fd, "KVM_ENABLE_CAP", Ioctls.KVM_ENABLE_CAP, s);
        }
    }

    /**
     * KVM_X86_SET_MSR_FILTER, default allow, with one range per {base, count} pair in which reads and writes
     * are denied: with KVM_MSR_EXIT_REASON_FILTER enabled they exit to userspace (KVM_EXIT_X86_RDMSR/WRMSR)
     * instead of being handled in the kernel (Documentation/virt/kvm/api.rst, "KVM_X86_SET_MSR_FILTER").
     */
    public void denyMsrs(int[][] ranges) {
        if (ranges.length > 16) throw new IllegalArgumentException("at most 16 MSR filter ranges");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(Layouts.MSR_FILTER);   // flags 0 = KVM_MSR_FILTER_DEFAULT_ALLOW
            long first = off(Layouts.MSR_FILTER, "ranges"), size = Layouts.MSR_FILTER_RANGE.byteSize();
            for (int i = 0; i < ranges.length; i++) {
                int count = ranges[i][1];
                MemorySegment bitmap = a.allocate((count + 7) / 8, 8);   // all zero: deny
                long r = first + size * i;
                f.set(ValueLayout.JAVA_INT, r + off(Layouts.MSR_FILTER_RANGE, "flags"), 3);   // KVM_MSR_FILTER_READ | WRITE
                f.set(ValueLayout.JAVA_INT, r + off(Layouts.MSR_FILTER_RANGE, "nmsrs"), count);
                f.set(ValueLayout.JAVA_INT, r + off(Layouts.MSR_FILTER_RANGE, "base"), ranges[i][0]);
                f.set(ValueLayout.ADDRESS, r + off(Layouts.MSR_FILTER_RANGE, "bitmap"), bitmap);
            }
            Libc.ioctl(fd, "KVM_X86_SET_MSR_FILTER", Ioctls.KVM_X86_SET_MSR_FILTER, f);
        }
    }

    public synchronized VcpuFd createVcpu(int id) {
        int vfd = Libc.ioctl(fd, "KVM_CREATE_VCPU", Ioctls.KVM_CREATE_VCPU, id);
        VcpuFd v = new VcpuFd(id, vfd, NativeMemory.mapShared(vfd, kvm.vcpuMmapSize(), "kvm_run of vCPU " + id, mappings));
        vcpus.add(v);
        return v;
    }

    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        for (VcpuFd v : vcpus) v.close();
        Libc.close(fd);
        mappings.close();
    }
}
