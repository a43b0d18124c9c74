package dev.vmscope.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Every system call vmscope makes goes through ONE FFM downcall: glibc's variadic {@code syscall(2)} with
 * errno captured. Each downcall handle costs a generated stub at start-up (tens of milliseconds), so one
 * handle instead of ten is most of vmscope's start-up budget. Numbers: arch/x86/entry/syscalls/syscall_64.tbl.
 * Failures throw {@link SyscallException} naming the call. This package is the only user of restricted FFM methods.
 */
public final class Libc {
    private Libc() {}

    public static final int O_RDWR = 2, O_CLOEXEC = 0x80000;
    public static final int PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    /** madvise(2) advice: back the range with transparent huge pages where possible. */
    public static final int MADV_HUGEPAGE = 14;
    public static final int SIG_BLOCK = 0;
    /** The kernel's sigset_t is 64 bits on x86_64 (rt_sigprocmask's sigsetsize). */
    private static final long KERNEL_SIGSET = 8;
    private static final long AT_FDCWD = -100;

    private static final long SYS_PREAD64 = 17, SYS_CLOSE = 3, SYS_MMAP = 9, SYS_MUNMAP = 11, SYS_RT_SIGPROCMASK = 14, SYS_IOCTL = 16,
            SYS_MADVISE = 28,
            SYS_GETPID = 39, SYS_RT_SIGTIMEDWAIT = 128, SYS_GETTID = 186, SYS_TGKILL = 234, SYS_OPENAT = 257;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** Per-thread errno capture buffer, so concurrent vCPU threads never share one. */
    private static final ThreadLocal<MemorySegment> CAPTURED =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE));

    private static final class Syscall {
        static final MethodHandle H;

        static {
            Linker linker = Linker.nativeLinker();
            MemorySegment sym = linker.defaultLookup().find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("libc: syscall"));
            H = linker.downcallHandle(sym,
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                    Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        }
    }

    /** syscall(nr, a..f); returns the result, or -errno on failure. */
    private static long sys(long nr, long a, long b, long c, long d, long e, long f) {
        try {
            MemorySegment cap = CAPTURED.get();
            long r = (long) Syscall.H.invokeExact(cap, nr, a, b, c, d, e, f);
            return r == -1 ? -(int) ERRNO.get(cap, 0L) : r;
        } catch (Throwable t) {
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error err) throw err;
            throw new IllegalStateException(t);
        }
    }

    private static long check(String what, long r) {
        if (r < 0) throw new SyscallException(what, (int) -r);
        return r;
    }

    public static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            return (int) check("open " + path, sys(SYS_OPENAT, AT_FDCWD, a.allocateFrom(path).address(), flags, 0, 0, 0));
        }
    }

    public static void close(int fd) { sys(SYS_CLOSE, fd, 0, 0, 0, 0, 0); }

    /** ioctl with a pointer argument; returns the non-negative result or throws naming {@code name}. */
    public static int ioctl(int fd, String name, long request, MemorySegment arg) {
        return (int) check(name, sys(SYS_IOCTL, fd, request, arg.address(), 0, 0, 0));
    }

    /** ioctl with an integer argument; returns the non-negative result or throws naming {@code name}. */
    public static int ioctl(int fd, String name, long request, long arg) {
        return (int) check(name, sys(SYS_IOCTL, fd, request, arg, 0, 0, 0));
    }

    /** ioctl with an integer argument reporting failure as {@code -errno} (KVM_RUN's EINTR is not an error). */
    public static int ioctlRaw(int fd, long request, long arg) { return (int) sys(SYS_IOCTL, fd, request, arg, 0, 0, 0); }

    /** ioctl that reports failure as {@code -errno} instead of throwing. */
    public static int ioctlRaw(int fd, long request, MemorySegment arg) {
        return (int) sys(SYS_IOCTL, fd, request, arg.address(), 0, 0, 0);
    }

    /** pread(2) into {@code buf}; returns the bytes read or throws naming {@code what}. */
    public static long pread(int fd, MemorySegment buf, long offset, String what) {
        return check(what, sys(SYS_PREAD64, fd, buf.address(), buf.byteSize(), offset, 0, 0));
    }

    /**
     * Maps {@code size} bytes as a segment owned by {@code owner}: closing the arena first makes every view of
     * the mapping unusable (a late access throws IllegalStateException instead of touching unmapped memory),
     * then unmaps it.
     */
    public static MemorySegment mmap(long size, int prot, int flags, int fd, String what, Arena owner) {
        long p = check("mmap " + what, sys(SYS_MMAP, 0, size, prot, flags, fd, 0));
        return MemorySegment.ofAddress(p).reinterpret(size, owner, seg -> sys(SYS_MUNMAP, p, size, 0, 0, 0, 0));
    }

    /**
     * As {@link #mmap} for private anonymous memory, but starting on an {@code align} boundary (a power of
     * two): maps size + align, then unmaps the unaligned head and the tail.
     */
    public static MemorySegment mmapAligned(long size, long align, int prot, int flags, String what, Arena owner) {
        long total = size + align;
        long raw = check("mmap " + what, sys(SYS_MMAP, 0, total, prot, flags, -1, 0));
        long p = (raw + align - 1) & -align;
        if (p > raw) sys(SYS_MUNMAP, raw, p - raw, 0, 0, 0, 0);
        if (raw + total > p + size) sys(SYS_MUNMAP, p + size, raw + total - (p + size), 0, 0, 0, 0);
        return MemorySegment.ofAddress(p).reinterpret(size, owner, seg -> sys(SYS_MUNMAP, p, size, 0, 0, 0, 0));
    }

    /** madvise(2); returns 0 or -errno (advice is best effort, so the caller decides whether to care). */
    public static long madvise(MemorySegment range, int advice) {
        return sys(SYS_MADVISE, range.address(), range.byteSize(), advice, 0, 0, 0);
    }

    public static int gettid() { return (int) sys(SYS_GETTID, 0, 0, 0, 0, 0, 0); }

    public static int getpid() { return (int) sys(SYS_GETPID, 0, 0, 0, 0, 0, 0); }

    /** Sends {@code sig} to one thread of this process; a thread that has gone is not an error. */
    public static void tgkill(int tid, int sig) { sys(SYS_TGKILL, getpid(), tid, sig, 0, 0, 0); }

    /** Blocks {@code sig} in the calling thread and returns the kernel's 64-bit mask with it unblocked. */
    public static long blockSignalInThisThread(int sig) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocateFrom(ValueLayout.JAVA_LONG, 1L << (sig - 1));
            MemorySegment old = a.allocate(ValueLayout.JAVA_LONG);
            check("rt_sigprocmask", sys(SYS_RT_SIGPROCMASK, SIG_BLOCK, set.address(), old.address(), KERNEL_SIGSET, 0, 0));
            return old.get(ValueLayout.JAVA_LONG, 0) & ~(1L << (sig - 1));
        }
    }

    /** Consumes a pending (blocked) {@code sig} in the calling thread, without waiting. */
    public static void drainSignal(int sig) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocateFrom(ValueLayout.JAVA_LONG, 1L << (sig - 1));
            MemorySegment zero = a.allocate(16); // struct timespec {0, 0}
            while (sys(SYS_RT_SIGTIMEDWAIT, set.address(), 0, zero.address(), KERNEL_SIGSET, 0, 0) == sig) {
                // one pending instance consumed; look again
            }
        }
    }
}
