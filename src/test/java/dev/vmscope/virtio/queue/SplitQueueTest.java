package dev.vmscope.virtio.queue;

import static dev.vmscope.virtio.queue.MockDriver.Seg.in;
import static dev.vmscope.virtio.queue.MockDriver.Seg.out;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The split virtqueue against a mock driver: well-formed chains, interrupt suppression, and hostile rings. */
class SplitQueueTest {
    static final long RAM = 1 << 20, RINGS = 0x10000;
    final Arena arena = Arena.ofConfined();
    final GuestMemory mem = GuestMemory.allocate(arena, RAM);
    final MockDriver driver = new MockDriver(mem, RINGS, 8);
    final SplitQueue q = driver.configure(new SplitQueue(16));

    @AfterEach void close() { arena.close(); }

    SplitQueue enabled(boolean eventIdx, boolean indirect) throws VirtqueueException {
        q.enable(mem, eventIdx, indirect);
        return q;
    }

    DescriptorChain pop() throws VirtqueueException { return q.pop().orElseThrow(); }

    String fault() {
        return assertThrows(VirtqueueException.class, () -> q.pop()).getMessage();
    }

    @Test void directChainSplitsReadableAndWritable() throws VirtqueueException {
        enabled(false, false);
        assertTrue(q.pop().isEmpty(), "nothing available yet");
        int head = driver.add(in(0x1000, 16), in(0x2000, 512), out(0x3000, 512), out(0x4000, 1));
        DescriptorChain c = pop();
        assertEquals(head, c.head());
        assertEquals(4, c.descriptors());
        assertEquals(List.of(new Buffers.Piece(0x1000, 16), new Buffers.Piece(0x2000, 512)), c.readable().pieces());
        assertEquals(513, c.writable().length());
        assertTrue(q.pop().isEmpty(), "one chain, popped once");
        q.addUsed(head, 513);
        assertEquals(1, driver.usedIdx());
        assertEquals(new MockDriver.Used(head, 513), driver.used(0));
    }

    @Test void buffersAreOneStreamAcrossPieces() throws VirtqueueException {
        enabled(false, false);
        mem.write(0x1000, new byte[] {1, 2, 3});
        mem.write(0x2000, new byte[] {4, 5});
        driver.add(in(0x1000, 3), in(0x2000, 2), out(0x5000, 2), out(0x6000, 3));
        DescriptorChain c = pop();
        assertArrayEquals(new byte[] {3, 4}, c.readable().read(mem, 2, 2));
        c.writable().write(mem, 1, new byte[] {9, 8, 7});
        assertEquals(8, mem.readByte(0x6000));
        assertEquals(9, mem.readByte(0x5001));
        assertEquals(List.of(new Buffers.Piece(0x5001, 1), new Buffers.Piece(0x6000, 1)), c.writable().sub(1, 2).pieces());
        assertThrows(IndexOutOfBoundsException.class, () -> c.writable().sub(4, 2));
    }

    @Test void indirectTablesAreExpandedAfterDirectDescriptors() throws VirtqueueException {
        enabled(false, true);
        int head = driver.addIndirect(0x8000, in(0x1000, 16), out(0x3000, 512), out(0x4000, 1));
        DescriptorChain c = pop();
        assertEquals(head, c.head());
        assertEquals(16, c.readable().length());
        assertEquals(513, c.writable().length());
        // Spec 2.6.5.3.2: zero or more direct descriptors followed by one indirect one.
        driver.writeDesc(driver.desc, 5, 0x1100, 8, Descriptor.F_NEXT, 6);
        driver.writeDesc(driver.desc, 6, 0x8000, 48, Descriptor.F_INDIRECT | Descriptor.F_WRITE, 0);
        driver.publish(5);
        DescriptorChain mixed = pop();
        assertEquals(24, mixed.readable().length(), "the WRITE flag on the indirect descriptor itself is ignored");
        assertEquals(5, mixed.descriptors());
    }

    @Test void wrapsAroundTheRingAndTheSixteenBitIndex() throws VirtqueueException {
        enabled(false, false);
        for (int i = 0; i < 70000; i++) {
            int head = driver.add(out(0x1000, 4));
            assertEquals(head, pop().head());
            q.addUsed(head, i & 0xff);
        }
        assertEquals(70000 & 0xffff, driver.usedIdx());
        assertEquals(new MockDriver.Used(69999 % 8, 69999 & 0xff), driver.used(69999));
    }

