package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TCP server with a raw, misbehaving client; the target is the fake that stands in for KVM. */
class GdbServerTest {
    private static String readReply(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        int hash = -1;
        while (hash < 0 || sb.length() < hash + 3) {
            int c = in.read();
            if (c < 0) break;
            sb.append((char) c);
            if (c == '#' && hash < 0) hash = sb.length() - 1;
        }
        return sb.toString();
    }

    @Test
    void survivesAClientThatVanishesMidPacketAndServesTheNextOne() throws Exception {
        List<String> console = new CopyOnWriteArrayList<>();
        try (FakeTarget t = new FakeTarget(1, DebugCapabilities.KVM_NO_SW_BP);
             GdbServer server = new GdbServer(new InetSocketAddress("127.0.0.1", 0), t, MonitorCommands.Sources.NONE, console::add)) {
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                OutputStream o = s.getOutputStream();
                o.write("$Z1,1010,1#".getBytes(StandardCharsets.ISO_8859_1));
                o.write(String.format("%02x", sum("Z1,1010,1")).getBytes(StandardCharsets.ISO_8859_1));
                assertEquals("+$OK#9a", readReply(s.getInputStream()));
                o.write("$m1000,".getBytes(StandardCharsets.ISO_8859_1)); // and gone
            }
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                OutputStream o = s.getOutputStream();
                o.write(("$" + "A".repeat(GdbCommands.PACKET_SIZE + 10) + "#00").getBytes(StandardCharsets.ISO_8859_1));
                assertEquals('-', s.getInputStream().read(), "oversized packet NAKed");
                o.write("$?#3f".getBytes(StandardCharsets.ISO_8859_1));
                assertEquals("+$T05thread:01;#" + String.format("%02x", sum("T05thread:01;")), readReply(s.getInputStream()));
            }
            assertTrue(console.stream().anyMatch(l -> l.contains("middle of a packet")), console.toString());
            assertTrue(console.stream().anyMatch(l -> l.contains("longer than")), console.toString());
            assertFalse(t.guestDebug(0).anyHardware(), "the vanished client's breakpoint was removed");
        }
    }

    private static int sum(String s) {
        int x = 0;
        for (char c : s.toCharArray()) x += c;
        return x & 0xff;
    }
}
