package dev.vmscope.debug;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Meaning of GDB remote packets (GDB manual, "Packets", "General Query Packets", "Stop Reply Packets")
 * against a {@link DebugTarget}, independent of sockets and framing. vCPU n is GDB thread n+1.
 * Every packet gets a well-formed answer; malformed ones get "E01" and unknown ones the empty reply.
 */
public final class GdbCommands {
    /** What the session must do with a packet's outcome. */
    public sealed interface Response {}
    /** Send this payload. */
    public record Reply(String payload) implements Response {}
    /** The target is running (continue/step); the next stop event is the reply. */
    public record Running() implements Response {}
    /** Send the payload (if any) and close the connection. */
    public record Close(String payload) implements Response {}

    static final int PACKET_SIZE = 0x4000;
    static final int SIGINT = 2, SIGTRAP = 5, SIGABRT = 6;

    private final DebugTarget target;
    private final Breakpoints breakpoints;
    private final MonitorCommands monitor;
    private final Consumer<String> console;
    private int gThread; // vCPU for g/G/p/P/m/M
    private int cThread; // vCPU for s/c
    private String lastStop;
    private boolean noAck;
    private boolean dead; // VM exited or fatal: nothing runs any more
    private final GdbRegisters layout; // fixed per session: GDB reads target.xml once, at connect
    private boolean longModeNoted;

    public GdbCommands(DebugTarget target, MonitorCommands monitor, Consumer<String> console) {
        this.target = target;
        this.monitor = monitor;
        this.console = console;
        this.breakpoints = new Breakpoints(target, console);
        this.lastStop = "T05thread:01;";
        this.layout = initialLayout(target, console);
    }

    /**
     * x86-64 when vCPU 0 runs in long mode at connect, else i386: GDB only accepts a description whose
     * architecture matches the ELF it loaded, and a 32-bit kernel's ELF is i386.
     */
    private static GdbRegisters initialLayout(DebugTarget target, Consumer<String> console) {
        try {
            GdbRegisters l = GdbRegisters.forState(target.state(0));
            if (l == GdbRegisters.I386)
                console.accept("gdb: vCPU 0 is not in long mode: describing the target as i386 (32-bit registers)");
            return l;
        } catch (RuntimeException e) {
            return GdbRegisters.X86_64;
        }
    }

    /** The register layout this session announced. */
    public GdbRegisters layout() { return layout; }

    public boolean noAckRequested() { return noAck; }

    public Response handle(String p) {
        try {
            return dispatch(p);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return new Reply("E01");
        } catch (DebugTarget.UnmappedException | dev.vmscope.memory.GuestMemoryException e) {
            return new Reply("E14");
        } catch (IllegalArgumentException e) {
            return new Reply("E16");
        } catch (RuntimeException e) { // a target failure must not end the debugging session
            console.accept("gdb: internal error handling '" + (p.length() > 40 ? p.substring(0, 40) + "..." : p) + "': " + e);
            return new Reply("E01");
        }
    }

    private Response dispatch(String p) {
        if (p.isEmpty()) return reply("");
        char c = p.charAt(0);
        String rest = p.substring(1);
        return switch (c) {
            case '?' -> reply(lastStop);
            case 'g' -> reply(HexFormat.of().formatHex(layout.toBytes(target.state(gThread))));
            case 'G' -> {
                byte[] img = HexFormat.of().parseHex(rest);
                if (img.length != layout.size()) yield reply("E01");
                target.setState(gThread, layout.fromBytes(img, target.state(gThread)));
                yield reply("OK");
            }
            case 'p' -> {
                byte[] v = layout.read(target.state(gThread), Integer.parseInt(rest, 16));
                yield reply(v == null ? "E00" : HexFormat.of().formatHex(v));
            }
            case 'P' -> {
                String[] kv = rest.split("=", 2);
                int n = Integer.parseInt(kv[0], 16);
                if (n < 0 || n >= layout.regs().size() || kv.length != 2) yield reply("E00");
                target.setState(gThread, layout.write(target.state(gThread), n, HexFormat.of().parseHex(kv[1])));
                yield reply("OK");
            }
            case 'm' -> readMemory(rest);
            case 'M' -> {
                int colon = rest.indexOf(':');
                long[] al = addrLen(rest.substring(0, colon));
                byte[] data = HexFormat.of().parseHex(rest.substring(colon + 1));
                yield writeMemory(al, data);
            }
            case 'X' -> {
                int colon = rest.indexOf(':');
                long[] al = addrLen(rest.substring(0, colon));
                yield writeMemory(al, rest.substring(colon + 1).getBytes(StandardCharsets.ISO_8859_1));
            }
            case 'Z', 'z' -> breakpoint(c == 'Z', rest);
            case 'c', 'C' -> resume(-1, false);
            case 's', 'S' -> resume(cThread, true);
            case 'H' -> setThread(rest);
            case 'T' -> reply(threadOf(rest) >= 0 ? "OK" : "E01");
            case 'D' -> {
                breakpoints.clear();
                if (!dead) target.resume();
                console.accept("gdb: detached; breakpoints removed, VM resumed");
                yield new Close("OK");
            }
            case 'k' -> {
                console.accept("gdb: kill requested; stopping the VM");
                dead = true;
                target.kill();
                yield new Close(null);
            }
            case 'q', 'Q' -> query(p);
            case 'v' -> vPacket(p);
            default -> reply("");
        };
    }

