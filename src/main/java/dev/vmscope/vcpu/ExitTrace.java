package dev.vmscope.vcpu;

import dev.vmscope.hypervisor.ExitReason;
import dev.vmscope.hypervisor.VcpuExit;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * --trace: one line per exit, "T+seconds vcpuN REASON details". Lines are built whole and printed with
 * one call so vCPU threads never interleave within a line. T is host time since the start, or in
 * deterministic mode the guest's virtual time, so two runs print the same bytes.
 */
public final class ExitTrace {
    private final PrintStream out;
    private final LongSupplier clock;
    private final long start;

    public ExitTrace(PrintStream out) { this(out, System::nanoTime); }

    /** @param clock nanoseconds the T column counts from construction (host or virtual time) */
    public ExitTrace(PrintStream out, LongSupplier clock) {
        this.out = out;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    private String head(int vcpu, String reason) {
        double t = (clock.getAsLong() - start) / 1e9;
        return String.format("%11.6f vcpu%d %-7s", t, vcpu, reason);
    }

    void io(int vcpu, boolean in, int port, int size, int count, byte[] data) {
        StringBuilder sb = new StringBuilder(head(vcpu, "io"));
        sb.append(in ? " in  " : " out ").append(String.format("port=0x%04x size=%d count=%d data=", port, size, count));
        int n = Math.min(count, 16);
        for (int i = 0; i < n; i++) {
            long v = 0;
            for (int b = size - 1; b >= 0; b--) v = (v << 8) | (data[i * size + b] & 0xff);
            if (i > 0) sb.append(',');
            sb.append(String.format("%0" + (size * 2) + "x", v));
        }
        if (count > n) sb.append(",...");
        out.println(sb);
    }

    void mmio(int vcpu, boolean write, long addr, int len, long value) {
        out.println(head(vcpu, "mmio") + String.format(" %s addr=0x%x size=%d data=0x%x", write ? "write" : "read ", addr, len, value));
    }

    void simple(int vcpu, VcpuExit exit, String detail) {
        out.println(head(vcpu, ExitReason.shortName(exit.code())) + (detail.isEmpty() ? "" : " " + detail));
    }

    /** Free-form event lines (IPIs, interrupt injection) in the same format. */
    public void event(int vcpu, String kind, String detail) {
        out.println(head(vcpu, kind) + " " + detail);
    }
}
