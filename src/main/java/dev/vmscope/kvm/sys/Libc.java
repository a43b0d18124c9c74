package dev.vmscope.kvm.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Every libc call vmscope makes, through FFM downcalls. Each call captures errno and throws
 * {@link KvmException} naming the call on failure. Handles are created on first use (start-up cost).
 * This package is the only place that uses restricted FFM methods.
 */
public final class Libc {
    private Libc() {}

    public static final int O_RDWR = 2, O_CLOEXEC = 0x80000;
    public static final int PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    public static final int SIG_BLOCK = 0;
    /** sizeof(sigset_t) in glibc; the kernel's own sigset is the first 8 bytes. */
    public static final int SIGSET_BYTES = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** Per-thread errno capture buffer, so concurrent vCPU threads never share one. */
    private static final ThreadLocal<MemorySegment> CAPTURED =
            ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE));

    private static MethodHandle handle(String name, FunctionDescriptor fd, Linker.Option... opts) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc: " + name));
        Linker.Option[] all = new Linker.Option[opts.length + 1];
        System.arraycopy(opts, 0, all, 0, opts.length);
        all[opts.length] = Linker.Option.captureCallState("errno");
        return LINKER.downcallHandle(sym, fd, all);
    }

    private static final class Open {
        static final MethodHandle H = handle("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
    }

    private static final class Close {
        static final MethodHandle H = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class IoctlPtr {
        static final MethodHandle H = handle("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                Linker.Option.firstVariadicArg(2));
    }

    private static final class IoctlLong {
        static final MethodHandle H = handle("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(2));
    }

    private static final class Mmap {
        static final MethodHandle MMAP = handle("mmap",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
        static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Signals {
        static final MethodHandle GETTID = handle("gettid", FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle GETPID = handle("getpid", FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle TGKILL = handle("tgkill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle SIGMASK = handle("pthread_sigmask",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SIGTIMEDWAIT = handle("sigtimedwait",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    }

    private static int errno() { return (int) ERRNO.get(CAPTURED.get(), 0L); }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    public static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) Open.H.invokeExact(CAPTURED.get(), a.allocateFrom(path), flags);
            if (fd < 0) throw new KvmException("open " + path, errno());
            return fd;
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static void close(int fd) {
        try {
            int r = (int) Close.H.invokeExact(CAPTURED.get(), fd);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** ioctl with a pointer argument; returns the non-negative result or throws naming {@code name}. */
    public static int ioctl(int fd, String name, long request, MemorySegment arg) {
        int r = ioctlRaw(fd, request, arg);
        if (r < 0) throw new KvmException(name, -r);
        return r;
    }

    /** ioctl with an integer argument; returns the non-negative result or throws naming {@code name}. */
    public static int ioctl(int fd, String name, long request, long arg) {
        try {
            int r = (int) IoctlLong.H.invokeExact(CAPTURED.get(), fd, request, arg);
            if (r < 0) throw new KvmException(name, errno());
            return r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** ioctl with an integer argument reporting failure as {@code -errno} (KVM_RUN's EINTR is not an error). */
    public static int ioctlRaw(int fd, long request, long arg) {
        try {
            int r = (int) IoctlLong.H.invokeExact(CAPTURED.get(), fd, request, arg);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** ioctl that reports failure as {@code -errno} instead of throwing. */
    public static int ioctlRaw(int fd, long request, MemorySegment arg) {
        try {
            int r = (int) IoctlPtr.H.invokeExact(CAPTURED.get(), fd, request, arg);
            return r < 0 ? -errno() : r;
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** Maps {@code size} bytes and returns a segment of exactly that size. */
    public static MemorySegment mmap(long size, int prot, int flags, int fd, String what) {
        try {
            MemorySegment p = (MemorySegment) Mmap.MMAP.invokeExact(CAPTURED.get(), MemorySegment.NULL, size, prot, flags, fd, 0L);
            if (p.address() == -1L) throw new KvmException("mmap " + what, errno());
            return p.reinterpret(size);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static void munmap(MemorySegment seg) {
        try {
            int r = (int) Mmap.MUNMAP.invokeExact(CAPTURED.get(), seg, seg.byteSize());
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static int gettid() {
        try { return (int) Signals.GETTID.invokeExact(CAPTURED.get()); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int getpid() {
        try { return (int) Signals.GETPID.invokeExact(CAPTURED.get()); } catch (Throwable t) { throw rethrow(t); }
    }

    /** Sends {@code sig} to one thread of this process; a thread that has gone is not an error. */
    public static void tgkill(int tid, int sig) {
        try { int r = (int) Signals.TGKILL.invokeExact(CAPTURED.get(), getpid(), tid, sig); }
        catch (Throwable t) { throw rethrow(t); }
    }

    /** Blocks {@code sig} in the calling thread and returns the kernel's 64-bit mask with it unblocked. */
    public static long blockSignalInThisThread(int sig) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocate(SIGSET_BYTES);
            MemorySegment old = a.allocate(SIGSET_BYTES);
            set.set(ValueLayout.JAVA_LONG, 0, 1L << (sig - 1));
            int r = (int) Signals.SIGMASK.invokeExact(CAPTURED.get(), SIG_BLOCK, set, old);
            if (r != 0) throw new KvmException("pthread_sigmask", r);
            return old.get(ValueLayout.JAVA_LONG, 0) & ~(1L << (sig - 1));
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** Consumes a pending (blocked) {@code sig} in the calling thread, without waiting. */
    public static void drainSignal(int sig) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocate(SIGSET_BYTES);
            set.set(ValueLayout.JAVA_LONG, 0, 1L << (sig - 1));
            MemorySegment zero = a.allocate(16); // struct timespec {0, 0}
            while (true) {
                int r = (int) Signals.SIGTIMEDWAIT.invokeExact(CAPTURED.get(), set, MemorySegment.NULL, zero);
                if (r != sig) return;
            }
        } catch (Throwable t) { throw rethrow(t); }
    }
}
