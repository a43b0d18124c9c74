package dev.vmscope.devices.irq;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.bus.BusDevice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PicTest {
    /** Linux's init_8259A(auto_eoi = 0) sequence: ICW1-4 on both chips, vectors 0x30/0x38, all masked. */
    static void initLikeLinux(Pic8259 pic) {
        BusDevice m = pic.master(), s = pic.slave();
        m.write(1, 1, 0xff); s.write(1, 1, 0xff);
        m.write(0, 1, 0x11);   // ICW1: edge, cascade, ICW4
        m.write(1, 1, 0x30);   // ICW2: vector base
        m.write(1, 1, 0x04);   // ICW3: slave on IR2
        m.write(1, 1, 0x01);   // ICW4: 8086, normal EOI
        s.write(0, 1, 0x11);
        s.write(1, 1, 0x38);
        s.write(1, 1, 0x02);   // slave ID 2
        s.write(1, 1, 0x01);
        m.write(1, 1, 0x00);   // unmask all
        s.write(1, 1, 0x00);
    }

    @Test
    void initMaskEoiAndCascade() {
        Pic8259 pic = new Pic8259();
        List<Boolean> out = new ArrayList<>();
        pic.setOutput(out::add);
        initLikeLinux(pic);
        pic.master().write(1, 1, 0x02);               // mask IRQ1
        pic.setIrq(1, true);
        assertFalse(pic.hasInterrupt());
        pic.setIrq(12, true);                          // slave IRQ 4 -> master IRQ 2
        assertTrue(pic.hasInterrupt());
        assertEquals(0x3c, pic.acknowledge());
        pic.master().write(0, 1, 0x0a);               // OCW3: read IRR
        assertEquals(0x02, pic.master().read(0, 1), "masked IRQ1 stays requested");
        pic.master().write(0, 1, 0x0b);               // OCW3: read ISR
        assertEquals(0x04, pic.master().read(0, 1));
        pic.slave().write(0, 1, 0x0b);
        assertEquals(0x10, pic.slave().read(0, 1));
        pic.master().write(1, 1, 0x00);               // unmask IRQ1: still blocked by IRQ2 in service? No: 1 > 2
        assertEquals(0x31, pic.acknowledge(), "IRQ1 has higher priority than the in-service cascade");
        pic.master().write(0, 1, 0x20);               // non-specific EOI retires IRQ1
        pic.slave().write(0, 1, 0x20);
        pic.master().write(0, 1, 0x20);
        pic.master().write(0, 1, 0x0b);
        assertEquals(0, pic.master().read(0, 1));
        assertFalse(pic.hasInterrupt(), "edge requests were consumed");
        assertEquals(0x37, pic.acknowledge(), "nothing pending: spurious IRQ 7");
        assertEquals(List.of(false, true, false, true, false), out, "initial level, then INT per request");
    }

    @Test
    void levelTriggeredViaElcrStaysPendingUntilLowered() {
        Pic8259 pic = new Pic8259();
        initLikeLinux(pic);
        pic.elcr().write(1, 1, 0xff);                  // slave ELCR: IRQ 8 and 13 stay edge
        assertEquals(0xde, pic.elcr().read(1, 1));
        pic.setIrq(9, true);
        assertEquals(0x39, pic.acknowledge());
        pic.slave().write(0, 1, 0x20);
        pic.master().write(0, 1, 0x20);
        assertEquals(0x39, pic.acknowledge(), "still asserted");
        pic.slave().write(0, 1, 0x20);
        pic.master().write(0, 1, 0x20);
        pic.setIrq(9, false);
        assertFalse(pic.hasInterrupt());
    }

    @Test
    void autoEoiPollAndSpecialMask() {
        Pic8259 pic = new Pic8259();
        BusDevice m = pic.master();
        m.write(0, 1, 0x13); m.write(1, 1, 0x08); m.write(1, 1, 0x03);   // single, ICW4 auto-EOI, base 8
        m.write(1, 1, 0);
        pic.setIrq(3, true);
        assertEquals(0x0b, pic.acknowledge());
        m.write(0, 1, 0x0b);
        assertEquals(0, m.read(0, 1), "auto-EOI leaves ISR clear");
        pic.setIrq(3, false);
        pic.setIrq(5, true);
        m.write(0, 1, 0x0c);                            // poll
        assertEquals(0x85, m.read(0, 1));
        assertEquals(0, m.read(1, 1), "poll mode is one-shot; this reads IMR");
        // special mask mode lets a lower priority IRQ in while a higher one is in service
        m.write(0, 1, 0x11); m.write(1, 1, 0x08); m.write(1, 1, 0x01); m.write(1, 1, 0);
        pic.setIrq(1, true);
        assertEquals(0x09, pic.acknowledge());
        pic.setIrq(6, true);
        pic.setIrq(6, false);
        pic.setIrq(6, true);
        assertFalse(pic.hasInterrupt());
        m.write(1, 1, 0x02);                            // mask IRQ1 (in service)
        m.write(0, 1, 0x68);                            // OCW3: set special mask
        assertEquals(0x0e, pic.acknowledge());
    }

    @Test
    void rotationOnSpecificEoi() {
        Pic8259 pic = new Pic8259();
        initLikeLinux(pic);
        pic.master().write(0, 1, 0xe4);                 // rotate on specific EOI 4: IRQ5 now highest
        pic.setIrq(3, true);
        pic.setIrq(6, true);
        assertEquals(0x36, pic.acknowledge());
    }
}
