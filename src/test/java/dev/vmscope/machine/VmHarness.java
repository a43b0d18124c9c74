package dev.vmscope.machine;

import dev.vmscope.bus.BusDevice;
import dev.vmscope.bus.BusRange;
import dev.vmscope.kvm.Kvm;
import dev.vmscope.vcpu.ExitStats;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Boots a guest from guests/ on real KVM inside the test JVM and captures what it printed. */
public final class VmHarness {
    /** {@code debugcon} is what the guest wrote to port 0x402; {@code wallNanos} how long the VM ran. */
    public record Result(int status, String console, String diag, String stopMessage, List<ExitStats> stats,
                         long deviceFaults, String debugcon, long wallNanos) {}

    private VmHarness() {}

    /** Crash reports from tests go under target/, never into the working tree. */
    public static final dev.vmscope.debug.DebugOptions TEST_DEBUG = new dev.vmscope.debug.DebugOptions(null, false, null,
            Path.of(System.getProperty("vmscope.basedir", "."), "target", "test-crashes"));

    /**
     * {@code -Dvmscope.test.accel=emu} runs every machine test on the software CPU even where /dev/kvm exists: the
     * pom's {@code both-backends} profile (active when /dev/kvm exists) runs the machine tests a second time so
     * the same assertions hold on both backends.
     */
    static final boolean FORCE_EMU = "emu".equals(System.getProperty("vmscope.test.accel"));

    /** Whether this run is on the software CPU (no usable /dev/kvm, or forced). */
    public static boolean onEmulator() {
        return FORCE_EMU || !(Files.isReadable(Path.of(Kvm.DEVICE)) && Files.isWritable(Path.of(Kvm.DEVICE)));
    }

    public static void assumeKvm() {
        Path dev = Path.of(Kvm.DEVICE);
        assumeTrue(!FORCE_EMU, "this run forces the software CPU (-Dvmscope.test.accel=emu)");
        assumeTrue(Files.isReadable(dev) && Files.isWritable(dev), "/dev/kvm is not available");
    }

    /** {@code cfg} on the software CPU when this run forces it and the test left the choice to auto. */
    static MachineConfig backendFor(MachineConfig cfg) {
        return FORCE_EMU && cfg.accel() == MachineConfig.Accel.AUTO ? cfg.withAccel(MachineConfig.Accel.EMU, cfg.deterministic()) : cfg;
    }

    public static Path guest(String name) {
        String dir = System.getProperty("vmscope.guests", "target/classes/guests");
        Path p = Path.of(dir, name + ".elf");
        if (!Files.exists(p)) throw new IllegalStateException("guest not built: " + p);
        return p;
    }

    public static MachineConfig config(Path kernel, String append) {
        return config(kernel, append, 1, MachineConfig.IrqchipMode.KERNEL);
    }

    public static MachineConfig config(Path kernel, String append, MachineConfig.IrqchipMode irqchip, int smp) {
        return config(kernel, append, smp, irqchip);
    }

    /** {@code smp} vCPUs with the given interrupt controllers (--smp, --irqchip). */
    public static MachineConfig config(Path kernel, String append, int smp, MachineConfig.IrqchipMode irqchip) {
        return new MachineConfig(32L << 20, smp, irqchip, kernel, append, List.of(), null, false, 60_000, null,
                false, TEST_DEBUG, null);
    }

    /** {@code base} with another CPU count and interrupt-controller mode. */
    public static MachineConfig with(MachineConfig base, int smp, MachineConfig.IrqchipMode irqchip) {
        return new MachineConfig(base.ramBytes(), smp, irqchip, base.kernel(), base.append(), base.modules(), base.bios(),
                base.trace(), base.timeoutMillis(), base.statsJson(), base.summary(), base.debug(), base.flat());
    }

    /** The same with --trace on (trace lines go to the diagnostic stream) and a timeout in milliseconds. */
    public static MachineConfig traced(MachineConfig c, boolean trace, long timeoutMillis) {
        return new MachineConfig(c.ramBytes(), c.smp(), c.irqchip(), c.kernel(), c.append(), c.modules(), c.bios(),
                trace, timeoutMillis, c.statsJson(), c.summary(), c.debug(), c.flat());
    }

    public static Result run(MachineConfig cfg) throws InterruptedException { return run(cfg, m -> { }); }

    /** Runs {@code cfg}; {@code setup} may register extra devices before the vCPUs start. */
    public static Result run(MachineConfig cfg, Consumer<Machine> setup) throws InterruptedException {
        return run(cfg, setup, m -> { });
    }