    @Test void interruptSuppressionWithoutEventIdx() throws VirtqueueException {
        enabled(false, false);
        q.addUsed(driver.add(out(0x1000, 1)), 1);
        assertTrue(q.needsInterrupt());
        driver.setNoInterrupt(true);
        assertFalse(q.needsInterrupt(), "VIRTQ_AVAIL_F_NO_INTERRUPT");
    }

    @Test void eventIdxInterruptsOnlyWhenUsedEventIsPassed() throws VirtqueueException {
        enabled(true, false);
        assertTrue(q.pop().isEmpty());
        assertEquals(0, driver.availEvent(), "the device asks to hear of the next chain");
        for (int i = 0; i < 3; i++) q.addUsed(driver.add(out(0x1000, 1)), 1);
        assertEquals(0, driver.availEvent(), "nothing popped yet");
        for (int i = 0; i < 3; i++) pop();
        assertEquals(3, driver.availEvent());
        driver.setUsedEvent(5);               // "interrupt me when used idx passes 5"
        assertTrue(q.needsInterrupt(), "the first decision has nothing to compare with");
        q.addUsed(0, 0);                       // used idx 4
        assertFalse(q.needsInterrupt());
        q.addUsed(1, 0);
        q.addUsed(2, 0);                       // used idx 6: crossed 5
        assertTrue(q.needsInterrupt());
        q.addUsed(3, 0);                       // 7, used_event still 5
        assertFalse(q.needsInterrupt());
    }

    @Test void enableChecksSizeAlignmentAndRam() {
        SplitQueue s = new SplitQueue(16);
        s.setSize(12);
        assertTrue(assertThrows(VirtqueueException.class, () -> s.enable(mem, false, false)).getMessage().contains("power of two"));
        s.setSize(32);
        assertThrows(VirtqueueException.class, () -> s.enable(mem, false, false), "above the maximum");
        s.setSize(0);
        assertThrows(VirtqueueException.class, () -> s.enable(mem, false, false));
        s.setSize(8);
        s.setDescTable(0x1008);
        s.setAvailRing(0x2000);
        s.setUsedRing(0x3000);
        assertTrue(assertThrows(VirtqueueException.class, () -> s.enable(mem, false, false)).getMessage().contains("16-byte aligned"));
        s.setDescTable(0x1000);
        s.setUsedRing(RAM - 8);
        assertTrue(assertThrows(VirtqueueException.class, () -> s.enable(mem, false, false)).getMessage().contains("outside guest RAM"));
        s.setUsedRing(0x3002);
        assertThrows(VirtqueueException.class, () -> s.enable(mem, false, false));
        assertFalse(s.ready());
        assertThrows(VirtqueueException.class, s::pop, "a disabled queue pops nothing");
    }

    @Test void descriptorLoopsAreCaught() throws VirtqueueException {
        enabled(false, true);
        driver.writeDesc(driver.desc, 0, 0x1000, 4, Descriptor.F_NEXT, 1);
        driver.writeDesc(driver.desc, 1, 0x1000, 4, Descriptor.F_NEXT, 0);
        driver.publish(0);
        assertTrue(fault().contains("longer than the queue size"));
        driver.writeDesc(0x8000, 0, 0x1000, 4, Descriptor.F_NEXT, 0);   // an indirect self-loop
        MockDriver d2 = new MockDriver(mem, 0x20000, 8);
        SplitQueue q2 = d2.configure(new SplitQueue(8));
        q2.enable(mem, false, true);
        d2.writeDesc(d2.desc, 0, 0x8000, 16, Descriptor.F_INDIRECT, 0);
        d2.publish(0);
        assertTrue(assertThrows(VirtqueueException.class, q2::pop).getMessage().contains("longer than its table"));
    }

    @Test void hostileIndicesAndAddressesAreErrors() throws VirtqueueException {
        enabled(false, false);
        driver.writeDesc(driver.desc, 0, 0x1000, 4, Descriptor.F_NEXT, 200);
        driver.publish(0);
        assertTrue(fault().contains("outside the queue"), "next beyond the table");
        MockDriver d = new MockDriver(mem, 0x40000, 8);
        SplitQueue s = d.configure(new SplitQueue(8));
        s.enable(mem, false, false);
        d.publish(9);
        assertTrue(assertThrows(VirtqueueException.class, s::pop).getMessage().contains("available ring entry 9"));
        s.reset();
        d.configure(s).enable(mem, false, false);
        d.setAvailIdx(9);
        assertTrue(assertThrows(VirtqueueException.class, s::pop).getMessage().contains("more than the queue size"));
        s.reset();
        d.setAvailIdx(0);
        d.configure(s).enable(mem, false, false);
        d.add(out(RAM - 4, 8));
        assertTrue(assertThrows(VirtqueueException.class, s::pop).getMessage().contains("outside guest RAM"));
        d.add(in(0x7fff_ffff_ffff_fff0L, 0xffff_ffffL));
        assertThrows(VirtqueueException.class, s::pop, "an address that wraps is outside RAM too");
    }

