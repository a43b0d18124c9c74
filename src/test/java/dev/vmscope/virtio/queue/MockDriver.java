package dev.vmscope.virtio.queue;

import dev.vmscope.memory.GuestMemory;
import java.util.List;

/**
 * Plays the guest's virtio driver for tests (rust-vmm virtio-queue's mock.rs): lays out a split queue in
 * guest memory, builds descriptor chains, publishes them and reads the used ring back. The raw writers
 * let tests build hostile rings.
 */
public final class MockDriver {
    /** One buffer a chain points at; {@code write} for device-writable. */
    public record Seg(long addr, long len, boolean write) {
        public static Seg in(long addr, long len) { return new Seg(addr, len, false); }

        public static Seg out(long addr, long len) { return new Seg(addr, len, true); }
    }

    /** A used-ring element. */
    public record Used(int id, long len) { }

    public final GuestMemory mem;
    public final int size;
    public final long desc, avail, used;
    private int nextFree, availIdx;

    /** The queue at {@code base}: descriptor table, then the available ring, the used ring at the next page. */
    public MockDriver(GuestMemory mem, long base, int size) {
        this.mem = mem;
        this.size = size;
        this.desc = base;
        this.avail = base + 16L * size;
        this.used = (avail + 6 + 2L * size + 0xfff) & ~0xfffL;
        mem.fill(base, used + 6 + 8L * size - base, (byte) 0);
    }

    /** Points {@code q} at this driver's rings and sets its size. */
    public SplitQueue configure(SplitQueue q) {
        q.setSize(size);
        q.setDescTable(desc);
        q.setAvailRing(avail);
        q.setUsedRing(used);
        return q;
    }

    public void writeDesc(long table, int index, long addr, long len, int flags, int next) {
        long at = table + 16L * index;
        mem.writeU64(at, addr);
        mem.writeU32(at + 8, len);
        mem.writeU16(at + 12, flags);
        mem.writeU16(at + 14, next);
    }

    /** Writes {@code segs} as a chain in {@code table} from {@code first}; returns the first index. */
    private int writeChain(long table, int first, int tableSize, List<Seg> segs) {
        for (int i = 0; i < segs.size(); i++) {
            Seg s = segs.get(i);
            boolean last = i == segs.size() - 1;
            int index = (first + i) % tableSize;
            writeDesc(table, index, s.addr(), s.len(), (s.write() ? Descriptor.F_WRITE : 0) | (last ? 0 : Descriptor.F_NEXT),
                    last ? 0 : (index + 1) % tableSize);
        }
        return first;
    }

    /** Adds a direct chain and makes it available; returns its head. */
    public int add(Seg... segs) {
        int head = writeChain(desc, nextFree, size, List.of(segs));
        nextFree = (nextFree + segs.length) % size;
        publish(head);
        return head;
    }

    /** Adds a chain of one indirect descriptor whose table (at {@code table}) holds {@code segs}. */
    public int addIndirect(long table, Seg... segs) {
        writeChain(table, 0, segs.length, List.of(segs));
        int head = nextFree;
        writeDesc(desc, head, table, 16L * segs.length, Descriptor.F_INDIRECT, 0);
        nextFree = (nextFree + 1) % size;
        publish(head);
        return head;
    }

    /** Puts {@code head} in the next available slot and moves avail idx. */
    public void publish(int head) {
        mem.writeU16(avail + 4 + 2L * (availIdx % size), head);
        setAvailIdx(availIdx + 1);
    }

    public void setAvailIdx(int idx) {
        availIdx = idx & 0xffff;
        mem.writeU16(avail + 2, availIdx);
    }

    public void setNoInterrupt(boolean on) { mem.writeU16(avail, on ? 1 : 0); }

    public void setUsedEvent(int idx) { mem.writeU16(avail + 4 + 2L * size, idx); }

    public int availEvent() { return mem.readU16(used + 4 + 8L * size); }

    public int usedIdx() { return mem.readU16(used + 2); }

    public Used used(int i) {
        long at = used + 4 + 8L * (i % size);
        return new Used((int) mem.readU32(at), mem.readU32(at + 4));
    }
}
