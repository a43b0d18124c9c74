package dev.vmscope.memory;

/** An access to guest-physical memory that is not backed by guest RAM. Callers decide what that means. */
public final class GuestMemoryException extends RuntimeException {
    private final long gpa;
    private final long length;

    public GuestMemoryException(long gpa, long length) {
        super(String.format("guest-physical 0x%x+%d is outside guest RAM", gpa, length));
        this.gpa = gpa;
        this.length = length;
    }

    public long gpa() { return gpa; }

    public long length() { return length; }
}
