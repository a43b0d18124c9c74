package dev.vmscope.devices.virtio;

import static dev.vmscope.virtio.queue.MockDriver.Seg.in;
import static dev.vmscope.virtio.queue.MockDriver.Seg.out;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.devices.RecordingIrq;
import dev.vmscope.devices.pci.PciConfigSpace;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.virtio.queue.Descriptor;
import dev.vmscope.virtio.queue.SplitQueue;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The modern virtio-pci transport: configuration space and capabilities, status machine, interrupts, hostile drivers. */
class VirtioPciTest {
    static final long RAM = 1 << 20;
    final Arena arena = Arena.ofShared();   // vCPU threads share guest RAM
    final GuestMemory mem = GuestMemory.allocate(arena, RAM);
    final RecordingIrq irq = new RecordingIrq();
    final List<String> faults = new ArrayList<>();
    /** A device that returns every chain with 1 byte written. */
    final VirtioDevice echo = new VirtioDevice() {
        @Override public int deviceId() { return 9; }
        @Override public long deviceFeatures() { return 1L << 3; }
        @Override public int queueCount() { return 2; }
        @Override public int queueMaxSize(int index) { return 64; }
        @Override public int configSize() { return 4; }
        @Override public int readConfig(int offset) { return 0x10 + offset; }
        @Override public boolean process(int index, SplitQueue q, GuestMemory m) throws dev.vmscope.virtio.queue.VirtqueueException {
            boolean any = false;
            for (var c = q.pop(); c.isPresent(); c = q.pop()) { q.addUsed(c.get().head(), 1); any = true; }
            return any;
        }
    };
    final VirtioPci pci = new VirtioPci(echo, mem, irq, VirtioPci.CLASS_OTHER);
    final PciDriver driver = new PciDriver(pci, mem, 0x40000, 16);

    { pci.setFaultListener(faults::add); }

    @AfterEach void close() { arena.close(); }

    int cfg(int off, int size) { return pci.configRead(off, size); }

    /** Capabilities by cfg_type, found by walking the list from 0x34 as Linux's pci_find_capability does. */
    Map<Integer, Integer> capabilities() {
        Map<Integer, Integer> caps = new HashMap<>();
        int seen = 0;
        for (int at = cfg(0x34, 1); at != 0; at = cfg(at + 1, 1)) {
            assertTrue(++seen < 48, "capability list ends");
            assertEquals(0x09, cfg(at, 1), "vendor-specific capability");
            assertEquals(0, at & 3, "dword aligned");
            caps.putIfAbsent(cfg(at + 3, 1), at);
        }
        return caps;
    }

    @Test void identityAndCapabilityLayout() {
        assertEquals(0x1af4, cfg(0, 2));
        assertEquals(0x1040 + 9, cfg(2, 2));
        assertEquals(1, cfg(8, 1), "revision 1: non-transitional");
        assertEquals(0x10, cfg(6, 2) & 0x10, "capabilities list");
        assertEquals(1, cfg(0x3d, 1), "INTA");
        assertTrue(cfg(0x2e, 2) >= 0x40, "subsystem id >= 0x40 (4.1.2.1)");
        Map<Integer, Integer> caps = capabilities();
        assertEquals(List.of(1, 2, 3, 4, 5), caps.keySet().stream().sorted().toList());
        record Expect(int type, int offset, int minLength) { }
        for (Expect e : List.of(new Expect(1, 0, 56), new Expect(2, 0x3000, 8), new Expect(3, 0x1000, 1), new Expect(4, 0x2000, 4))) {
            int at = caps.get(e.type());
            assertEquals(VirtioPci.BAR, cfg(at + 4, 1));
            assertEquals(e.offset(), cfg(at + 8, 4));
            assertTrue(cfg(at + 12, 4) >= e.minLength());
            assertTrue(e.offset() + cfg(at + 12, 4) <= VirtioPci.BAR_SIZE, "inside the BAR");
        }
        assertEquals(20, cfg(caps.get(2) + 2, 1), "notify cap carries notify_off_multiplier");
        assertEquals(4, cfg(caps.get(2) + 16, 4));
        // Capabilities are read-only; BAR sizing works (all ones reads back the size mask).
        pci.configWrite(caps.get(1) + 8, 4, 0x1234);
        assertEquals(0, cfg(caps.get(1) + 8, 4));
        pci.configWrite(0x10, 4, -1);
        assertEquals((int) -VirtioPci.BAR_SIZE, cfg(0x10, 4));
    }

