package dev.vmscope.debug;


import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * The debugging options of {@code vmscope run}: {@code --gdb [HOST:]PORT}, {@code --gdb-wait},
 * {@code --dump-core FILE} (write an ELF core when the VM stops) and {@code --crash-dir DIR} (where crash
 * reports go; default the working directory). {@link #extract} removes them from an argument list so the
 * run command parses the rest.
 */
public record DebugOptions(InetSocketAddress gdb, boolean gdbWait, Path dumpCore, Path crashDir) {
    public static final DebugOptions NONE = new DebugOptions(null, false, null, Path.of("."));

    public static final String USAGE = """
              --gdb [HOST:]PORT   serve the GDB remote protocol (127.0.0.1 unless HOST is given)
              --gdb-wait          with --gdb: stop before the first instruction until GDB continues
              --dump-core FILE    write an ELF core (QEMU dump-guest-memory layout) when the VM stops
              --crash-dir DIR     directory for vmscope-crash-*.txt/.json reports (default: .)
            """;

    /** Takes the debug options out of {@code args} (mutable); throws IllegalArgumentException naming a bad one (the CLI turns it into a usage error). */
    public static DebugOptions extract(List<String> args) {
        InetSocketAddress gdb = null;
        boolean wait = false;
        Path core = null;
        Path crash = Path.of(".");
        for (Iterator<String> it = args.iterator(); it.hasNext(); ) {
            String a = it.next();
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (!List.of("--gdb", "--gdb-wait", "--dump-core", "--crash-dir").contains(name)) continue;
            it.remove();
            if (name.equals("--gdb-wait")) {
                if (a.contains("=")) throw new IllegalArgumentException("--gdb-wait takes no value");
                wait = true;
                continue;
            }
            String v;
            if (a.contains("=")) v = a.substring(a.indexOf('=') + 1);
            else if (it.hasNext()) { v = it.next(); it.remove(); }
            else throw new IllegalArgumentException(name + " needs a value");
            if (v.isEmpty()) throw new IllegalArgumentException(name + " needs a value");
            switch (name) {
                case "--gdb" -> {
                    gdb = GdbServer.parseAddress(v);
                }
                case "--dump-core" -> core = Path.of(v);
                default -> crash = Path.of(v);
            }
        }
        if (wait && gdb == null) throw new IllegalArgumentException("--gdb-wait needs --gdb [HOST:]PORT");
        return new DebugOptions(gdb, wait, core, crash);
    }
}