    @Test void badOrderAndBadIndirectDescriptorsAreErrors() throws VirtqueueException {
        enabled(false, false);
        driver.add(out(0x1000, 4), in(0x2000, 4));
        assertTrue(fault().contains("device-readable buffer follows"));
        int[][] cases = {
            {0x8000, 16, Descriptor.F_INDIRECT | Descriptor.F_NEXT},
            {0x8000, 20, Descriptor.F_INDIRECT},
            {0x8000, 0, Descriptor.F_INDIRECT},
            {(int) RAM - 16, 32, Descriptor.F_INDIRECT},
        };
        for (int[] c : cases) {
            MockDriver d = new MockDriver(mem, 0x40000, 8);
            SplitQueue s = d.configure(new SplitQueue(8));
            s.enable(mem, false, true);
            d.writeDesc(d.desc, 0, c[0], c[1], c[2], 1);
            d.publish(0);
            assertThrows(VirtqueueException.class, s::pop, "flags " + c[2] + " len " + c[1]);
        }
        // Nested indirect, and indirect without the feature.
        MockDriver d = new MockDriver(mem, 0x40000, 8);
        SplitQueue s = d.configure(new SplitQueue(8));
        s.enable(mem, false, true);
        d.writeDesc(0x8000, 0, 0x9000, 16, Descriptor.F_INDIRECT, 0);
        d.writeDesc(d.desc, 0, 0x8000, 16, Descriptor.F_INDIRECT, 0);
        d.publish(0);
        assertTrue(assertThrows(VirtqueueException.class, s::pop).getMessage().contains("holds an indirect"));
        s.reset();
        d.configure(s).enable(mem, false, false);
        d.setAvailIdx(0);
        d.publish(0);
        assertTrue(assertThrows(VirtqueueException.class, s::pop).getMessage().contains("not negotiated"));
    }

    /** Random rings: pop either returns chains inside RAM or throws VirtqueueException; nothing else, and it ends. */
    @Test void randomRingsNeverEscape() {
        int rounds = Integer.getInteger("vmscope.fuzz.virtqueue", 20000);
        Random rnd = new Random(42);
        for (int round = 0; round < rounds; round++) {
            int size = 1 << rnd.nextInt(4);
            MockDriver d = new MockDriver(mem, 0x40000, size);
            SplitQueue s = d.configure(new SplitQueue(size));
            try {
                s.enable(mem, rnd.nextBoolean(), rnd.nextBoolean());
            } catch (VirtqueueException e) {
                fail(e);
            }
            for (int i = 0; i < size; i++) {
                long addr = rnd.nextInt(4) == 0 ? rnd.nextLong() : rnd.nextInt((int) RAM);
                d.writeDesc(d.desc, i, addr, rnd.nextInt(3) == 0 ? rnd.nextInt() & 0xffffffffL : rnd.nextInt(64),
                        rnd.nextInt(8), rnd.nextInt(size + 2));
            }
            for (int i = 0; i < size; i++) {
                if (rnd.nextInt(4) == 0) d.writeDesc(d.desc, i, 0x8000, 16L * rnd.nextInt(5), Descriptor.F_INDIRECT | rnd.nextInt(2), 0);
            }
            for (int i = 0; i < 4; i++)
                d.writeDesc(0x8000, i, rnd.nextInt((int) RAM), rnd.nextInt(64), rnd.nextInt(8), rnd.nextInt(6));
            for (int i = 0; i < size; i++) mem.writeU16(d.avail + 4 + 2L * i, rnd.nextInt(size + 1));
            d.setAvailIdx(rnd.nextInt(size + 2));
            try {
                for (int i = 0; i < size + 2; i++) {
                    var c = s.pop();
                    if (c.isEmpty()) break;
                    for (var p : c.get().readable().pieces()) assertTrue(mem.isRam(p.gpa(), p.len()));
                    for (var p : c.get().writable().pieces()) assertTrue(mem.isRam(p.gpa(), p.len()));
                    s.addUsed(c.get().head(), 0);
                }
            } catch (VirtqueueException expected) {
                // a hostile ring is a queue error, nothing worse
            }
        }
    }
}
