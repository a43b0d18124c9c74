package dev.vmscope.explain.stats;


import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Streaming parser for KVM tracepoint text as printed by "trace-cmd report" ("comm-pid [cpu] ts: kvm_exit: ...")
 * and "perf script" ("comm pid [cpu] ts: kvm:kvm_exit: ..."). Works on bytes in a reused buffer: no regex and no
 * String per line. Payload layouts are the TP_printk formats of linux arch/x86/kvm/trace.h (kvm_exit, kvm_entry,
 * kvm_pio, kvm_msr, kvm_cpuid, kvm_apic, kvm_inj_exception) and include/trace/events/kvm.h (kvm_mmio); other
 * events (kvm_page_fault, kvm_inj_virq, ...) are counted by name.
 *
 * <p>Also reads vmscope's own {@code --trace} output (dev.vmscope.vcpu.ExitTrace: "SECONDS vcpuN KIND details"),
 * where KIND is an exit (io, mmio, hlt, intr, ... = KVM_EXIT_*) or an event (ipi, inject); the "vmscope:" lines
 * and the exit summary printed to the same stream are skipped.
 */
public final class TraceScanner {
    public static final int MAX_REPORTED = 50;
    private static final int BUF = 8 << 20;
    private static final String EXPECTED = "'COMM-PID [CPU] SECONDS: EVENT: FIELDS' (trace-cmd report / perf script)"
            + " or 'SECONDS vcpuN KIND DETAILS' (vmscope run --trace)";

    private final TraceStats st;
    private final List<SkippedLine> unparsed = new ArrayList<>();
    private long badLines, lineNo, kvmLines;

    private static final byte[] KVM_EXIT = ascii("kvm_exit"), KVM_ENTRY = ascii("kvm_entry"), KVM_PIO = ascii("kvm_pio"),
            KVM_MMIO = ascii("kvm_mmio"), KVM_MSR = ascii("kvm_msr"), KVM_INJ_EXC = ascii("kvm_inj_exception"),
            KVM_CPUID = ascii("kvm_cpuid"), KVM_APIC = ascii("kvm_apic"),
            VCPU = ascii("vcpu "), REASON = ascii("reason "), RIP = ascii(" rip 0x"), WRITE = ascii("write"),
            AT = ascii("at 0x"), GPA = ascii("gpa 0x"), MSR_W = ascii("msr_write");

    private final int bufSize;

    public TraceScanner(TraceStats st) { this(st, BUF); }

    /** With a chosen read-buffer size (tests use tiny ones to exercise lines split across reads). */
    TraceScanner(TraceStats st, int bufSize) {
        this.st = st;
        this.bufSize = Math.max(64, bufSize);
    }

    private static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    public List<SkippedLine> unparsed() { return unparsed; }

    /** Lines that were neither trace events nor headers. */
    public long badLines() { return badLines; }

    public long lines() { return lineNo; }

    /** Lines that carried a recognised event. */
    public long eventLines() { return kvmLines; }

