package dev.vmscope.debug;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * GDB 'monitor' commands (qRcmd). Text sources are injected so this package does not depend on the exit
 * statistics or LAPIC code; any of them may be null when the VM has none.
 */
public final class MonitorCommands {
    /** What the monitor and crash reports can show besides the target itself. */
    public record Sources(Supplier<String> stats, Supplier<String> lapic, FlightRecorder recorder) {
        public static final Sources NONE = new Sources(null, null, null);
    }

    static final int MAX_PHYS_DUMP = 64 * 1024;

    private final DebugTarget target;
    private final Sources sources;

    public MonitorCommands(DebugTarget target, Sources sources) {
        this.target = target;
        this.sources = sources;
    }

    /** Runs one command line; returns the text to show. Never throws. */
    public String run(String line) {
        String[] w = line.trim().split("\\s+");
        try {
            return switch (w[0]) {
                case "", "help" -> """
                        vmscope monitor commands:
                          help              this list
                          stats             VM exit statistics
                          lapic             local APIC state of every vCPU
                          recorder          flight recorder: the last exits of every vCPU
                          phys ADDR LEN     hex dump of guest-physical memory (LEN <= 65536)
                          dump-core FILE    write an ELF core of the VM (load it with gdb's core-file)
                        """;
                case "stats" -> text(sources.stats(), "exit statistics");
                case "lapic" -> text(sources.lapic(), "LAPIC state");
                case "recorder" -> sources.recorder() == null ? "no flight recorder in this VM\n" : sources.recorder().dump();
                case "phys" -> phys(w);
                case "dump-core" -> {
                    if (w.length != 2) yield "usage: dump-core FILE\n";
                    Path p = Path.of(w[1]);
                    ElfCoreWriter.write(target, p);
                    yield "core written to " + p.toAbsolutePath() + "\n";
                }
                default -> "unknown monitor command '" + w[0] + "' (try 'monitor help')\n";
            };
        } catch (Exception e) {
            return "monitor " + w[0] + ": " + e.getMessage() + "\n";
        }
    }

    private static String text(Supplier<String> s, String what) {
        if (s == null) return "no " + what + " available\n";
        String t = s.get();
        return t.endsWith("\n") ? t : t + "\n";
    }

    private String phys(String[] w) {
        if (w.length != 3) return "usage: phys ADDR LEN\n";
        long addr = parseNumber(w[1]);
        long len = parseNumber(w[2]);
        if (len <= 0 || len > MAX_PHYS_DUMP) return "phys: LEN must be 1.." + MAX_PHYS_DUMP + "\n";
        if (!target.memory().isRam(addr, len)) return String.format("phys: 0x%x+%d is not guest RAM%n", addr, len);
        return hexDump(addr, target.readPhysical(addr, (int) len));
    }

    static long parseNumber(String s) {
        return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseUnsignedLong(s);
    }

    /** 16 bytes per line: address, hex, printable ASCII. */
    public static String hexDump(long addr, byte[] data) {
        StringBuilder sb = new StringBuilder();
        HexFormat hf = HexFormat.of();
        for (int i = 0; i < data.length; i += 16) {
            sb.append(String.format("%016x: ", addr + i));
            StringBuilder ascii = new StringBuilder();
            for (int j = i; j < i + 16; j++) {
                if (j < data.length) {
                    sb.append(hf.toHexDigits(data[j])).append(' ');
                    int c = data[j] & 0xff;
                    ascii.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
                } else sb.append("   ");
            }
            sb.append(' ').append(ascii).append('\n');
        }
        return sb.toString();
    }
}
