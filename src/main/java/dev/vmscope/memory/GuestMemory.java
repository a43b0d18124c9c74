package dev.vmscope.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Guest-physical RAM, reached only through bounds-checked segments. Every access names a guest-physical
 * address and length; one that is not wholly inside a single RAM region throws
 * {@link GuestMemoryException} instead of touching host memory. Who allocates the backing (mmap for KVM,
 * an arena in tests) is not this class's concern.
 */
public final class GuestMemory {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final List<MemoryRegion> regions;

    public GuestMemory(List<MemoryRegion> regions) {
        List<MemoryRegion> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(MemoryRegion::gpa));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).gpa() < sorted.get(i - 1).end())
                throw new IllegalArgumentException("overlapping guest RAM regions");
        }
        this.regions = List.copyOf(sorted);
    }

    /** Heap-free RAM for tests and tools: one region at gpa 0 of {@code size} bytes, zeroed. */
    public static GuestMemory allocate(Arena arena, long size) {
        return new GuestMemory(List.of(new MemoryRegion(0, arena.allocate(size, 4096))));
    }

    public List<MemoryRegion> regions() { return regions; }

    /** Total bytes of RAM. */
    public long size() { return regions.stream().mapToLong(MemoryRegion::size).sum(); }

    public boolean isRam(long gpa, long len) { return find(gpa, len) != null; }

    private MemoryRegion find(long gpa, long len) {
        for (MemoryRegion r : regions) if (r.contains(gpa, len)) return r;
        return null;
    }

    /** A view of [gpa, gpa+len) that must lie inside one region. */
    public MemorySegment slice(long gpa, long len) {
        MemoryRegion r = find(gpa, len);
        if (r == null) throw new GuestMemoryException(gpa, len);
        return r.segment().asSlice(gpa - r.gpa(), len);
    }

    public byte readByte(long gpa) { return slice(gpa, 1).get(ValueLayout.JAVA_BYTE, 0); }

    public int readU16(long gpa) { return Short.toUnsignedInt(slice(gpa, 2).get(SHORT, 0)); }

    public long readU32(long gpa) { return Integer.toUnsignedLong(slice(gpa, 4).get(INT, 0)); }

    public long readU64(long gpa) { return slice(gpa, 8).get(LONG, 0); }

    public void writeByte(long gpa, byte v) { slice(gpa, 1).set(ValueLayout.JAVA_BYTE, 0, v); }

    public void writeU16(long gpa, int v) { slice(gpa, 2).set(SHORT, 0, (short) v); }

    public void writeU32(long gpa, long v) { slice(gpa, 4).set(INT, 0, (int) v); }

    public void writeU64(long gpa, long v) { slice(gpa, 8).set(LONG, 0, v); }

    public byte[] read(long gpa, int len) {
        byte[] out = new byte[len];
        MemorySegment.copy(slice(gpa, len), ValueLayout.JAVA_BYTE, 0, out, 0, len);
        return out;
    }

    public void write(long gpa, byte[] src) { write(gpa, src, 0, src.length); }

    public void write(long gpa, byte[] src, int off, int len) {
        MemorySegment.copy(src, off, slice(gpa, len), ValueLayout.JAVA_BYTE, 0, len);
    }

    public void fill(long gpa, long len, byte value) { slice(gpa, len).fill(value); }
}