    /** Scans a whole file in fixed-size chunks; {@code progress} receives bytes consumed so far (may be null). */
    public void scan(Path file, LongConsumer progress) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            scan(in, progress);
        }
    }

    /**
     * Scans a stream (stdin, a FIFO, a decompressed file) in fixed-size chunks: memory stays at one buffer
     * whatever the length. {@code progress} receives the text bytes consumed so far (may be null).
     */
    public void scan(InputStream in, LongConsumer progress) throws IOException {
        byte[] buf = new byte[bufSize];
        int have = 0;
        long done = 0;
        while (true) {
            int r = in.read(buf, have, buf.length - have);
            if (r < 0) break;
            have += r;
            int consumed = lines(buf, 0, have, false);
            if (consumed == 0 && have == buf.length) {
                // One line longer than the buffer: report it and drop it.
                lineNo++;
                bad(buf, 0, Math.min(have, 200));
                consumed = have;
            }
            System.arraycopy(buf, consumed, buf, 0, have - consumed);
            have -= consumed;
            done += consumed;
            if (progress != null) progress.accept(done);
        }
        lines(buf, 0, have, true);
        if (progress != null) progress.accept(done + have);
    }

    /** Scans text held in memory. */
    public void scan(byte[] data) { lines(data, 0, data.length, true); }

    /** Processes whole lines in b[s..e); returns bytes consumed. With {@code last}, a final unterminated line too. */
    private int lines(byte[] b, int s, int e, boolean last) {
        int p = s;
        while (p < e) {
            int nl = p;
            while (nl < e && b[nl] != '\n') nl++;
            if (nl == e && !last) break;
            lineNo++;
            int end = nl > p && b[nl - 1] == '\r' ? nl - 1 : nl;
            line(b, p, end);
            p = nl + 1;
        }
        return Math.min(p, e) - s;
    }

    private void line(byte[] b, int s, int e) {
        while (s < e && (b[s] == ' ' || b[s] == '\t')) s++;
        if (s == e) return;
        if (b[s] == '#' || startsWith(b, s, e, "cpus=") || startsWith(b, s, e, "version")) return;
        // vmscope --trace output captured with its diagnostics: "vmscope: ..." lines and the exit summary.
        if (startsWith(b, s, e, "vmscope:")) return;
        if (startsWith(b, s, e, "exit summary:")) { inSummary = true; return; }
        if (b[s] >= '0' && b[s] <= '9' && vmscopeLine(b, s, e)) { inSummary = false; return; }
        if (inSummary) return;
        int lb = indexOf(b, s, e, (byte) '[');
        int rb = lb < 0 ? -1 : indexOf(b, lb, e, (byte) ']');
        if (rb < 0) {
            bad(b, s, e);
            return;
        }
        // Host thread id: the digits just before the '[' ("qemu-1234 [" or "CPU 0/KVM  1234 [").
        int q = lb - 1;
        while (q > s && b[q] == ' ') q--;
        long tid = 0, mul = 1;
        while (q >= s && b[q] >= '0' && b[q] <= '9' && mul < 1_000_000_000_000L) {
            tid += (b[q] - '0') * mul;
            mul *= 10;
            q--;
        }
        // Timestamp: first token after ']' that starts with a digit and ends with ':' (skips latency flags).
        int p = rb + 1;
        long ts = NO_TS;
        for (int tok = 0; tok < 3 && p < e; tok++) {
            while (p < e && b[p] == ' ') p++;
            int t = p;
            while (p < e && b[p] != ' ') p++;
            if (p - t >= 2 && b[p - 1] == ':' && b[t] >= '0' && b[t] <= '9') {
                ts = seconds(b, t, p - 1);
                break;
            }
        }
        if (ts == NO_TS) {
            bad(b, s, e);
            return;
        }
        while (p < e && b[p] == ' ') p++;
        int ns = p;
        while (p < e && b[p] != ' ') p++;
        int ne = p;
        if (ne > ns && b[ne - 1] == ':') ne--;
        for (int i = ne - 1; i >= ns; i--) {
            if (b[i] == ':') { // perf script "kvm:kvm_exit"
                ns = i + 1;
                break;
            }
        }
        if (ne <= ns) {
            bad(b, s, e);
            return;
        }
        while (p < e && b[p] == ' ') p++;
        st.timestamp(ts);
        kvmLines++;
        int len = ne - ns;
        // The two events that make up most of any trace skip the name table.
        if (len == 8 && eq(b, ns, KVM_EXIT)) {
            st.event(exitId < 0 ? exitId = st.events.id(b, ns, ne) : exitId);
            exit(b, p, e, tid, ts);
            return;
        }
        if (len == 9 && eq(b, ns, KVM_ENTRY)) {
            st.event(entryId < 0 ? entryId = st.events.id(b, ns, ne) : entryId);
            entry(b, p, e, tid, ts);
            return;
        }
        st.event(st.events.id(b, ns, ne));
        if (len == 7 && eq(b, ns, KVM_PIO)) pio(b, p, e);
        else if (len == 8 && eq(b, ns, KVM_MMIO)) mmio(b, p, e);
        else if (len == 7 && eq(b, ns, KVM_MSR)) msr(b, p, e);
        else if (len == 9 && eq(b, ns, KVM_CPUID)) {
            long leaf = hexAt(b, startsWith(b, p, e, "func ") ? p + 5 : e, e);
            if (hexOk) st.cpuid.add(leaf);
        } else if (len == 8 && eq(b, ns, KVM_APIC)) {
            int t = p;
            while (t < e && b[t] != ' ') t++; // "apic_write"
            int r = ++t;
            while (r < e && b[r] != ' ') r++; // register name, e.g. APIC_ICR
            if (r > t) st.apic(st.apicRegs.id(b, t, r));
        } else if (len == 17 && eq(b, ns, KVM_INJ_EXC)) {
            int t = p;
            while (p < e && b[p] != ' ') p++;
            st.exception(st.exceptions.id(b, t, p));
        }
    }

    private int exitId = -1, entryId = -1;
    private boolean inSummary;
    private final byte[] scratch = new byte[64];
    private static final byte[] KVM_EXIT_PREFIX = ascii("KVM_EXIT_"), PORT = ascii("port=0x"), ADDR = ascii("addr=0x");

    /**
     * "%11.6f vcpu%d %-7s details" (ExitTrace.head). Returns false, consuming nothing, when the line does not
     * have that shape, so KVM tracepoint lines are never mistaken for it.
     */
    private boolean vmscopeLine(byte[] b, int s, int e) {
        int p = s;
        while (p < e && b[p] >= '0' && b[p] <= '9') p++;
        if (p == e || b[p] != '.') return false;
        p++;
        int f = p;
        while (p < e && b[p] >= '0' && b[p] <= '9') p++;
        if (p == f || p == e || b[p] != ' ') return false;
        while (p < e && b[p] == ' ') p++;
        if (!startsWith(b, p, e, "vcpu")) return false;
        int tsEnd = p;
        while (tsEnd > s && b[tsEnd - 1] == ' ') tsEnd--;
        p += 4;
        int d = p;
        long vcpu = 0;
        while (p < e && b[p] >= '0' && b[p] <= '9' && p - d < 9) vcpu = vcpu * 10 + (b[p++] - '0');
        if (p == d || p == e || b[p] != ' ') return false;
        while (p < e && b[p] == ' ') p++;
        int ks = p;
        while (p < e && ((b[p] >= 'a' && b[p] <= 'z') || (b[p] >= '0' && b[p] <= '9') || b[p] == '_')) p++;
        int ke = p;
        if (ke == ks || (p < e && b[p] != ' ')) return false;
        long ts = seconds(b, s, tsEnd);
        if (ts == NO_TS) return false;
        st.timestamp(ts);
        kvmLines++;
        st.vmscopeLines++;
        st.event(st.events.id(b, ks, ke));
        if (startsWith(b, ks, ke, "ipi") && ke - ks == 3 || startsWith(b, ks, ke, "inject") && ke - ks == 6) return true;
        // An exit: KVM_EXIT_ + the upper-cased short name (ExitReason.shortName is the inverse).
        int n = 0;
        boolean prefixed = startsWith(b, ks, ke, "exit_");
        if (!prefixed) for (byte c : KVM_EXIT_PREFIX) scratch[n++] = c;
        for (int i = ks; i < ke && n < scratch.length; i++) scratch[n++] = (byte) (b[i] >= 'a' && b[i] <= 'z' ? b[i] - 32 : b[i]);
        st.userspaceExit(vcpu, ts, st.reasons.id(scratch, 0, n));
        if (ke - ks == 2 && startsWith(b, ks, ke, "io")) {
            while (p < e && b[p] == ' ') p++;
            boolean write = startsWith(b, p, e, "out");
            int a = find(b, p, e, PORT);
            if (a >= 0) {
                long port = hexAt(b, a + PORT.length, e);
                if (hexOk) st.ports.add((port & 0xffffffffL) | (write ? 1L << 32 : 0));
            }
        } else if (ke - ks == 4 && startsWith(b, ks, ke, "mmio")) {
            int a = find(b, p, e, ADDR);
            if (a >= 0) {
                long gpa = hexAt(b, a + ADDR.length, e);
                if (hexOk) st.mmio.add(gpa);
            }
        }
        return true;
    }

    // "vcpu %u reason %s%s%s rip 0x%lx info1 ..." (newer) or "reason %s rip 0x%lx info %llx %llx" (older kernels).
    private void exit(byte[] b, int p, int e, long tid, long ts) {
        long vcpu = -1;
        if (startsWith(b, p, e, VCPU)) {
            p += VCPU.length;
            vcpu = 0;
            int d = p;
            while (p < e && b[p] >= '0' && b[p] <= '9' && p - d < 9) vcpu = vcpu * 10 + (b[p++] - '0');
            if (p == d) vcpu = -1;
            while (p < e && b[p] == ' ') p++;
        }
        int reason = -1;
        if (startsWith(b, p, e, REASON)) {
            p += REASON.length;
            int rs = p;
            while (p < e && b[p] != ' ') p++;
            if (p > rs) {
                reason = st.reasons.id(b, rs, p);
                byte c = b[rs];
                if (c >= 'A' && c <= 'Z') st.vmxNames++;
                else if (c >= 'a' && c <= 'z') st.svmNames++;
            }
        }
        int r = find(b, p, e, RIP);
        long rip = 0;
        boolean hasRip = false;
        if (r >= 0) {
            int h = r + RIP.length;
            int hs = h;
            while (h < e && h - hs < 16) {
                int d = hexDigit(b[h]);
                if (d < 0) break;
                rip = (rip << 4) | d;
                h++;
            }
            hasRip = h > hs;
        }
        if (vcpu >= 0) st.exit(vcpu, false, ts, reason, rip, hasRip);
        else st.exit(tid, true, ts, reason, rip, hasRip);
    }

    // "vcpu %u, rip 0x%lx" (newer) or "vcpu %u" (older).
    private void entry(byte[] b, int p, int e, long tid, long ts) {
        if (startsWith(b, p, e, VCPU)) {
            p += VCPU.length;
            long v = 0;
            int d = p;
            while (p < e && b[p] >= '0' && b[p] <= '9' && p - d < 9) v = v * 10 + (b[p++] - '0');
            if (p > d) {
                st.entry(v, true, tid, ts);
                return;
            }
        }
        st.entry(-1, false, tid, ts);
    }

    // "pio_%s at 0x%x size %d count %d val 0x%x %s"
    private void pio(byte[] b, int p, int e) {
        boolean write = startsWith(b, p, e, "pio_write");
        int a = find(b, p, e, AT);
        if (a < 0) return;
        long port = hexAt(b, a + AT.length, e);
        if (hexOk) st.ports.add((port & 0xffffffffL) | (write ? 1L << 32 : 0));
    }

    // "mmio %s len %u gpa 0x%llx val 0x%llx"
    private void mmio(byte[] b, int p, int e) {
        int a = find(b, p, e, GPA);
        if (a < 0) return;
        long gpa = hexAt(b, a + GPA.length, e);
        if (hexOk) st.mmio.add(gpa);
    }

    // "msr_%s %x = 0x%llx%s"
    private void msr(byte[] b, int p, int e) {
        boolean write = startsWith(b, p, e, MSR_W);
        while (p < e && b[p] != ' ') p++;
        while (p < e && b[p] == ' ') p++;
        long idx = hexAt(b, p, e);
        if (hexOk) st.msrs.add((idx & 0xffffffffL) | (write ? 1L << 32 : 0));
    }

    private boolean hexOk;

    /** Up to 16 hex digits at b[p..); sets {@link #hexOk} to whether there was at least one. */
    private long hexAt(byte[] b, int p, int e) {
        long v = 0;
        int s = p;
        while (p < e && p - s < 16) {
            int d = hexDigit(b[p]);
            if (d < 0) break;
            v = (v << 4) | d;
            p++;
        }
        hexOk = p > s;
        return v;
    }

    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** Marks a token that is no timestamp. */
    static final long NO_TS = Long.MIN_VALUE;
    private long baseSeconds = -1;

    /**
     * "SECONDS.FRACTION" (fractions of 6 or 9 digits, as trace-cmd and perf print) to nanoseconds, or an integer
     * timestamp (trace-cmd's counter and x86-tsc clocks) as ticks. Times are kept relative to the first
     * timestamp's whole seconds, so epoch-scale or TSC-scale values cannot overflow; up to 19 integer digits.
     */
    private long seconds(byte[] b, int s, int e) {
        long sec = 0;
        int i = s;
        while (i < e && b[i] >= '0' && b[i] <= '9') {
            if (i - s >= 19 || sec > (Long.MAX_VALUE - 9) / 10) return NO_TS;
            sec = sec * 10 + (b[i++] - '0');
        }
        if (i == s) return NO_TS;
        if (i == e) {
            st.tickClock = true;
            if (baseSeconds < 0) baseSeconds = sec;
            return sec - baseSeconds;
        }
        if (b[i] != '.') return NO_TS;
        i++;
        long frac = 0;
        int digits = 0;
        while (i < e && b[i] >= '0' && b[i] <= '9') {
            if (digits < 9) frac = frac * 10 + (b[i] - '0');
            digits++;
            i++;
        }
        if (i != e || digits == 0) return NO_TS;
        for (int d = digits; d < 9; d++) frac *= 10;
        if (baseSeconds < 0) baseSeconds = sec;
        long rel = sec - baseSeconds;
        if (Math.abs(rel) > Long.MAX_VALUE / 1_000_000_000L - 1) return NO_TS;
        return rel * 1_000_000_000L + frac;
    }

    private void bad(byte[] b, int s, int e) {
        badLines++;
        if (unparsed.size() < MAX_REPORTED) {
            String t = new String(b, s, Math.min(e - s, 200), StandardCharsets.UTF_8);
            unparsed.add(new SkippedLine((int) Math.min(lineNo, Integer.MAX_VALUE), t, EXPECTED));
        }
    }

    private static boolean eq(byte[] b, int s, byte[] lit) {
        for (int i = 0; i < lit.length; i++) if (b[s + i] != lit[i]) return false;
        return true;
    }

    private static boolean startsWith(byte[] b, int s, int e, byte[] lit) {
        return e - s >= lit.length && eq(b, s, lit);
    }

    private static boolean startsWith(byte[] b, int s, int e, String lit) {
        if (e - s < lit.length()) return false;
        for (int i = 0; i < lit.length(); i++) if (b[s + i] != lit.charAt(i)) return false;
        return true;
    }

    private static int indexOf(byte[] b, int s, int e, byte c) {
        for (int i = s; i < e; i++) if (b[i] == c) return i;
        return -1;
    }

    private static int find(byte[] b, int s, int e, byte[] lit) {
        int last = e - lit.length;
        byte first = lit[0];
        for (int i = s; i <= last; i++) if (b[i] == first && eq(b, i, lit)) return i;
        return -1;
    }
}