    @Test void featureNegotiationNeedsVersion1AndASubset() {
        long offered = driver.deviceFeatures();
        assertEquals(Virtio.bit(Virtio.F_VERSION_1) | Virtio.bit(Virtio.F_RING_EVENT_IDX) | Virtio.bit(Virtio.F_RING_INDIRECT_DESC) | 8, offered);
        assertFalse(driver.negotiate(8), "a legacy driver (no VERSION_1) is refused");
        driver.setStatus(0);
        driver.setStatus(Virtio.S_ACKNOWLEDGE | Virtio.S_DRIVER);
        driver.driverFeatures(offered | 1L << 40);
        driver.setStatus(Virtio.S_ACKNOWLEDGE | Virtio.S_DRIVER | Virtio.S_FEATURES_OK);
        assertEquals(0, driver.status() & Virtio.S_FEATURES_OK, "a feature not offered is refused");
        assertTrue(driver.negotiate(-1L));
        driver.driverFeatures(0);
        assertEquals(offered, driver.common(CommonConfig.DRIVER_FEATURE, 4) << 32 | readDriverLow(), "features are fixed after FEATURES_OK");
        assertEquals(2, driver.common(CommonConfig.NUM_QUEUES, 2));
        assertEquals(0xffff, driver.common(CommonConfig.MSIX_CONFIG, 2), "no MSI-X");
        driver.common(CommonConfig.QUEUE_SELECT, 2, 1);
        assertEquals(64, driver.common(CommonConfig.QUEUE_SIZE, 2));
        assertEquals(1, driver.common(CommonConfig.QUEUE_NOTIFY_OFF, 2));
        driver.common(CommonConfig.QUEUE_SELECT, 2, 7);
        assertEquals(0, driver.common(CommonConfig.QUEUE_SIZE, 2), "a queue that does not exist has size 0");
    }

    private long readDriverLow() {
        driver.common(CommonConfig.DRIVER_FEATURE_SELECT, 4, 0);
        long lo = driver.common(CommonConfig.DRIVER_FEATURE, 4);
        driver.common(CommonConfig.DRIVER_FEATURE_SELECT, 4, 1);
        return lo;
    }

    @Test void usedBuffersRaiseIntxUntilTheIsrIsRead() {
        pci.configWrite(PciConfigSpace.COMMAND, 2, PciConfigSpace.CMD_MEMORY | PciConfigSpace.CMD_MASTER);
        driver.start(~Virtio.bit(Virtio.F_RING_EVENT_IDX));   // every used buffer interrupts
        driver.ring.add(out(0x1000, 1));
        assertFalse(irq.level, "nothing is served before the notify");
        driver.notifyQueue(0);
        assertEquals(1, driver.ring.usedIdx());
        assertTrue(irq.level);
        assertEquals(0x08, cfg(PciConfigSpace.STATUS, 2) & 0x08, "PCI interrupt status");
        assertEquals(1, driver.isr(), "ISR bit 0: used buffer");
        assertFalse(irq.level, "reading the ISR clears it");
        assertEquals(0, driver.isr());
        // INTx disabled in the command register masks the line but not the ISR.
        pci.configWrite(PciConfigSpace.COMMAND, 2, PciConfigSpace.CMD_MEMORY | PciConfigSpace.CMD_INTX_DISABLE);
        driver.ring.add(out(0x1000, 1));
        driver.notifyQueue(0);
        assertFalse(irq.level);
        pci.configWrite(PciConfigSpace.COMMAND, 2, PciConfigSpace.CMD_MEMORY);
        assertTrue(irq.level, "unmasking shows the pending interrupt");
        assertEquals(1, driver.isr());
    }

    @Test void nothingIsServedBeforeDriverOkAndDriverOkServesThePending() {
        assertTrue(driver.negotiate(-1L));
        driver.setUpQueue();
        driver.ring.add(out(0x1000, 1));
        driver.notifyQueue(0);
        assertEquals(0, driver.ring.usedIdx());
        driver.driverOk();
        assertEquals(1, driver.ring.usedIdx());
    }

    @Test void aHostileChainSetsNeedsResetUntilTheDriverResets() {
        driver.start(-1L);
        driver.ring.writeDesc(driver.ring.desc, 0, 0x1000, 4, Descriptor.F_NEXT, 0);   // self-loop
        driver.ring.publish(0);
        driver.notifyQueue(0);
        assertEquals(Virtio.S_DEVICE_NEEDS_RESET, driver.status() & Virtio.S_DEVICE_NEEDS_RESET);
        assertEquals(2, driver.isr() & 2, "configuration change interrupt (2.1.2)");
        assertEquals(1, faults.size());
        assertTrue(faults.getFirst().contains("queue 0") && faults.getFirst().contains("loop"), faults.getFirst());
        driver.notifyQueue(0);
        assertEquals(1, faults.size(), "a broken device serves nothing more");
        driver.setStatus(0);
        assertEquals(0, driver.status());
        assertEquals(0, driver.common(CommonConfig.QUEUE_ENABLE, 2), "reset disables the queues");
        PciDriver fresh = new PciDriver(pci, mem, 0x60000, 16);
        fresh.start(-1L);
        fresh.ring.add(out(0x1000, 1));
        fresh.notifyQueue(0);
        assertEquals(1, fresh.ring.usedIdx(), "works again after a reset");
    }

