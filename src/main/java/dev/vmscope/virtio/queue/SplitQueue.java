package dev.vmscope.virtio.queue;

import dev.vmscope.memory.GuestMemory;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The device side of one split virtqueue (virtio 1.1, 2.6). The transport configures it (size, the three
 * area addresses) while it is disabled, then {@link #enable} checks the layout; the device pops chains and
 * adds them to the used ring, then asks {@link #needsInterrupt()}. Ring layouts (spec 2.6.6, 2.6.8):
 * <pre>
 *   struct virtq_avail { le16 flags; le16 idx; le16 ring[size]; le16 used_event; }          align 2
 *   struct virtq_used  { le16 flags; le16 idx; struct { le32 id; le32 len; } ring[size];
 *                        le16 avail_event; }                                                 align 4
 *   descriptor table:  size x 16 bytes                                                      align 16
 * </pre>
 * Indices are free-running 16-bit counters; a ring slot is idx mod size. Every value read from guest
 * memory is validated; a violation is a {@link VirtqueueException} and the queue stays as it was.
 * Not thread-safe: the transport serialises a queue's users.
 */
public final class SplitQueue {
    /** The largest queue size a split virtqueue can have (spec 2.6: Queue Size up to 32768). */
    public static final int MAX_SIZE = 32768;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    static final int USED_F_NO_NOTIFY = 1;
    /** Bounds an indirect table (spec 2.6.5.3.1 allows up to len / 16 entries); Linux uses at most the queue size. */
    static final int MAX_INDIRECT = MAX_SIZE;

    private final int maxSize;
    private int size;
    private long descTable, availRing, usedRing;
    private boolean ready, eventIdx, indirect;
    private GuestMemory memory;
    private int lastAvail, nextUsed, signalledUsed;
    private boolean signalledValid;

    public SplitQueue(int maxSize) {
        if (Integer.bitCount(maxSize) != 1 || maxSize > MAX_SIZE)
            throw new IllegalArgumentException("queue size " + maxSize + " is not a power of two up to " + MAX_SIZE);
        this.maxSize = maxSize;
        reset();
    }

    /** Back to the reset state: disabled, size = max, addresses 0, indices 0 (spec 4.1.4.3.2). */
    public void reset() {
        size = maxSize;
        descTable = availRing = usedRing = 0;
        ready = eventIdx = indirect = false;
        memory = null;
        lastAvail = nextUsed = signalledUsed = 0;
        signalledValid = false;
    }

    public int maxSize() { return maxSize; }

    public int size() { return size; }

    /** The driver's queue size; checked by {@link #enable}, ignored while enabled. */
    public void setSize(int size) { if (!ready) this.size = size & 0xffff; }

    public long descTable() { return descTable; }

    public long availRing() { return availRing; }

    public long usedRing() { return usedRing; }

    public void setDescTable(long gpa) { if (!ready) descTable = gpa; }

    public void setAvailRing(long gpa) { if (!ready) availRing = gpa; }

    public void setUsedRing(long gpa) { if (!ready) usedRing = gpa; }

    public boolean ready() { return ready; }

    /** Index of the next available entry the device will pop. */
    public int lastAvail() { return lastAvail; }

    /** The device's used idx: how many chains it has returned, mod 2^16. */
    public int nextUsed() { return nextUsed; }

    /**
     * Starts using the queue: size a non-zero power of two no larger than the maximum, each area aligned as
     * 2.6 requires and wholly in guest RAM.
     * @param eventIdx VIRTIO_F_EVENT_IDX was negotiated
     * @param indirect VIRTIO_F_INDIRECT_DESC was negotiated
     */
    public void enable(GuestMemory memory, boolean eventIdx, boolean indirect) throws VirtqueueException {
        if (size == 0 || Integer.bitCount(size) != 1 || size > maxSize)
            throw new VirtqueueException("queue size " + size + " is not a power of two from 1 to " + maxSize);
        area(memory, "descriptor table", descTable, 16, (long) Descriptor.SIZE * size);
        area(memory, "available ring", availRing, 2, 6 + 2L * size);
        area(memory, "used ring", usedRing, 4, 6 + 8L * size);
        this.memory = memory;
        this.eventIdx = eventIdx;
        this.indirect = indirect;
        lastAvail = nextUsed = signalledUsed = 0;
        signalledValid = false;
        ready = true;
    }

    private static void area(GuestMemory memory, String what, long gpa, int align, long len) throws VirtqueueException {
        if ((gpa & (align - 1)) != 0)
            throw new VirtqueueException(what + " at 0x" + Long.toHexString(gpa) + " is not " + align + "-byte aligned");
        if (!memory.isRam(gpa, len))
            throw new VirtqueueException(what + " at 0x" + Long.toHexString(gpa) + "+" + len + " is outside guest RAM");
    }

    private void requireReady() throws VirtqueueException {
        if (!ready) throw new VirtqueueException("queue is not enabled");
    }

    /** The available ring's idx: how many chains the driver has made available, mod 2^16. */
    int availIdx() { return memory.readU16(availRing + 2); }

    /**
     * The next available chain, or empty when the driver has made none available since the last pop.
     * With VIRTIO_F_EVENT_IDX, asks to be notified of the next one (avail_event = the new last index).
     */
    public Optional<DescriptorChain> pop() throws VirtqueueException {
        requireReady();
        int idx = availIdx();
        int pending = (idx - lastAvail) & 0xffff;
        if (pending > size)
            throw new VirtqueueException("available idx " + idx + " is " + pending + " entries past the device's "
                    + lastAvail + ", more than the queue size " + size);
        if (pending == 0) {
            if (eventIdx) memory.writeU16(usedRing + 4 + 8L * size, lastAvail);
            return Optional.empty();
        }
        VarHandle.acquireFence(); // read the ring entry only after seeing idx (spec 2.6.13.4: driver's barrier pairs with ours)
        int head = memory.readU16(availRing + 4 + 2L * (lastAvail % size));
        DescriptorChain chain = readChain(head);
        lastAvail = (lastAvail + 1) & 0xffff;
        if (eventIdx) memory.writeU16(usedRing + 4 + 8L * size, lastAvail);
        return Optional.of(chain);
    }

    /**
     * Returns chain {@code head} to the driver with {@code written} bytes written into its writable part
     * (spec 2.6.8). The element is stored before the used idx moves, behind a release fence.
     */
    public void addUsed(int head, long written) throws VirtqueueException {
        requireReady();
        if (head < 0 || head >= size) throw new IllegalArgumentException("head " + head + " outside the queue");
        long elem = usedRing + 4 + 8L * (nextUsed % size);
        memory.writeU32(elem, head);
        memory.writeU32(elem + 4, written);
        VarHandle.releaseFence();
        nextUsed = (nextUsed + 1) & 0xffff;
        memory.writeU16(usedRing + 2, nextUsed);
    }

    /**
     * Whether the driver wants an interrupt for the used entries added since the last time this said yes
     * (spec 2.6.7.2): with VIRTIO_F_EVENT_IDX, when used idx passed used_event (vring_need_event); without,
     * unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT.
     */
    public boolean needsInterrupt() {
        if (!ready) return false;
        VarHandle.fullFence(); // the used idx store must be visible before the driver's suppression is read
        if (!eventIdx) return (memory.readU16(availRing) & AVAIL_F_NO_INTERRUPT) == 0;
        int old = signalledUsed, now = nextUsed;
        boolean valid = signalledValid;
        signalledUsed = now;
        signalledValid = true;
        if (!valid) return true;
        int usedEvent = memory.readU16(availRing + 4 + 2L * size);
        return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
    }

    private Descriptor descriptor(long table, int index) {
        long at = table + (long) Descriptor.SIZE * index;
        return new Descriptor(memory.readU64(at), memory.readU32(at + 8), memory.readU16(at + 12), memory.readU16(at + 14));
    }

    /** Walks the chain from {@code head}: loops, bad indices, bad order and memory outside RAM are errors. */
    private DescriptorChain readChain(int head) throws VirtqueueException {
        if (head >= size) throw new VirtqueueException("available ring entry " + head + " is outside the queue of " + size);
        List<Buffers.Piece> readable = new ArrayList<>(), writable = new ArrayList<>();
        int index = head, count = 0;
        while (true) {
            if (++count > size) throw new VirtqueueException("descriptor chain from " + head + " is longer than the queue size " + size + " (a loop)");
            Descriptor d = descriptor(descTable, index);
            if (d.isIndirect()) {
                count += indirectTable(d, head, readable, writable);
                break;
            }
            addPiece(d, head, readable, writable);
            if (!d.hasNext()) break;
            index = d.next();
            if (index >= size) throw new VirtqueueException("descriptor " + index + " in chain " + head + " is outside the queue of " + size);
        }
        return new DescriptorChain(head, new Buffers(readable), new Buffers(writable), count);
    }

    /** Expands an indirect table (spec 2.6.5.3); returns how many descriptors it held. */
    private int indirectTable(Descriptor d, int head, List<Buffers.Piece> readable, List<Buffers.Piece> writable)
            throws VirtqueueException {
        if (!indirect) throw new VirtqueueException("chain " + head + " uses an indirect descriptor but VIRTIO_F_INDIRECT_DESC was not negotiated");
        if (d.hasNext()) throw new VirtqueueException("chain " + head + ": a descriptor has both INDIRECT and NEXT");
        if (d.len() == 0 || d.len() % Descriptor.SIZE != 0 || d.len() / Descriptor.SIZE > MAX_INDIRECT)
            throw new VirtqueueException("chain " + head + ": indirect table length " + d.len() + " is not a multiple of 16 from 16 to " + MAX_INDIRECT * 16);
        if (!memory.isRam(d.addr(), d.len()))
            throw new VirtqueueException("chain " + head + ": indirect table at 0x" + Long.toHexString(d.addr()) + "+" + d.len() + " is outside guest RAM");
        int entries = (int) (d.len() / Descriptor.SIZE), index = 0, count = 0;
        while (true) {
            if (++count > entries) throw new VirtqueueException("indirect chain in " + head + " is longer than its table of " + entries + " (a loop)");
            Descriptor e = descriptor(d.addr(), index);
            if (e.isIndirect()) throw new VirtqueueException("chain " + head + ": an indirect table holds an indirect descriptor");
            addPiece(e, head, readable, writable);
            if (!e.hasNext()) return count;
            index = e.next();
            if (index >= entries) throw new VirtqueueException("indirect descriptor " + index + " in chain " + head + " is outside its table of " + entries);
        }
    }

    private void addPiece(Descriptor d, int head, List<Buffers.Piece> readable, List<Buffers.Piece> writable)
            throws VirtqueueException {
        if (d.len() > 0 && !memory.isRam(d.addr(), d.len()))
            throw new VirtqueueException("chain " + head + ": buffer 0x" + Long.toHexString(d.addr()) + "+" + d.len() + " is outside guest RAM");
        if (!d.isWrite() && !writable.isEmpty())
            throw new VirtqueueException("chain " + head + ": a device-readable buffer follows a device-writable one");
        if (d.len() > 0) (d.isWrite() ? writable : readable).add(new Buffers.Piece(d.addr(), d.len()));
    }
}
