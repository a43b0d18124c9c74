package dev.vmscope.debug;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.function.Consumer;

/**
 * Listens for GDB on a TCP address (loopback unless an address is given) and serves one client at a time.
 * On connect the VM is paused (GDB expects a stopped target); with {@code --gdb-wait} the integrator simply
 * never starts the vCPUs itself, so the first instruction runs when GDB continues.
 */
public final class GdbServer implements AutoCloseable {
    private final DebugTarget target;
    private final MonitorCommands monitor;
    private final Consumer<String> console;
    private final ServerSocket server;
    private final Thread acceptor;
    private volatile boolean stopping;
    private volatile Socket client;

    public GdbServer(InetSocketAddress listen, DebugTarget target, MonitorCommands.Sources sources, Consumer<String> console) throws IOException {
        this.target = target;
        this.monitor = new MonitorCommands(target, sources);
        this.console = console;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen, 1);
        acceptor = Thread.ofPlatform().daemon().name("gdb-accept").start(this::acceptLoop);
        console.accept("gdb: listening on " + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort());
    }

    public int port() { return server.getLocalPort(); }

    /**
     * Starts the server for {@code --gdb}/{@code --gdb-wait}. With wait the caller must not resume the
     * vCPUs itself: the first instruction runs when GDB sends continue or step.
     */
    public static GdbServer start(DebugOptions options, DebugTarget target, MonitorCommands.Sources sources,
                                  Consumer<String> console) throws IOException {
        GdbServer s = new GdbServer(options.gdb(), target, sources, console);
        if (options.gdbWait())
            console.accept("gdb: waiting for a debugger before the first instruction: gdb -ex 'target remote "
                    + options.gdb().getAddress().getHostAddress() + ":" + s.port() + "'");
        return s;
    }

    /**
     * Parses the {@code --gdb} value: "PORT", ":PORT", "HOST:PORT" or "[v6]:PORT". Without a host the
     * server binds to 127.0.0.1: a GDB stub gives full control of the VM, so it is never exposed by default.
     */
    public static InetSocketAddress parseAddress(String spec) {
        String host = "127.0.0.1";
        String port = spec;
        int colon = spec.lastIndexOf(':');
        if (colon >= 0) {
            host = spec.substring(0, colon);
            port = spec.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (host.isEmpty()) host = "127.0.0.1";
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--gdb " + spec + ": port '" + port + "' is not a number");
        }
        if (p < 0 || p > 65535) throw new IllegalArgumentException("--gdb " + spec + ": port " + p + " out of range 0..65535");
        try {
            return new InetSocketAddress(InetAddress.getByName(host), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--gdb " + spec + ": unknown host '" + host + "'");
        }
    }

    private void acceptLoop() {
        while (!stopping) {
            try (Socket s = server.accept()) {
                client = s;
                serve(s);
            } catch (IOException e) {
                if (!stopping) console.accept("gdb: connection error: " + e.getMessage());
            } catch (RuntimeException e) {
                console.accept("gdb: internal error in session: " + e);
            } finally {
                synchronized (this) {
                    client = null;
                    notifyAll();
                }
            }
        }
    }

    /** True while a GDB client is connected. */
    public boolean connected() { return client != null; }

    /**
     * Waits until the connected client (if any) goes away: after the VM ended, so GDB can still receive
     * the final stop reply and, after a fatal stop, read the dead VM's registers and memory.
     * @param timeoutMillis 0 waits as long as the client stays
     * @return true if no client is connected any more
     */
    public synchronized boolean awaitDisconnect(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (client != null) {
            long left = timeoutMillis == 0 ? 0 : deadline - System.currentTimeMillis();
            if (timeoutMillis != 0 && left <= 0) return false;
            wait(timeoutMillis == 0 ? 1000 : Math.min(left, 1000));
        }
        return true;
    }

    private void serve(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        console.accept("gdb: client connected from " + s.getRemoteSocketAddress());
        target.pause();
        try {
            while (target.awaitStop(0) != null) { } // stale events from before this client
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        GdbSession session = new GdbSession(target, monitor, s.getOutputStream(), console);
        Thread waiter = Thread.ofPlatform().daemon().name("gdb-stops").start(() -> {
            try {
                while (!session.closed()) {
                    StopEvent e = target.awaitStop(200);
                    if (e != null) session.onStop(e);
                }
            } catch (InterruptedException | IOException e) {
                // session over
            }
        });
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while (!session.closed() && (n = in.read(buf)) > 0) session.onBytes(buf, n);
        } catch (IOException e) {
            // reset by peer: handled as a disconnect
        } finally {
            session.onDisconnect();
            waiter.interrupt();
            console.accept("gdb: session ended");
        }
    }

    @Override
    public void close() throws IOException {
        stopping = true;
        server.close();
        Socket c = client;
        if (c != null) c.close(); // ends a session blocked in read()
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
