package dev.vmscope.machine;

import dev.vmscope.debug.DebugOptions;
import dev.vmscope.debug.StopEvent;
import dev.vmscope.hypervisor.VcpuExit;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The debugger's all-stop contract (pause, step, resume) on the scripted backend: any host, any backend. */
class DebugTargetTest {
    @Test void pauseParksEveryVcpuStepRunsOneAndResumeLetsThemGo() throws Exception {
        ScriptedHypervisor hv = new ScriptedHypervisor();
        for (int i = 0; i < 2; i++) {
            // The "guest" spins; with single-step on, each run executes one instruction and reports DR6.BS.
            hv.configure(i, c -> c.idle = cpu -> cpu.debug.singleStep()
                    ? new VcpuExit.Debug(1, cpu.state().rip(), 1L << 14, 0x400) : null);
        }
        MachineConfig cfg = new MachineConfig(32L << 20, 2, MachineConfig.IrqchipMode.USER, null, null, List.of(), null,
                false, 30_000, null, false, new DebugOptions(null, false, null, Path.of("target")), null);
        Machine m = MachineBuilder.build(cfg, OutputStream.nullOutputStream(), OutputStream.nullOutputStream(),
                new PrintStream(new ByteArrayOutputStream()), false, hv);
        try {
            // The AP waits for SIPI; start it so both vCPUs are in the guest.
            m.runtimes().get(1).startup(0x10);
            Thread runner = Thread.ofPlatform().start(() -> { try { m.run(); } catch (InterruptedException e) { /* test ends */ } });
            MachineDebugTarget t = m.debugging().target();
            while (hv.cpus.get(1).runs == 0 || hv.cpus.get(0).runs == 0) Thread.sleep(1);
            t.pause();
            assertTrue(m.runtimes().get(0).parked() && m.runtimes().get(1).parked(), "both vCPUs parked");
            long runs1 = hv.cpus.get(1).runs;
            t.step(0);
            StopEvent e = t.awaitStop(10_000);
            assertInstanceOf(StopEvent.StepDone.class, e);
            assertEquals(0, ((StopEvent.StepDone) e).vcpu());
            assertTrue(m.runtimes().get(0).parked() && m.runtimes().get(1).parked(), "all stopped again after the step");
            assertEquals(runs1, hv.cpus.get(1).runs, "the other vCPU was held during the step");
            t.resume();
            long before = hv.cpus.get(1).runs;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (hv.cpus.get(1).runs == before && System.nanoTime() < deadline) Thread.sleep(1);
            assertTrue(hv.cpus.get(1).runs > before, "resume lets the other vCPU run again");
            m.stop(0, "test done", null);
            runner.join(10_000);
        } finally {
            m.close();
        }
    }
}
