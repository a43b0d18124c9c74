package dev.vmscope.hypervisor;

/**
 * Why KVM_RUN returned, decoded from struct kvm_run into a plain record, so exits can be logged, traced and
 * tested without KVM. Data an exit needs back (IN, MMIO read) is returned through {@link VcpuFd}.
 * Numbering: KVM_EXIT_* in include/uapi/linux/kvm.h.
 */
public sealed interface VcpuExit {
    /** KVM_EXIT_* code. */
    int code();

    /** KVM_EXIT_IO, direction in: the VMM supplies {@code size * count} bytes via VcpuFd.completeIn. */
    record IoIn(int port, int size, int count) implements VcpuExit {
        public int code() { return ExitReason.IO; }
    }

    /** KVM_EXIT_IO, direction out: {@code data} holds {@code size * count} bytes in guest order. */
    record IoOut(int port, int size, int count, byte[] data) implements VcpuExit {
        public int code() { return ExitReason.IO; }

        /** The value of element {@code i} (little-endian). */
        public long value(int i) {
            long v = 0;
            for (int b = size - 1; b >= 0; b--) v = (v << 8) | (data[i * size + b] & 0xff);
            return v;
        }
    }

    record MmioRead(long address, int length) implements VcpuExit {
        public int code() { return ExitReason.MMIO; }
    }

    record MmioWrite(long address, int length, long value) implements VcpuExit {
        public int code() { return ExitReason.MMIO; }
    }

    record Hlt() implements VcpuExit {
        public int code() { return ExitReason.HLT; }
    }

    /** Triple fault or other shutdown condition. */
    record Shutdown() implements VcpuExit {
        public int code() { return ExitReason.SHUTDOWN; }
    }

    /** VM entry failed; the reason is the hardware's (VMX basic exit reason or SVM exit code). */
    record FailEntry(long hardwareReason, int cpu) implements VcpuExit {
        public int code() { return ExitReason.FAIL_ENTRY; }
    }

    /** KVM_EXIT_INTERNAL_ERROR; {@code insn} holds the instruction bytes for emulation failures when KVM gave them. */
    record InternalError(int suberror, long[] data, byte[] insn) implements VcpuExit {
        public int code() { return ExitReason.INTERNAL_ERROR; }
    }

    record SystemEvent(int type, long[] data) implements VcpuExit {
        public int code() { return ExitReason.SYSTEM_EVENT; }
    }

    /**
     * Single-step, hardware breakpoint or watchpoint (KVM_EXIT_DEBUG). {@code watch}: the index in
     * {@link GuestDebug#watches()} of the watched range that fired, or -1 (slots report in DR6 B0-B3).
     */
    record Debug(int exception, long pc, long dr6, long dr7, int watch) implements VcpuExit {
        public Debug(int exception, long pc, long dr6, long dr7) { this(exception, pc, dr6, dr7, -1); }

        public int code() { return ExitReason.DEBUG; }
    }

    record IrqWindowOpen() implements VcpuExit {
        public int code() { return ExitReason.IRQ_WINDOW_OPEN; }
    }

    /** KVM_RUN was interrupted by a signal (a kick) or immediate_exit. */
    record Interrupted() implements VcpuExit {
        public int code() { return ExitReason.INTR; }
    }

    /**
     * {@link VirtualCpu#run(long)} retired its instruction budget (deterministic mode's quantum or the next timer
     * deadline). Numbered as KVM_EXIT_INTR: like a kick, it only means "the VMM has the CPU back".
     */
    record BudgetUsed() implements VcpuExit {
        public int code() { return ExitReason.INTR; }
    }

    record Exception(int vector, int errorCode) implements VcpuExit {
        public int code() { return ExitReason.EXCEPTION; }
    }

    record Hypercall(long nr, long[] args) implements VcpuExit {
        public int code() { return ExitReason.HYPERCALL; }
    }

    record RdMsr(int index) implements VcpuExit {
        public int code() { return ExitReason.X86_RDMSR; }
    }

    record WrMsr(int index, long value) implements VcpuExit {
        public int code() { return ExitReason.X86_WRMSR; }
    }

    record IoapicEoi(int vector) implements VcpuExit {
        public int code() { return ExitReason.IOAPIC_EOI; }
    }

    /** KVM_EXIT_UNKNOWN: the hardware exit reason KVM could not handle. */
    record Unknown(long hardwareReason) implements VcpuExit {
        public int code() { return ExitReason.UNKNOWN; }
    }

    /** An exit reason vmscope does not decode; never an error by itself. */
    record Unsupported(int code) implements VcpuExit {}
}