    /** As {@link #run(MachineConfig, Consumer)}; {@code after} sees the stopped machine (its memory) before it closes. */
    public static Result run(MachineConfig cfg, Consumer<Machine> setup, Consumer<Machine> after) throws InterruptedException {
        return run(cfg, setup, after, (m, line) -> { });
    }

    /**
     * As above; {@code debugconLine} sees each complete line the guest writes to port 0x402, on the vCPU
     * thread that wrote it, so that vCPU is stopped at a known point while the callback inspects the machine.
     */
    public static Result run(MachineConfig cfg, Consumer<Machine> setup, Consumer<Machine> after,
                             java.util.function.BiConsumer<Machine, String> debugconLine) throws InterruptedException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        Machine[] self = new Machine[1];
        LineTap debugcon = new LineTap(line -> debugconLine.accept(self[0], line));
        PrintStream diagStream = new PrintStream(diag, true, StandardCharsets.UTF_8);
        Machine m = MachineBuilder.build(backendFor(cfg), console, debugcon, diagStream);
        self[0] = m;
        try {
            setup.accept(m);
            Thread watchdog = stackDumpBefore(m, cfg.timeoutMillis() - 1000, diagStream);
            int status = m.run();
            watchdog.interrupt();
            if (status == dev.vmscope.vcpu.ExitStatus.TIMEOUT) diagStream.print(stateAfterTimeout(m));
            after.accept(m);
            return new Result(status, console.toString(StandardCharsets.ISO_8859_1), diag.toString(StandardCharsets.UTF_8),
                    m.stopMessage(), m.stats(), m.pio().deviceFaults() + m.mmio().deviceFaults(),
                    debugcon.toString(StandardCharsets.ISO_8859_1), m.wallNanos());
        } finally {
            m.close();
        }
    }

    /** Shortly before the timeout, the vCPU threads' Java stacks go to the diagnostics (hang analysis). */
    private static Thread stackDumpBefore(Machine m, long millis, PrintStream diag) {
        return Thread.ofPlatform().daemon(true).start(() -> {
            try { Thread.sleep(Math.max(1, millis)); } catch (InterruptedException e) { return; }
            StringBuilder sb = new StringBuilder("--- vCPU threads 1 s before the timeout:\n");
            for (dev.vmscope.vcpu.Vcpu v : m.vcpus()) {
                Thread t = v.thread();
                if (t == null) continue;
                sb.append(t.getName()).append(' ').append(t.getState()).append('\n');
                for (StackTraceElement e : t.getStackTrace()) sb.append("    at ").append(e).append('\n');
            }
            diag.print(sb);
        });
    }

    /** Where each vCPU stopped and the interrupt controllers, so that a hang can be understood. */
    private static String stateAfterTimeout(Machine m) {
        StringBuilder sb = new StringBuilder("--- state after the timeout:\n");
        for (dev.vmscope.vcpu.Vcpu v : m.vcpus()) {
            try {
                var st = v.cpu().state();
                sb.append(String.format("vCPU %d: RIP 0x%x RFLAGS 0x%x mp-state %s events %s thread %s%n", v.id(),
                        st.rip(), st.rflags(), st.mpState(), st.events(), v.thread() == null ? "-" : v.thread().getState()));
            } catch (RuntimeException e) {
                sb.append("vCPU ").append(v.id()).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return sb.append(m.interruptControllerState()).toString();
    }

    /** Keeps every byte written and hands each complete line to a listener. */
    private static final class LineTap extends ByteArrayOutputStream {
        private final Consumer<String> onLine;
        private final StringBuilder line = new StringBuilder();

        LineTap(Consumer<String> onLine) { this.onLine = onLine; }

        @Override public synchronized void write(int b) {
            super.write(b);
            if (b != '\n') { line.append((char) (b & 0xff)); return; }
            String l = line.toString();
            line.setLength(0);
            onLine.accept(l);
        }
    }

    /** A port device that records every write, for string I/O tests. */
    public static final class Recorder implements BusDevice {
        public final List<long[]> writes = new java.util.concurrent.CopyOnWriteArrayList<>();

        public long read(long offset, int size) { return 0; }

        public void write(long offset, int size, long value) { writes.add(new long[] {offset, size, value}); }

        public void attach(Machine m, int port, int len) { m.pio().register(new BusRange(port, len), this, "recorder"); }
    }
}
