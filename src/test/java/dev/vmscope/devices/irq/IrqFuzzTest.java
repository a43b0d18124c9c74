package dev.vmscope.devices.irq;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.devices.VmControl;
import dev.vmscope.devices.acpi.AcpiPm;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Random register traffic against every controller at once: 4 vCPU threads hammer their LAPICs (MMIO,
 * MSRs, ICR, acknowledge), a device thread drives ISA lines and the IOAPIC/PIC/PIT/PM registers, and a
 * timer thread advances the fake clock so timer callbacks race with everything. Fixed seeds.
 */
class IrqFuzzTest {
    private static final int[] SIZES = {1, 2, 4, 8};
    private static final int CPU_OPS = 300_000, DEVICE_OPS = 1_200_000;

    @Test
    void millionsOfRandomAccessesNeitherThrowNorDeadlock() throws InterruptedException {
        ManualTime time = new ManualTime();
        ApicBus bus = new ApicBus();
        var opt = LocalApic.Options.defaults().withTscDeadline(() -> time.now() * 3, 3_000_000_000L);
        LocalApic[] apics = new LocalApic[4];
        for (int i = 0; i < 4; i++) apics[i] = new LocalApic(i, i == 0, bus, CpuSignals.NONE, time, time, opt);
        IoApic io = new IoApic(4, bus);
        Pic8259 pic = new Pic8259();
        pic.connect(apics[0]);
        IsaIrqRouter isa = new IsaIrqRouter(pic, io);
        Pit8254 pit = new Pit8254(isa.line(0), time, time);
        AcpiPm pm = new AcpiPm(VmControl.NONE, isa.line(9), time, time, s -> { });
        BusDevice[] devices = {io, pic.master(), pic.slave(), pic.elcr(), pit, pit.port61(), pm};
        long[] spans = {0x20, 2, 2, 2, 4, 1, AcpiPm.LENGTH};

        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicLong accesses = new AtomicLong();
        Thread[] threads = new Thread[6];
        for (int c = 0; c < 4; c++) {
            LocalApic a = apics[c];
            long seed = 1000 + c;
            threads[c] = new Thread(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                for (int i = 0; i < CPU_OPS; i++) {
                    int op = r.nextInt(16);
                    long off = r.nextInt(20) == 0 ? r.nextLong() : r.nextInt(0x1000);
                    long v = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt();
                    switch (op) {
                        case 0, 1, 2, 3 -> a.read(off, SIZES[r.nextInt(4)]);
                        case 4, 5, 6 -> a.write(off & ~0xfL, 4, v & 0xffffffffL);
                        case 7 -> a.write(off, SIZES[r.nextInt(4)], v);
                        case 8 -> { a.write(0x310, 4, v >>> 32 & 0xffffffffL); a.write(0x300, 4, v & 0xffffffffL); }
                        case 9 -> a.readMsr(0x800 + r.nextInt(0x100));
                        case 10 -> a.writeMsr(0x800 + r.nextInt(0x100), r.nextBoolean() ? v & 0xff : v);
                        case 11 -> a.writeMsr(r.nextBoolean() ? 0x1b : 0x6e0, r.nextBoolean() ? 0xfee00000L | (r.nextInt(4) << 10) : v);
                        case 12 -> a.readMsr(r.nextInt());
                        case 13 -> { if (a.hasInterrupt()) a.acknowledge(); }
                        case 14 -> a.write(0xb0, 4, 0);
                        default -> a.write(0xf0, 4, 0x100 | r.nextInt(0x100));
                    }
                    accesses.incrementAndGet();
                }
            }, "vcpu-" + c);
        }
        threads[4] = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < DEVICE_OPS; i++) {
                int d = r.nextInt(devices.length + 2);
                if (d == devices.length) isa.set(r.nextInt(18) - 1, r.nextBoolean());
                else if (d == devices.length + 1) io.setPin(r.nextInt(26) - 1, r.nextBoolean());
                else {
                    long off = r.nextInt(50) == 0 ? r.nextLong() : r.nextLong(spans[d] + 2);
                    if (r.nextBoolean()) devices[d].read(off, SIZES[r.nextInt(4)]);
                    else devices[d].write(off, SIZES[r.nextInt(4)], r.nextLong());
                }
                accesses.incrementAndGet();
            }
        }, "devices");
        threads[5] = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(8);
            for (int i = 0; i < 20_000; i++) time.advance(r.nextLong(1, 2_000_000));
        }, "clock");
        for (Thread t : threads) {
            t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
            t.setDaemon(true);
            t.start();
        }
        for (Thread t : threads) t.join(120_000);
        for (Thread t : threads) assertFalse(t.isAlive(), t.getName() + " is stuck (deadlock?)");
        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(4L * CPU_OPS + DEVICE_OPS, accesses.get());
        // the models still describe themselves and still work afterwards
        for (LocalApic a : apics) assertFalse(a.describe().isEmpty());
        assertFalse(io.describe().isEmpty() || pic.describe().isEmpty() || pit.describe().isEmpty() || pm.describe().isEmpty());
        apics[1].reset();
        apics[1].write(0xf0, 4, 0x1ff);
        apics[1].write(0xd0, 4, 0);
        apics[1].accept(DeliveryMode.FIXED, 0x99, false);
        assertTrue(apics[1].pendingVectors().contains(0x99));
    }
}
