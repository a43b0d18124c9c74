package dev.vmscope.input;

/**
 * What the first bytes of an input say it is. Magic numbers: gzip RFC 1952 section 2.3.1 (1f 8b); xz file
 * format 1.0.4 section 2.1.1.1 (fd '7zXZ' 00); zstd RFC 8878 section 3.1.1 (28 b5 2f fd); bzip2 "BZh";
 * trace-cmd's trace.dat (trace-cmd.dat(5): 17 08 44 "tracing"); perf.data (tools/perf/util/header.c:
 * "PERFILE2"); ELF (7f 'ELF'); zip "PK\3\4"; pcap (a1b2c3d4 either order).
 */
public enum Magic {
    GZIP, XZ, ZSTD, BZIP2, TRACE_DAT, PERF_DATA, ELF, ZIP, PCAP, NONE;

    public static Magic of(byte[] b, int n) {
        if (n >= 2 && u(b[0]) == 0x1f && u(b[1]) == 0x8b) return GZIP;
        if (n >= 6 && u(b[0]) == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z' && b[5] == 0) return XZ;
        if (n >= 4 && u(b[0]) == 0x28 && u(b[1]) == 0xb5 && u(b[2]) == 0x2f && u(b[3]) == 0xfd) return ZSTD;
        if (n >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9') return BZIP2;
        if (n >= 10 && b[0] == 0x17 && b[1] == 0x08 && b[2] == 0x44 && startsWith(b, 3, "tracing")) return TRACE_DAT;
        if (n >= 8 && startsWith(b, 0, "PERFILE2")) return PERF_DATA;
        if (n >= 4 && u(b[0]) == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') return ELF;
        if (n >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4) return ZIP;
        if (n >= 4 && ((u(b[0]) == 0xd4 && u(b[1]) == 0xc3 && u(b[2]) == 0xb2 && u(b[3]) == 0xa1)
                || (u(b[0]) == 0xa1 && u(b[1]) == 0xb2 && u(b[2]) == 0xc3 && u(b[3]) == 0xd4))) return PCAP;
        return NONE;
    }

    /** Why a binary input cannot be read, and the command that makes text of it. */
    public String advice(String name) {
        String q = Inputs.shellQuote(name);
        return switch (this) {
            case TRACE_DAT -> "a binary trace-cmd recording (trace.dat); turn it into text with: trace-cmd report -i " + q + " > trace.txt";
            case PERF_DATA -> "a binary perf recording (perf.data); turn it into text with: perf script -i " + q
                    + " > trace.txt (or: perf kvm stat report -i " + q + ")";
            case BZIP2 -> "bzip2-compressed, which vmscope does not read; use: bzip2 -dc " + q + " | vmscope COMMAND -";
            case ELF -> "an ELF file (a kernel or a core dump), not a text dump; a kernel runs with: vmscope run --kernel " + q;
            case ZIP -> "a zip archive; extract it first: unzip " + q;
            case PCAP -> "a packet capture, not a hypervisor dump or trace";
            default -> "not text";
        };
    }

    private static int u(byte x) { return x & 0xff; }

    private static boolean startsWith(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) if (b[at + i] != s.charAt(i)) return false;
        return true;
    }
}
