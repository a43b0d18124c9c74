package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile client: 10^5 random and mutated packets through codec, session and commands against the fake
 * target ({@link FakeTarget} stands in for KVM). No exception may escape; every byte we send must be an
 * ack/nak or a well-framed packet with a correct checksum.
 */
class GdbFuzzTest {
    private static final String[] VALID = {"?", "g", "p10", "p0", "p41", "m1000,10", "m0,0", "mffffffffffff0000,8", "M1000,2:abcd",
            "X1000,1:x", "Z0,1010,1", "z0,1010,1", "Z1,1020,1", "z1,1020,1", "Z2,3000,4", "z2,3000,4", "Z3,3001,3", "Z4,3008,8",
            "s", "c", "vCont?", "vCont;s:1;c", "vCont;c", "vCont;t:2", "Hg2", "Hc1", "Hg0", "T1", "qfThreadInfo", "qsThreadInfo",
            "qC", "qAttached", "qSupported:multiprocess+;swbreak+", "qXfer:features:read:target.xml:0,400",
            "qXfer:features:read:target.xml:4000,400", "qRcmd,68656c70", "qRcmd,7068797320302031", "qRcmd,7374617473",
            "P10=0010000000000000", "G00", "qThreadExtraInfo,1", "vMustReplyEmpty", "QStartNoAckMode"};

    @Test
    void randomAndMutatedPacketsNeverBreakTheStub() throws Exception {
        Random rnd = new Random(0x5eed);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        List<String> console = new ArrayList<>();
        try (FakeTarget t = new FakeTarget(2, DebugCapabilities.KVM_NO_SW_BP)) {
            GdbSession s = newSession(t, sink, console);
            int replies = 0;
            for (int i = 0; i < 100_000; i++) {
                byte[] wire = switch (rnd.nextInt(4)) {
                    case 0 -> randomBytes(rnd);
                    case 1 -> RspPacketCodec.encode(mutate(rnd, VALID[rnd.nextInt(VALID.length)]));
                    case 2 -> RspPacketCodec.encode(VALID[rnd.nextInt(VALID.length)]);
                    default -> corruptFraming(rnd, RspPacketCodec.encode(mutate(rnd, VALID[rnd.nextInt(VALID.length)])));
                };
                try {
                    s.onBytes(wire, wire.length);
                    if (s.running()) { // let the fake run a little, then deliver its stop or interrupt it
                        StopEvent e = t.awaitStop(rnd.nextInt(8) == 0 ? 1 : 0);
                        if (e != null) s.onStop(e);
                        else s.onBytes(new byte[] {3}, 1);
                    }
                } catch (Exception | Error e) {
                    throw new AssertionError("packet " + i + " escaped: " + new String(wire, StandardCharsets.ISO_8859_1), e);
                }
                if (s.closed()) { // 'k' or 'D' ended it: verify output, then reconnect as a new client would
                    replies += assertWellFormed(sink.toByteArray());
                    sink.reset();
                    s.onDisconnect();
                    t.killed = false;
                    s = newSession(t, sink, console);
                }
                if (sink.size() > 1 << 20) {
                    replies += assertWellFormed(sink.toByteArray());
                    sink.reset();
                }
                if (t.state(0).rip() > 0x1f000 || t.state(0).rip() < 0x1000) t.setState(0, FakeTarget.longMode(0x1000));
            }
            replies += assertWellFormed(sink.toByteArray());
            assertTrue(replies > 50_000, "most packets reached the command layer: " + replies);
        }
    }

    private static GdbSession newSession(FakeTarget t, ByteArrayOutputStream sink, List<String> console) {
        return new GdbSession(t, new MonitorCommands(t, MonitorCommands.Sources.NONE), sink, m -> {
            if (m.contains("internal error")) throw new AssertionError(m); // our bug, not a hostile packet
            if (console.size() < 100) console.add(m);
        });
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(r.nextInt(10) == 0 ? 20000 : 64)];
        r.nextBytes(b);
        if (b.length > 0 && r.nextBoolean()) b[0] = '$';
        return b;
    }

    private static String mutate(Random r, String p) {
        StringBuilder sb = new StringBuilder(p);
        int n = r.nextInt(4);
        for (int k = 0; k < n; k++) {
            int op = r.nextInt(5);
            int at = sb.isEmpty() ? 0 : r.nextInt(sb.length());
            switch (op) {
                case 0 -> { if (!sb.isEmpty()) sb.deleteCharAt(at); }
                case 1 -> sb.insert(at, (char) r.nextInt(256));
                case 2 -> { if (!sb.isEmpty()) sb.setCharAt(at, "0123456789abcdef,:;-xX=p.Zz"
                        .charAt(r.nextInt(27))); }
                case 3 -> sb.append(Long.toHexString(r.nextLong()));
                default -> sb.setLength(Math.min(sb.length(), at));
            }
        }
        return sb.toString();
    }

    private static byte[] corruptFraming(Random r, byte[] w) {
        byte[] c = w.clone();
        switch (r.nextInt(3)) {
            case 0 -> c[c.length - 1] ^= 1;                                  // bad checksum
            case 1 -> c = java.util.Arrays.copyOf(c, r.nextInt(c.length));   // truncated
            default -> c[r.nextInt(c.length)] = (byte) r.nextInt(256);        // noise
        }
        return c;
    }

    /** Our output is a sequence of '+', '-' and $...#xx packets with correct checksums. */
    static int assertWellFormed(byte[] out) {
        int i = 0, packets = 0;
        while (i < out.length) {
            int c = out[i] & 0xff;
            if (c == '+' || c == '-') { i++; continue; }
            if (c != '$') fail("unexpected byte 0x" + Integer.toHexString(c) + " at " + i);
            int sum = 0;
            int j = i + 1;
            while (j < out.length && out[j] != '#') {
                assertTrue(out[j] != '$', "unescaped '$' inside a reply");
                sum += out[j] & 0xff;
                j++;
            }
            assertTrue(j + 2 < out.length + 0 || j + 2 == out.length, "reply cut short");
            int cs = Integer.parseInt(new String(out, j + 1, 2, StandardCharsets.ISO_8859_1), 16);
            assertEquals(sum & 0xff, cs, "checksum of reply at " + i);
            assertTrue(j - i - 1 <= GdbCommands.PACKET_SIZE * 2, "reply longer than the packet size");
            i = j + 3;
            packets++;
        }
        return packets;
    }
}
