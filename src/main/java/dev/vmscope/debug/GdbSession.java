package dev.vmscope.debug;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * One GDB connection: framing, acks, the running/stopped state and stop replies. Socket-free, so tests and
 * the fuzzer drive it with byte arrays. Methods are synchronized: the reader thread calls
 * {@link #onBytes}, a waiter thread calls {@link #onStop}.
 */
public final class GdbSession {
    private final DebugTarget target;
    private final GdbCommands commands;
    private final RspPacketCodec codec = new RspPacketCodec(GdbCommands.PACKET_SIZE);
    private final OutputStream out;
    private final Consumer<String> console;
    private boolean noAck;
    private boolean running;
    private boolean closed;
    private byte[] lastSent = new byte[0];

    public GdbSession(DebugTarget target, MonitorCommands monitor, OutputStream out, Consumer<String> console) {
        this.target = target;
        this.out = out;
        this.console = console;
        this.commands = new GdbCommands(target, monitor, console);
    }

    public synchronized boolean running() { return running; }

    public synchronized boolean closed() { return closed; }

    public synchronized void onBytes(byte[] buf, int len) throws IOException {
        for (int i = 0; i < len && !closed; i++) codec.feed(buf[i], this::onEvent);
        out.flush();
    }

    private void onEvent(RspPacketCodec.Event e) {
        try {
            switch (e) {
                case RspPacketCodec.Packet p -> onPacket(p.text());
                case RspPacketCodec.Corrupt c -> {
                    console.accept("gdb: dropped a packet: " + c.why());
                    if (!noAck) out.write('-');
                }
                case RspPacketCodec.Nak n -> { if (!noAck && lastSent.length > 0) out.write(lastSent); }
                case RspPacketCodec.Ack a -> { }
                case RspPacketCodec.Interrupt i -> {
                    if (running) {
                        target.pause();
                        running = false;
                        send(commands.stopReply(new StopEvent.Interrupted(commands.currentVcpu())));
                    }
                }
            }
        } catch (IOException io) {
            closed = true;
        }
    }

    private void onPacket(String payload) throws IOException {
        if (!noAck) out.write('+');
        if (running) { // all-stop clients send nothing but ^C while running; a hostile one gets the VM paused first
            target.pause();
            running = false;
        }
        switch (commands.handle(payload)) {
            case GdbCommands.Reply r -> {
                send(r.payload());
                if (commands.noAckRequested()) noAck = true; // takes effect after the OK (GDB manual, QStartNoAckMode)
            }
            case GdbCommands.Running r -> running = true;
            case GdbCommands.Close c -> {
                if (c.payload() != null) send(c.payload());
                closed = true;
            }
        }
    }

    private void send(String payload) throws IOException {
        lastSent = RspPacketCodec.encode(payload);
        out.write(lastSent);
    }

    /** A stop from the target; ignored unless GDB is waiting for one. */
    public synchronized void onStop(StopEvent e) throws IOException {
        if (!running || closed) return;
        running = false;
        send(commands.stopReply(e));
        out.flush();
    }

    /** The connection ended; if GDB left without detaching, undo breakpoints and let the VM run. */
    public synchronized void onDisconnect() {
        if (codec.midPacket()) console.accept("gdb: client disconnected in the middle of a packet");
        if (!closed) {
            if (running) target.pause();
            commands.abandon();
            console.accept("gdb: client disconnected without detaching; breakpoints removed, VM resumed");
        }
        closed = true;
        running = false;
    }

    GdbCommands commands() { return commands; }
}
