package dev.vmscope.devices.legacy;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.memory.GuestMemory;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * pc-testdev's flush-page port at 0xe4 (length 4; QEMU hw/misc/pc-testdev.c test_flush_page). A 32-bit
 * write of a guest-physical address makes QEMU mprotect the host page behind it away and back, which
 * forces KVM to drop its mapping. Here the host mapping is never changed: the write validates that the
 * page is guest RAM and counts. Only 4-byte writes are valid, as in QEMU; reads return 0.
 */
public final class PcTestDevFlush implements BusDevice {
    public static final int LENGTH = 4;
    static final long PAGE = 4096;

    private final GuestMemory memory;
    private final AtomicLong flushes = new AtomicLong(), rejected = new AtomicLong();

    public PcTestDevFlush(GuestMemory memory) { this.memory = Objects.requireNonNull(memory, "memory"); }

    @Override public long read(long offset, int size) { return 0; }

    @Override
    public void write(long offset, int size, long value) {
        if (offset != 0 || size != 4) return;
        long page = value & 0xffffffffL & ~(PAGE - 1);
        if (memory.isRam(page, PAGE)) flushes.incrementAndGet();
        else rejected.incrementAndGet();
    }

    /** Valid flush requests seen. */
    public long flushes() { return flushes.get(); }

    /** Requests for pages that are not guest RAM. */
    public long rejected() { return rejected.get(); }
}