    @Test void aQueueOutsideRamNeedsAReset() {
        assertTrue(driver.negotiate(-1L));
        driver.common(CommonConfig.QUEUE_SELECT, 2, 0);
        driver.common(CommonConfig.QUEUE_SIZE, 2, 16);
        driver.common(CommonConfig.QUEUE_DESC, 8, RAM - 64);
        driver.common(CommonConfig.QUEUE_ENABLE, 2, 1);
        assertEquals(0, driver.common(CommonConfig.QUEUE_ENABLE, 2));
        assertNotEquals(0, driver.status() & Virtio.S_DEVICE_NEEDS_RESET);
        assertTrue(pci.lastFault().contains("outside guest RAM"), pci.lastFault());
        driver.common(CommonConfig.QUEUE_SIZE, 2, 3);
        assertEquals(3, driver.common(CommonConfig.QUEUE_SIZE, 2));
    }

    @Test void thePciConfigurationWindowReachesTheBar() {
        int at = capabilities().get(5);
        pci.configWrite(at + 4, 1, VirtioPci.BAR);
        pci.configWrite(at + 8, 4, CommonConfig.NUM_QUEUES);
        pci.configWrite(at + 12, 4, 2);
        assertEquals(2, cfg(at + 16, 4) & 0xffff, "num_queues through the window");
        pci.configWrite(at + 8, 4, VirtioPci.DEVICE_CFG + 1);
        pci.configWrite(at + 12, 4, 1);
        assertEquals(0x11, cfg(at + 16, 4) & 0xff);
        pci.configWrite(at + 8, 4, CommonConfig.DEVICE_STATUS);
        pci.configWrite(at + 16, 1, Virtio.S_ACKNOWLEDGE);
        assertEquals(Virtio.S_ACKNOWLEDGE, driver.status());
        pci.configWrite(at + 4, 1, 3);   // another BAR: not forwarded
        pci.configWrite(at + 16, 1, 0);
        assertEquals(Virtio.S_ACKNOWLEDGE, driver.status());
    }

    /** vCPUs notifying at once: every chain is used exactly once (the transport serialises queue service). */
    @Test void concurrentNotifiesServeEachChainOnce() throws InterruptedException {
        PciDriver d = new PciDriver(pci, mem, 0x40000, 64);
        d.start(-1L);
        for (int i = 0; i < 64; i++) d.ring.add(out(0x1000 + i, 1));
        Thread[] vcpus = new Thread[4];
        for (int t = 0; t < vcpus.length; t++) {
            vcpus[t] = new Thread(() -> { for (int i = 0; i < 50; i++) d.notifyQueue(0); });
            vcpus[t].start();
        }
        for (Thread t : vcpus) t.join();
        assertEquals(64, d.ring.usedIdx());
        java.util.Set<Integer> heads = new java.util.HashSet<>();
        for (int i = 0; i < 64; i++) heads.add(d.ring.used(i).id());
        assertEquals(64, heads.size(), "each head once");
        assertEquals(0, d.status() & Virtio.S_DEVICE_NEEDS_RESET);
    }

    /** Random configuration and BAR accesses never throw and never hang. */
    @Test void randomAccessesAreHarmless() {
        Random rnd = new Random(7);
        int n = Integer.getInteger("vmscope.fuzz.virtio-pci", 200_000);
        int[] sizes = {1, 2, 4, 8, 3, 0};
        for (int i = 0; i < n; i++) {
            int size = sizes[rnd.nextInt(sizes.length)];
            switch (rnd.nextInt(4)) {
                case 0 -> pci.configWrite(rnd.nextInt(256), Math.clamp(size, 1, 4), rnd.nextInt());
                case 1 -> pci.configRead(rnd.nextInt(256), Math.clamp(size, 1, 4));
                case 2 -> driver.bar.write(rnd.nextInt(0x4100) & ~(rnd.nextBoolean() ? 0 : 0x3fc0), size,
                        rnd.nextInt(3) == 0 ? rnd.nextInt(RAM_PAGES) * 4096L : rnd.nextLong());
                default -> driver.bar.read(rnd.nextInt(0x4100), size);
            }
        }
    }

    static final int RAM_PAGES = (int) (RAM / 4096);
}