    private static Reply reply(String s) { return new Reply(s); }

    private static long[] addrLen(String s) {
        String[] a = s.split(",", 2);
        return new long[] {Long.parseUnsignedLong(a[0], 16), Long.parseLong(a[1], 16)};
    }

    private Response readMemory(String rest) {
        long[] al = addrLen(rest);
        if (al[1] < 0) return reply("E01");
        int len = (int) Math.min(al[1], (PACKET_SIZE - 4) / 2);
        byte[] data = target.readVirtual(gThread, al[0], len);
        breakpoints.unpatchView(al[0], data);
        return reply(HexFormat.of().formatHex(data));
    }

    private Response writeMemory(long[] al, byte[] data) {
        if (al[1] != data.length) return reply("E01");
        target.writeVirtual(gThread, al[0], data);
        return reply("OK");
    }

    private Response breakpoint(boolean insert, String rest) {
        String[] f = rest.split("[,;]");
        if (f.length < 3) return reply("E01");
        int type = Integer.parseInt(f[0]);
        long addr = Long.parseUnsignedLong(f[1], 16);
        int kind = Integer.parseInt(f[2], 16);
        Breakpoints.Result r = insert ? breakpoints.insert(type, addr, kind, gThread) : breakpoints.remove(type, addr, kind);
        return switch (r) {
            case Breakpoints.Ok ok -> reply("OK");
            case Breakpoints.Unsupported u -> reply("");
            case Breakpoints.Failed failed -> reply(failed.code());
        };
    }

    private Response resume(int stepVcpu, boolean step) {
        if (dead) return reply(lastStop);
        if (step) {
            int v = Math.max(stepVcpu, 0);
            breakpoints.apply(v);
            target.step(v);
        } else {
            breakpoints.apply(-1);
            target.resume();
        }
        return new Running();
    }

    /** GDB thread id (hex; -1 all, 0 any; "pP.T" form accepted) to vCPU index, -1 for all, -2 if invalid. */
    private int threadOf(String id) {
        if (id.startsWith("p")) {
            int dot = id.indexOf('.');
            if (dot < 0) return -1;
            id = id.substring(dot + 1);
        }
        if (id.equals("-1")) return -1;
        long t = Long.parseLong(id, 16);
        if (t == 0) return 0;
        return t >= 1 && t <= target.vcpuCount() ? (int) t - 1 : -2;
    }

    private Response setThread(String rest) {
        if (rest.isEmpty()) return reply("E01");
        int v = threadOf(rest.substring(1));
        if (v == -2) return reply("E01");
        if (rest.charAt(0) == 'g') gThread = Math.max(v, 0);
        else if (rest.charAt(0) == 'c') cThread = Math.max(v, 0);
        else return reply("E01");
        return reply("OK");
    }

    private Response query(String p) {
        if (p.startsWith("qSupported"))
            return reply("PacketSize=" + Integer.toHexString(PACKET_SIZE)
                    + ";qXfer:features:read+;QStartNoAckMode+;vContSupported+;swbreak+;hwbreak+");
        if (p.equals("QStartNoAckMode")) { noAck = true; return reply("OK"); }
        if (p.startsWith("qXfer:features:read:")) return xferFeatures(p.substring("qXfer:features:read:".length()));
        if (p.equals("qfThreadInfo")) {
            StringBuilder sb = new StringBuilder("m");
            for (int i = 1; i <= target.vcpuCount(); i++) sb.append(i > 1 ? "," : "").append(Integer.toHexString(i));
            return reply(sb.toString());
        }
        if (p.equals("qsThreadInfo")) return reply("l");
        if (p.equals("qC")) return reply("QC" + Integer.toHexString(gThread + 1));
        if (p.startsWith("qAttached")) return reply("1");
        if (p.startsWith("qThreadExtraInfo,")) {
            int v = threadOf(p.substring("qThreadExtraInfo,".length()));
            if (v < 0) return reply("E01");
            return reply(HexFormat.of().formatHex(("vCPU " + v).getBytes(StandardCharsets.US_ASCII)));
        }
        if (p.startsWith("qRcmd,")) {
            String cmd = new String(HexFormat.of().parseHex(p.substring(6)), StandardCharsets.ISO_8859_1);
            String out = monitor.run(cmd);
            return reply(out.isEmpty() ? "OK" : HexFormat.of().formatHex(out.getBytes(StandardCharsets.UTF_8)));
        }
        return reply("");
    }

