package dev.vmscope.devices.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** PAM decoding (82441FX datasheet 3.2.18) and the change notification firmware shadowing relies on. */
class I440fxPamTest {
    @Test void resetDecodesEverythingToTheRomSide() {
        I440fxHost h = new I440fxHost();
        for (long a = 0xc0000; a < 0x100000; a += 0x4000) assertEquals(0, h.pamAttribute(a));
    }

    @Test void seaBiosMakeWritableThenReadOnlyPattern() {
        I440fxHost h = new I440fxHost();
        AtomicInteger calls = new AtomicInteger();
        h.setPamListener(calls::incrementAndGet);
        // make_bios_writable_intel: two dword writes at 0x58 and 0x5c, PAM0 = 0x30, PAM1-6 = 0x33.
        h.configWrite(0x58, 4, 0x3333_3000);
        h.configWrite(0x5c, 4, 0x3333_3333);
        assertEquals(2, calls.get());
        assertEquals(3, h.pamAttribute(0xf0000));
        assertEquals(3, h.pamAttribute(0xfffff));
        assertEquals(3, h.pamAttribute(0xc0000));
        assertEquals(3, h.pamAttribute(0xec000));
        // make_bios_readonly_intel with nothing above 0xc0000 in use: PAM0 = 0x10, first PAM1 field 0x31 -> low RW, high RE.
        h.configWrite(0x59, 1, 0x10);
        h.configWrite(0x5a, 1, 0x13);
        assertEquals(1, h.pamAttribute(0xf8000));
        assertEquals(3, h.pamAttribute(0xc0000));
        assertEquals(1, h.pamAttribute(0xc4000));
        assertEquals(0, h.pamAttribute(0xbffff));
        assertEquals(0, h.pamAttribute(0x100000));
    }

    @Test void writesElsewhereDoNotNotify() {
        I440fxHost h = new I440fxHost();
        AtomicInteger calls = new AtomicInteger();
        h.setPamListener(calls::incrementAndGet);
        h.configWrite(0x54, 4, -1);
        h.configWrite(0x60, 4, -1);
        h.configWrite(0x72, 1, 0x0a);
        assertEquals(0, calls.get());
        h.configWrite(0x5f, 1, 0x11);
        assertEquals(1, calls.get());
        assertEquals(1, h.pamAttribute(0xe8000));
        assertEquals(1, h.pamAttribute(0xec000));
    }
}
