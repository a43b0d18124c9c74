package dev.vmscope.debug;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RspPacketCodecTest {
    private static List<RspPacketCodec.Event> feed(RspPacketCodec c, String wire) {
        List<RspPacketCodec.Event> out = new ArrayList<>();
        byte[] b = wire.getBytes(StandardCharsets.ISO_8859_1);
        c.feed(b, 0, b.length, out::add);
        return out;
    }

    private static String text(RspPacketCodec.Event e) { return assertInstanceOf(RspPacketCodec.Packet.class, e).text(); }

    @Test
    void framesChecksumsAndAcks() {
        RspPacketCodec c = new RspPacketCodec(4096);
        List<RspPacketCodec.Event> ev = feed(c, "+$g#67-\u0003$m1000,4#8e");
        assertEquals(5, ev.size());
        assertInstanceOf(RspPacketCodec.Ack.class, ev.get(0));
        assertEquals("g", text(ev.get(1)));
        assertInstanceOf(RspPacketCodec.Nak.class, ev.get(2));
        assertInstanceOf(RspPacketCodec.Interrupt.class, ev.get(3));
        assertEquals("m1000,4", text(ev.get(4)));
    }

    @Test
    void badChecksumIsCorruptAndTheNextPacketStillWorks() {
        RspPacketCodec c = new RspPacketCodec(4096);
        List<RspPacketCodec.Event> ev = feed(c, "$g#00$g#zz$?#3f");
        assertEquals(3, ev.size());
        assertInstanceOf(RspPacketCodec.Corrupt.class, ev.get(0));
        assertInstanceOf(RspPacketCodec.Corrupt.class, ev.get(1));
        assertEquals("?", text(ev.get(2)));
    }

    @Test
    void splitAcrossReadsAndRestartOnDollar() {
        RspPacketCodec c = new RspPacketCodec(4096);
        assertEquals(0, feed(c, "$qSup").size());
        assertEquals(true, c.midPacket());
        List<RspPacketCodec.Event> ev = feed(c, "$?#3f");  // truncated packet abandoned, next one parsed
        assertEquals("?", text(ev.get(0)));
    }

    @Test
    void escapesAndRunLengthDecode() {
        RspPacketCodec c = new RspPacketCodec(4096);
        // "0* " is '0' repeated 3 more times (' ' = 32, 32 - 29 = 3); "}\u0003" is '#' (0x23 ^ 0x20 = 0x03).
        String body = "X0* }\u0003";
        int sum = 0;
        for (char ch : body.toCharArray()) sum += ch;
        List<RspPacketCodec.Event> ev = feed(c, "$" + body + "#" + String.format("%02x", sum & 0xff));
        assertEquals("X0000#", text(ev.get(0)));
    }

    @Test
    void oversizedPacketsAreRejectedEvenWhenRunLengthExpands() {
        RspPacketCodec c = new RspPacketCodec(64);
        String big = "A".repeat(100);
        int sum = 100 * 'A';
        assertInstanceOf(RspPacketCodec.Corrupt.class, feed(c, "$" + big + "#" + String.format("%02x", sum & 0xff)).get(0));
        String rle = "A*~A*~"; // 1 + 97 + 1 + 97 bytes
        sum = 0;
        for (char ch : rle.toCharArray()) sum += ch;
        assertInstanceOf(RspPacketCodec.Corrupt.class, feed(c, "$" + rle + "#" + String.format("%02x", sum & 0xff)).get(0));
        assertEquals("?", text(feed(c, "$?#3f").get(0)));
    }

    @Test
    void encodeEscapesSpecialBytesAndRoundTrips() {
        byte[] payload = {'a', '$', '#', '}', '*', 0, (byte) 0xff};
        byte[] wire = RspPacketCodec.encode(payload);
        RspPacketCodec c = new RspPacketCodec(4096);
        List<RspPacketCodec.Event> ev = new ArrayList<>();
        c.feed(wire, 0, wire.length, ev::add);
        assertEquals(1, ev.size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(payload, ((RspPacketCodec.Packet) ev.get(0)).payload());
        assertEquals("$OK#9a", new String(RspPacketCodec.encode("OK"), StandardCharsets.ISO_8859_1));
    }
}