    private Response xferFeatures(String args) {
        int colon = args.indexOf(':');
        if (colon < 0) return reply("E01");
        if (!args.substring(0, colon).equals("target.xml")) return reply("E00");
        long[] ol = addrLen(args.substring(colon + 1));
        byte[] xml = layout.targetXml().getBytes(StandardCharsets.US_ASCII);
        if (ol[0] < 0 || ol[0] > xml.length || ol[1] < 0) return reply("E01");
        int off = (int) ol[0];
        int len = (int) Math.min(Math.min(ol[1], PACKET_SIZE - 16), xml.length - off);
        String chunk = new String(xml, off, len, StandardCharsets.ISO_8859_1);
        return reply((off + len >= xml.length ? "l" : "m") + chunk);
    }

    private Response vPacket(String p) {
        if (p.equals("vCont?")) return reply("vCont;c;C;s;S;t");
        if (!p.startsWith("vCont;")) return reply("");
        int stepVcpu = -1;
        boolean cont = false;
        int stopVcpu = -1;
        for (String action : p.substring(6).split(";")) {
            if (action.isEmpty()) return reply("E01");
            String[] at = action.split(":", 2);
            int v = at.length == 2 ? threadOf(at[1]) : -1;
            if (v == -2) return reply("E01");
            switch (at[0].charAt(0)) {
                case 's', 'S' -> { if (stepVcpu < 0) stepVcpu = v < 0 ? cThread : v; }
                case 'c', 'C' -> cont = true;
                case 't' -> stopVcpu = Math.max(v, 0);
                default -> { return reply("E01"); }
            }
        }
        // All-stop: a step action steps only that vCPU (the others stay paused, as with scheduler-locking step).
        if (stepVcpu >= 0) return resume(stepVcpu, true);
        if (cont) return resume(-1, false);
        if (stopVcpu >= 0) return reply(lastStop = String.format("T00thread:%02x;", stopVcpu + 1));
        return reply("E01");
    }

    /** The stop reply for a target event; records it for '?'. */
    public String stopReply(StopEvent e) {
        breakpoints.apply(-1);
        String r = switch (e) {
            case StopEvent.Exited x -> {
                dead = true;
                yield String.format("W%02x", x.status() & 0xff);
            }
            case StopEvent.Fatal f -> {
                dead = true;
                console.accept("gdb: the VM hit a fatal error and cannot continue: " + f.what());
                yield thread(SIGABRT, f.vcpu(), "");
            }
            case StopEvent.Interrupted i -> thread(SIGINT, i.vcpu(), "");
            default -> thread(SIGTRAP, e.vcpu(), breakpoints.reason(e));
        };
        lastStop = r;
        return r;
    }

    private String thread(int sig, int vcpu, String reason) {
        int v = vcpu >= 0 && vcpu < target.vcpuCount() ? vcpu : 0;
        if (layout == GdbRegisters.I386 && !longModeNoted && !dead) {
            try {
                if (target.state(v).longModeActive()) {
                    longModeNoted = true;
                    console.accept("gdb: vCPU " + v + " is now in long mode but this session shows the i386 layout chosen at connect "
                            + "(low 32 bits of each register); reconnect GDB to get x86-64 registers");
                }
            } catch (RuntimeException e) { /* state unavailable: nothing to note */ }
        }
        gThread = v;
        cThread = v;
        return String.format("T%02xthread:%02x;%s", sig, v + 1, reason);
    }

    /** The vCPU GDB is looking at (for Ctrl-C replies). */
    public int currentVcpu() { return gThread; }

    /** Removes breakpoints and resumes (client vanished without detaching). */
    public void abandon() {
        breakpoints.clear();
        if (!dead) target.resume();
    }

    Breakpoints breakpoints() { return breakpoints; }
}
