package dev.vmscope.sys;

/** A failed system call: names the call (e.g. KVM_SET_CPUID2) and the errno, as "KVM_SET_CPUID2: EINVAL". */
public final class SyscallException extends RuntimeException {
    private final String call;
    private final int errno;

    public SyscallException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    public String call() { return call; }

    public int errno() { return errno; }
}
