package dev.vmscope.sys;

/** errno names and texts for messages (asm-generic/errno-base.h and errno.h, x86_64 values). */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, EBADF = 9,
            EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19,
            EINVAL = 22, ENOTTY = 25, ENOSPC = 28, ERANGE = 34, ENOSYS = 38, EOPNOTSUPP = 95;

    private Errno() {}

    public static String name(int e) {
        return switch (e) {
            case EPERM -> "EPERM"; case ENOENT -> "ENOENT"; case EINTR -> "EINTR"; case EIO -> "EIO";
            case ENXIO -> "ENXIO"; case E2BIG -> "E2BIG"; case EBADF -> "EBADF"; case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM"; case EACCES -> "EACCES"; case EFAULT -> "EFAULT"; case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST"; case ENODEV -> "ENODEV"; case EINVAL -> "EINVAL"; case ENOTTY -> "ENOTTY";
            case ENOSPC -> "ENOSPC"; case ERANGE -> "ERANGE"; case ENOSYS -> "ENOSYS"; case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "errno " + e;
        };
    }

    public static String describe(int e) {
        return switch (e) {
            case EPERM -> "operation not permitted"; case ENOENT -> "no such file or directory";
            case EINTR -> "interrupted"; case EIO -> "I/O error"; case ENXIO -> "no such device or address";
            case E2BIG -> "argument list too long"; case EBADF -> "bad file descriptor";
            case EAGAIN -> "try again"; case ENOMEM -> "out of memory"; case EACCES -> "permission denied";
            case EFAULT -> "bad address"; case EBUSY -> "device or resource busy"; case EEXIST -> "already exists";
            case ENODEV -> "no such device"; case EINVAL -> "invalid argument"; case ENOTTY -> "not supported by this device";
            case ENOSPC -> "no space left"; case ERANGE -> "out of range"; case ENOSYS -> "not implemented";
            case EOPNOTSUPP -> "operation not supported";
            default -> "unknown error";
        };
    }
}
