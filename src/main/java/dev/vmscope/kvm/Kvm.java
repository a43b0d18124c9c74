package dev.vmscope.kvm;

import dev.vmscope.kvm.sys.Ioctls;
import dev.vmscope.sys.SyscallException;
import dev.vmscope.kvm.sys.Layouts;
import dev.vmscope.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** The KVM system fd (/dev/kvm). See Documentation/virt/kvm/api.rst for each ioctl. */
public final class Kvm implements AutoCloseable {
    public static final String DEVICE = "/dev/kvm";
    /** KVM_API_VERSION has been 12 since Linux 2.6.22. */
    public static final int API_VERSION = 12;

    private final int fd;
    private boolean closed;

    private Kvm(int fd) { this.fd = fd; }

    public static Kvm open() {
        int fd = Libc.open(DEVICE, Libc.O_RDWR | Libc.O_CLOEXEC);
        Kvm kvm = new Kvm(fd);
        int v = kvm.apiVersion();
        if (v != API_VERSION) {
            kvm.close();
            throw new SyscallException("KVM_GET_API_VERSION returned " + v + ", expected " + API_VERSION, 0);
        }
        return kvm;
    }

    public int apiVersion() { return Libc.ioctl(fd, "KVM_GET_API_VERSION", Ioctls.KVM_GET_API_VERSION, 0L); }

    /** KVM_CHECK_EXTENSION: 0 when absent, else a capability-specific positive value. */
    public int checkExtension(int cap) {
        return Math.max(0, Libc.ioctlRaw(fd, Ioctls.KVM_CHECK_EXTENSION, cap));
    }

    public int vcpuMmapSize() { return Libc.ioctl(fd, "KVM_GET_VCPU_MMAP_SIZE", Ioctls.KVM_GET_VCPU_MMAP_SIZE, 0L); }

    /** KVM_GET_SUPPORTED_CPUID, growing the buffer while the kernel answers E2BIG. */
    public List<CpuidEntry> supportedCpuid() {
        for (int n = 64; n <= 4096; n *= 2) {
            try (Arena a = Arena.ofConfined()) {
                long esz = Layouts.CPUID_ENTRY2.byteSize();
                MemorySegment buf = a.allocate(8 + n * esz, 8);
                buf.set(ValueLayout.JAVA_INT, 0, n);
                int r = Libc.ioctlRaw(fd, Ioctls.KVM_GET_SUPPORTED_CPUID, buf);
                if (r == -7) continue; // E2BIG
                if (r < 0) throw new SyscallException("KVM_GET_SUPPORTED_CPUID", -r);
                return Cpuid.read(buf);
            }
        }
        throw new SyscallException("KVM_GET_SUPPORTED_CPUID", 7);
    }

    /** KVM_GET_MSR_INDEX_LIST: the MSRs KVM saves and restores. */
    public List<Integer> msrIndexList() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4 + 4 * 1024, 4);
            buf.set(ValueLayout.JAVA_INT, 0, 1024);
            Libc.ioctl(fd, "KVM_GET_MSR_INDEX_LIST", Ioctls.KVM_GET_MSR_INDEX_LIST, buf);
            int n = buf.get(ValueLayout.JAVA_INT, 0);
            List<Integer> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(buf.get(ValueLayout.JAVA_INT, 4 + 4L * i));
            return out;
        }
    }

    public VmFd createVm() {
        int vmfd = Libc.ioctl(fd, "KVM_CREATE_VM", Ioctls.KVM_CREATE_VM, 0L);
        return new VmFd(this, vmfd);
    }

    @Override public synchronized void close() {
        if (!closed) { closed = true; Libc.close(fd); }
    }
}
