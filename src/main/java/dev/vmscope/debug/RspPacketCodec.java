package dev.vmscope.debug;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * GDB remote serial protocol framing (GDB manual, "Overview" of the Remote Protocol): {@code $payload#cs}
 * with cs the modulo-256 sum of the payload bytes as two hex digits, {@code }} escapes the next byte
 * XOR 0x20, and {@code X*n} repeats X (n - 29) more times. Outside a packet '+' and '-' are acks and a
 * 0x03 byte is an interrupt. The decoder is a byte-at-a-time state machine, so packets may arrive split
 * across reads; a '$' inside a packet abandons the partial one. Payloads are capped at {@link #maxPacket}
 * after expansion; longer ones are consumed and reported as corrupt. Never throws on input.
 */
public final class RspPacketCodec {
    /** What the byte stream said. */
    public sealed interface Event {}
    public record Packet(byte[] payload) implements Event {
        public String text() { return new String(payload, StandardCharsets.ISO_8859_1); }
    }
    public record Ack() implements Event {}
    public record Nak() implements Event {}
    public record Interrupt() implements Event {}
    /** A framed packet that cannot be used: bad checksum, oversized, bad run-length. Answer with '-'. */
    public record Corrupt(String why) implements Event {}

    private enum State { IDLE, BODY, CSUM1, CSUM2 }

    private final int maxPacket;
    private final byte[] raw;
    private State state = State.IDLE;
    private int rawLen;
    private boolean overflow;
    private int sum;
    private int received;

    public RspPacketCodec(int maxPacket) {
        if (maxPacket < 16) throw new IllegalArgumentException("maxPacket too small");
        this.maxPacket = maxPacket;
        this.raw = new byte[maxPacket];
    }

    public int maxPacket() { return maxPacket; }

    /** True while a packet has started but not ended (a disconnect now truncates it). */
    public boolean midPacket() { return state != State.IDLE; }

    public void feed(byte[] buf, int off, int len, Consumer<Event> out) {
        for (int i = off; i < off + len; i++) feed(buf[i], out);
    }

    public void feed(byte b, Consumer<Event> out) {
        int c = b & 0xff;
        switch (state) {
            case IDLE -> {
                switch (c) {
                    case '$' -> begin();
                    case '+' -> out.accept(new Ack());
                    case '-' -> out.accept(new Nak());
                    case 0x03 -> out.accept(new Interrupt());
                    default -> { } // line noise between packets is ignored, as gdbserver does
                }
            }
            case BODY -> {
                if (c == '$') begin();
                else if (c == '#') state = State.CSUM1;
                else {
                    sum = (sum + c) & 0xff;
                    if (rawLen < raw.length) raw[rawLen++] = b; else overflow = true;
                }
            }
            case CSUM1 -> {
                int d = hex(c);
                if (d < 0) { fail(out, "bad checksum digit", c); return; }
                received = d << 4;
                state = State.CSUM2;
            }
            case CSUM2 -> {
                int d = hex(c);
                if (d < 0) { fail(out, "bad checksum digit", c); return; }
                state = State.IDLE;
                if (overflow) out.accept(new Corrupt("packet longer than " + maxPacket + " bytes"));
                else if ((received | d) != sum) out.accept(new Corrupt(String.format("checksum %02x, computed %02x", received | d, sum)));
                else out.accept(decode());
            }
        }
    }

    private void fail(Consumer<Event> out, String why, int c) {
        state = State.IDLE;
        out.accept(new Corrupt(why));
        if (c == '$') begin(); // a new packet started where the checksum should be
    }

    private void begin() {
        state = State.BODY;
        rawLen = 0;
        sum = 0;
        overflow = false;
    }

    /** Undoes escapes and run-length encoding. */
    private Event decode() {
        byte[] out = new byte[maxPacket];
        int n = 0;
        for (int i = 0; i < rawLen; i++) {
            int c = raw[i] & 0xff;
            if (c == '}') {
                if (++i >= rawLen) return new Corrupt("escape at end of packet");
                c = (raw[i] & 0xff) ^ 0x20;
            } else if (c == '*') {
                if (n == 0 || ++i >= rawLen) return new Corrupt("run-length without a byte to repeat");
                int repeat = (raw[i] & 0xff) - 29;
                if (repeat < 0) return new Corrupt("bad run-length count");
                if (n + repeat > maxPacket) return new Corrupt("packet longer than " + maxPacket + " bytes after expansion");
                for (int k = 0; k < repeat; k++, n++) out[n] = out[n - 1];
                continue;
            }
            if (n >= maxPacket) return new Corrupt("packet longer than " + maxPacket + " bytes");
            out[n++] = (byte) c;
        }
        return new Packet(java.util.Arrays.copyOf(out, n));
    }

    private static int hex(int c) { return Character.digit(c, 16); }

    // ---- encoding ----

    /** Frames a reply, escaping '$', '#', '}' and '*' so binary data (qXfer, X-style) survives. */
    public static byte[] encode(byte[] payload) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(payload.length + 8);
        o.write('$');
        int sum = 0;
        for (byte b : payload) {
            int c = b & 0xff;
            if (c == '$' || c == '#' || c == '}' || c == '*') {
                o.write('}');
                sum += '}';
                c ^= 0x20;
            }
            o.write(c);
            sum += c;
        }
        o.write('#');
        sum &= 0xff;
        o.write(Character.forDigit(sum >> 4, 16));
        o.write(Character.forDigit(sum & 0xf, 16));
        return o.toByteArray();
    }

    public static byte[] encode(String payload) { return encode(payload.getBytes(StandardCharsets.ISO_8859_1)); }
}
