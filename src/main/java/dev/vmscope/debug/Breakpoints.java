package dev.vmscope.debug;

import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.GuestDebug;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * GDB's Z/z breakpoints mapped onto the host's debug facilities. Hardware slots (DR0-DR3) are shared by
 * Z1, the watchpoints Z2-Z4 and, when the host cannot intercept int3, by Z0 as well. A backend with
 * {@link DebugCapabilities#unlimitedWatchpoints()} (the software CPU) takes Z2-Z4 as watched ranges
 * instead: any number, any length, and a read watchpoint fires on reads only. Z packets are idempotent
 * (GDB manual, "Z0" packet: inserting twice must not need removing twice).
 */
final class Breakpoints {
    /** Z packet types 0..4. */
    enum Type { SOFTWARE, HARDWARE, WRITE, READ, ACCESS }

    /** A slot's owner, to report the stop reason GDB expects for the Z type it inserted. */
    private record Owner(Type type, long address, int length) {}

    sealed interface Result {}
    record Ok() implements Result {}
    record Unsupported() implements Result {}
    record Failed(String code, String message) implements Result {}

    private static final byte INT3 = (byte) 0xcc;

    private final DebugTarget target;
    private final Consumer<String> console;
    private final GuestDebug.Slot[] slots = new GuestDebug.Slot[GuestDebug.SLOTS];
    private final Owner[] owners = new Owner[GuestDebug.SLOTS];
    private final Map<Long, Byte> patched = new LinkedHashMap<>(); // int3 address -> original byte
    /** Watched ranges (unlimited-watchpoint backends), in the order GuestDebug.watches() gives them. */
    private final List<Owner> rangeOwners = new ArrayList<>();
    private final List<GuestDebug.Watch> ranges = new ArrayList<>();

    Breakpoints(DebugTarget target, Consumer<String> console) {
        this.target = target;
        this.console = console;
    }

    Result insert(int type, long addr, int kind, int vcpu) {
        if (type < 0 || type > 4) return new Unsupported();
        Type t = Type.values()[type];
        DebugCapabilities caps = target.capabilities();
        if (t == Type.SOFTWARE && caps.softwareBreakpoints()) return patch(addr, vcpu);
        if (t.ordinal() >= Type.WRITE.ordinal() && !caps.watchpoints()) return new Unsupported();
        if ((t == Type.READ || t == Type.ACCESS) && !caps.dataBreakpoints()) {
            console.accept(String.format("gdb: cannot insert a %s watchpoint at 0x%x: this host's debug registers do not fire on data "
                    + "accesses, and reads cannot be emulated (write watchpoints are emulated by single-stepping)",
                    t == Type.READ ? "read" : "access", addr));
            return new Unsupported();
        }
        if (find(t, addr, kind) >= 0) return new Ok();
        if (t.ordinal() >= Type.WRITE.ordinal() && caps.unlimitedWatchpoints()) return watchRange(t, addr, kind);
        List<GuestDebug.Slot> chunks = new ArrayList<>();
        if (t == Type.SOFTWARE || t == Type.HARDWARE) chunks.add(new GuestDebug.Slot(addr, GuestDebug.Kind.EXECUTE, 1));
        else if (kind < 1 || kind > 64) return new Failed("E16", "watch length " + kind + " out of range 1..64");
        else splitAligned(addr, kind, t == Type.WRITE ? GuestDebug.Kind.WRITE : GuestDebug.Kind.ACCESS, chunks);
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < Math.min(caps.hardwareSlots(), GuestDebug.SLOTS); i++) if (slots[i] == null) free.add(i);
        if (free.size() < chunks.size()) {
            String what = t == Type.SOFTWARE ? "software breakpoint (emulated with a debug register: this host cannot intercept int3)" : t.name().toLowerCase() + " breakpoint/watchpoint";
            console.accept(String.format("gdb: cannot insert %s at 0x%x: all %d hardware debug-register slots are in use (%s); delete one first",
                    what, addr, caps.hardwareSlots(), describeSlots()));
            return new Failed("E28", "no free debug-register slot");
        }
        for (int i = 0; i < chunks.size(); i++) {
            slots[free.get(i)] = chunks.get(i);
            owners[free.get(i)] = new Owner(t, addr, kind);
        }
        apply(-1);
        return new Ok();
    }

    /** A watched range of any length: GDB's kind is the length in bytes (GDB manual, "Z2" packet). */
    private Result watchRange(Type t, long addr, int length) {
        if (length < 1) return new Failed("E16", "watch length " + length + " must be at least 1");
        if (rangeOwners.contains(new Owner(t, addr, length))) return new Ok();
        GuestDebug.Access a = switch (t) {
            case READ -> GuestDebug.Access.READ;
            case ACCESS -> GuestDebug.Access.ACCESS;
            default -> GuestDebug.Access.WRITE;
        };
        rangeOwners.add(new Owner(t, addr, length));
        ranges.add(new GuestDebug.Watch(addr, Integer.toUnsignedLong(length), a));
        apply(-1);
        return new Ok();
    }

    Result remove(int type, long addr, int kind) {
        if (type < 0 || type > 4) return new Unsupported();
        Type t = Type.values()[type];
        if (t == Type.SOFTWARE && target.capabilities().softwareBreakpoints()) return unpatch(addr);
        int r = rangeOwners.indexOf(new Owner(t, addr, kind));
        if (r >= 0) {
            rangeOwners.remove(r);
            ranges.remove(r);
            apply(-1);
            return new Ok();
        }
        boolean any = false;
        for (int i = 0; i < GuestDebug.SLOTS; i++) {
            if (owners[i] != null && owners[i].equals(new Owner(t, addr, kind))) {
                owners[i] = null;
                slots[i] = null;
                any = true;
            }
        }
        if (any) apply(-1);
        return new Ok(); // removing an absent breakpoint is harmless and keeps z idempotent
    }

    private int find(Type t, long addr, int kind) {
        Owner o = new Owner(t, addr, kind);
        for (int i = 0; i < GuestDebug.SLOTS; i++) if (o.equals(owners[i])) return i;
        return -1;
    }

    /** Covers [addr, addr+len) with naturally aligned 1/2/4/8-byte pieces, as x86 debug registers need. */
    static void splitAligned(long addr, int len, GuestDebug.Kind kind, List<GuestDebug.Slot> out) {
        long a = addr;
        long end = addr + len;
        while (Long.compareUnsigned(a, end) < 0) {
            int size = 8;
            while (size > 1 && ((a & (size - 1)) != 0 || Long.compareUnsigned(a + size, end) > 0)) size >>= 1;
            out.add(new GuestDebug.Slot(a, kind, size));
            a += size;
        }
    }

    private Result patch(long addr, int vcpu) {
        if (patched.containsKey(addr)) return new Ok();
        try {
            byte orig = target.readVirtual(vcpu, addr, 1)[0];
            target.writeVirtual(vcpu, addr, new byte[] {INT3});
            patched.put(addr, orig);
            apply(-1);
            return new Ok();
        } catch (DebugTarget.UnmappedException e) {
            return new Failed("E14", e.getMessage());
        }
    }

    private Result unpatch(long addr) {
        Byte orig = patched.remove(addr);
        if (orig != null) {
            try {
                target.writeVirtual(0, addr, new byte[] {orig});
            } catch (DebugTarget.UnmappedException e) {
                console.accept("gdb: could not restore the byte under the breakpoint at " + e.getMessage());
            }
        }
        return new Ok();
    }

    /** Hides int3 bytes we planted from memory reads, so GDB sees guest code as it is. */
    void unpatchView(long addr, byte[] data) {
        for (Map.Entry<Long, Byte> e : patched.entrySet()) {
            long off = e.getKey() - addr;
            if (off >= 0 && off < data.length) data[(int) off] = e.getValue();
        }
    }

    /** Pushes the configuration to every vCPU; single-step is set only on {@code stepVcpu} (-1: none). */
    void apply(int stepVcpu) {
        GuestDebug d = new GuestDebug(false, !patched.isEmpty(), slots, ranges);
        for (int v = 0; v < target.vcpuCount(); v++)
            target.setGuestDebug(v, v == stepVcpu ? d.withSingleStep(true) : d);
    }

    /** Removes everything (detach, disconnect). */
    void clear() {
        for (Long a : List.copyOf(patched.keySet())) unpatch(a);
        java.util.Arrays.fill(slots, null);
        java.util.Arrays.fill(owners, null);
        rangeOwners.clear();
        ranges.clear();
        apply(-1);
    }

    /** The T-reply stop reason for an event (GDB manual, "Stop Reply Packets"), or "" when none applies. */
    String reason(StopEvent e) {
        return switch (e) {
            case StopEvent.Breakpoint b -> patched.containsKey(b.address()) || ownerTypeAt(b.address()) == Type.SOFTWARE ? "swbreak:;" : "hwbreak:;";
            case StopEvent.Watchpoint w -> {
                int range = w.slot() - GuestDebug.SLOTS;
                Owner o = w.slot() >= 0 && w.slot() < GuestDebug.SLOTS ? owners[w.slot()]
                        : range >= 0 && range < rangeOwners.size() ? rangeOwners.get(range) : null;
                String kind = o == null || o.type() == Type.WRITE ? "watch" : o.type() == Type.READ ? "rwatch" : "awatch";
                // GDB matches the reported address against the watched range, so report the range start it asked for.
                yield String.format("%s:%x;", kind, o == null ? w.address() : o.address());
            }
            default -> "";
        };
    }

    private Type ownerTypeAt(long addr) {
        for (Owner o : owners) if (o != null && o.address() == addr && (o.type() == Type.SOFTWARE || o.type() == Type.HARDWARE)) return o.type();
        return null;
    }

    String describeSlots() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < GuestDebug.SLOTS; i++) {
            if (i > 0) sb.append(", ");
            sb.append("DR").append(i).append('=');
            sb.append(owners[i] == null ? "free" : String.format("Z%d@0x%x", owners[i].type().ordinal(), owners[i].address()));
        }
        for (Owner o : rangeOwners) sb.append(String.format(", Z%d@0x%x+%d", o.type().ordinal(), o.address(), o.length()));
        return sb.toString();
    }

    int patchedCount() { return patched.size(); }
}
