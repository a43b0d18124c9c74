package dev.vmscope.machine;

import dev.vmscope.debug.DebugOptions;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.vcpu.ExitStats;
import dev.vmscope.vcpu.ExitStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run loop, string I/O, exit accounting, CpuRuntime (INIT/SIPI, injection, halting) and fatal stops with
 * crash reports, on the scripted backend: the same machine wiring as with KVM or the software CPU, on any host.
 */
class RunLoopTest {
    @TempDir Path dir;

    /** What one scripted run left behind. */
    record Run(int status, String console, String diag, Machine machine, ScriptedHypervisor hv) {
        String stop() { return machine.stopMessage(); }
    }

    private Run run(int smp, ScriptedHypervisor hv) throws InterruptedException {
        MachineConfig cfg = new MachineConfig(32L << 20, smp, MachineConfig.IrqchipMode.USER, null, null, List.of(), null,
                false, 20_000, null, false, new DebugOptions(null, false, null, dir), null);
        ByteArrayOutputStream console = new ByteArrayOutputStream(), diag = new ByteArrayOutputStream();
        Machine m = MachineBuilder.build(cfg, console, OutputStream.nullOutputStream(),
                new PrintStream(diag, true, StandardCharsets.UTF_8), false, hv);
        try {
            int status = m.run();
            return new Run(status, console.toString(StandardCharsets.ISO_8859_1), diag.toString(StandardCharsets.UTF_8), m, hv);
        } finally {
            m.close();
        }
    }

    private static VcpuExit.IoOut out(int port, int size, long... values) {
        byte[] d = new byte[size * values.length];
        for (int i = 0; i < values.length; i++) for (int b = 0; b < size; b++) d[i * size + b] = (byte) (values[i] >>> (8 * b));
        return new VcpuExit.IoOut(port, size, values.length, d);
    }

    private static VcpuExit.IoOut exitWith(int value) { return out(0xf4, 4, value); }

    /**
     * The bug that started the project's string-I/O rule: "rep insb" of fw_cfg's signature must give the exit's
     * buffer "QEMU" in order (one completion of 4 bytes), and "rep outsb" must reach COM1 byte for byte.
     */
    @Test void stringIoMovesExactlyTheExitsBytes() throws Exception {
        ScriptedHypervisor hv = new ScriptedHypervisor().script(0,
                out(0x510, 2, 0),                                     // fw_cfg selector: FW_CFG_SIGNATURE
                new VcpuExit.IoIn(0x511, 1, 4),                        // rep insb, count 4
                new VcpuExit.IoOut(0x3f8, 1, 5, "hello".getBytes(StandardCharsets.US_ASCII)),
                exitWith(0x10));
        Run r = run(1, hv);
        assertEquals((0x10 << 1) | 1, r.status(), r.diag());
        assertEquals(List.of("in 51454d55"), hv.cpus.get(0).logged("in "), "\"QEMU\" in one completion");
        assertEquals("hello", r.console());
    }

    @Test void unclaimedMmioReadsAreAllOnesAndEveryExitIsCounted() throws Exception {
        ScriptedHypervisor hv = new ScriptedHypervisor().script(0,
                new VcpuExit.MmioRead(0xfe00_0000L, 4), new VcpuExit.MmioRead(0xfe00_0000L, 8),
                new VcpuExit.MmioWrite(0xfe00_0000L, 2, 0x1234), exitWith(0));
        Run r = run(1, hv);
        assertEquals(1, r.status());
        assertEquals(List.of("mmio-read 0xffffffff", "mmio-read 0xffffffffffffffff"), hv.cpus.get(0).logged("mmio-read"));
        ExitStats s = r.machine().stats().getFirst();
        assertEquals(3, s.reasons().get("KVM_EXIT_MMIO").count);
        assertEquals(1, s.reasons().get("KVM_EXIT_IO").count);
        assertEquals(3, s.mmio().get("unclaimed").count);
        var mmio = r.machine().busCounters().get(1);
        assertEquals(2, mmio.unclaimedReads());
        assertEquals(1, mmio.unclaimedWrites());
    }

    /** INIT (ICR low 0x000c4500, all excluding self) then SIPI vector 8: the AP starts at 0800:0000, base 0x8000. */
    @Test void initAndSipiStartTheApWhereTheVectorSays() throws Exception {
        ScriptedHypervisor hv = new ScriptedHypervisor().script(0,
                new VcpuExit.MmioWrite(0xfee0_00f0L, 4, 0x1ff),        // SVR: APIC software-enabled
                new VcpuExit.MmioWrite(0xfee0_0300L, 4, 0x000c4500),   // INIT, assert, all excluding self
                new VcpuExit.MmioWrite(0xfee0_0300L, 4, 0x000c4608));  // SIPI vector 8, all excluding self
        hv.script(1, exitWith(0x21));
        Run r = run(2, hv);
        assertEquals((0x21 << 1) | 1, r.status(), r.diag());
        assertEquals(List.of("restart cs 0x800 base 0x8000 ip 0x0"), hv.cpus.get(1).logged("restart"));
        assertEquals(List.of(), hv.cpus.get(0).logged("restart"), "the sender is excluded");
    }

    /**
     * ipi_stress's lost AP: INIT, NMI, SIPI all reach the AP while its thread is still inside run(). The NMI
     * must die with the INIT (SDM vol. 3 9.4.4); kept, it was injected at the trampoline's first instruction,
     * in real mode, and the AP never booted. The AP is held inside run() until all three have arrived.
     */
    @Test void anNmiBetweenInitAndSipiIsDroppedNotInjectedIntoTheRestartedAp() throws Exception {
        java.util.concurrent.CountDownLatch apBusy = new java.util.concurrent.CountDownLatch(1), sent = new java.util.concurrent.CountDownLatch(1);
        VcpuExit init = new VcpuExit.MmioWrite(0xfee0_0300L, 4, 0x000c4500);   // INIT, all excluding self
        VcpuExit nmi = new VcpuExit.MmioWrite(0xfee0_0300L, 4, 0x000c4400);    // NMI, all excluding self
        VcpuExit sipi = new VcpuExit.MmioWrite(0xfee0_0300L, 4, 0x000c4608);   // SIPI vector 8
        ScriptedHypervisor hv = new ScriptedHypervisor().script(0, new VcpuExit.MmioWrite(0xfee0_00f0L, 4, 0x1ff), init, sipi);
        hv.step(0, c -> { await(apBusy); return init; }).script(0, nmi, sipi)
                .step(0, c -> { sent.countDown(); return new VcpuExit.Interrupted(); });
        hv.step(1, c -> { apBusy.countDown(); await(sent); return new VcpuExit.Interrupted(); })
                .step(1, c -> exitWith(0x21));
        Run r = run(2, hv);
        assertEquals((0x21 << 1) | 1, r.status(), r.diag());
        assertEquals(2, hv.cpus.get(1).logged("restart").size(), "started, then INIT-SIPI again");
        assertEquals(List.of(), hv.cpus.get(1).logged("nmi"), "the NMI sent before the SIPI was dropped");
    }

    private static void await(java.util.concurrent.CountDownLatch l) {
        try {
            if (!l.await(10, java.util.concurrent.TimeUnit.SECONDS)) throw new AssertionError("script step never released");
        } catch (InterruptedException e) { throw new AssertionError(e); }
    }

    /** A self-IPI (fixed, vector 0x30) is injected once the vCPU can take it. */
    @Test void aSelfIpiIsInjected() throws Exception {
        ScriptedHypervisor hv = new ScriptedHypervisor().script(0,
                new VcpuExit.MmioWrite(0xfee0_00f0L, 4, 0x1ff),
                new VcpuExit.MmioWrite(0xfee0_0300L, 4, 0x00044030));  // fixed, vector 0x30, shorthand self
        hv.step(0, c -> { while (c.logged("inject").isEmpty()) Thread.onSpinWait(); return exitWith(1); });
        Run r = run(1, hv);
        assertEquals(3, r.status(), r.diag());
        assertEquals(List.of("inject 0x30"), hv.cpus.get(0).logged("inject"));
    }

    @Test void hltWithInterruptsOffAndNothingToWakeItStopsTheVm() throws Exception {
        ScriptedHypervisor h = new ScriptedHypervisor().configure(0, c -> c.interruptsEnabled = false)
                .script(0, new VcpuExit.Hlt())
                .step(0, c -> { throw new AssertionError("ran after a HLT nothing can end"); });
        Run r = run(1, h);
        assertEquals(ExitStatus.HALTED_FOREVER, r.status(), r.diag());
    }

    @Test void aTripleFaultStopsTheVmWithACrashReport() throws Exception {
        Run r = run(1, new ScriptedHypervisor().script(0, new VcpuExit.Shutdown()));
        assertEquals(ExitStatus.GUEST_SHUTDOWN, r.status());
        assertTrue(r.stop().contains("triple fault"), r.stop());
        try (var files = Files.list(dir)) {
            Path json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
            assertTrue(Files.readString(json).contains("\"kind\": \"triple-fault\"") || Files.readString(json).contains("triple"),
                    Files.readString(json));
        }
    }

    /** An instruction the backend cannot execute: status 6, and the crash report names its bytes. */
    @Test void anEmulationFailureNamesTheInstruction() throws Exception {
        Run r = run(1, new ScriptedHypervisor().script(0,
                new VcpuExit.InternalError(1, new long[] {1, 2}, new byte[] {0x0f, (byte) 0xff})));
        assertEquals(ExitStatus.VMM_FATAL, r.status());
        assertTrue(r.stop().contains("instruction bytes 0f ff"), r.stop());
        try (var files = Files.list(dir)) {
            Path txt = files.filter(p -> p.toString().endsWith(".txt")).findFirst().orElseThrow();
            assertTrue(Files.readString(txt).contains("0f ff"), Files.readString(txt));
        }
    }

    /** Ending the VM from outside (timeout, Ctrl-C) kicks a vCPU whose guest never exits on its own. */
    @Test void aStopKicksAVcpuThatNeverExits() throws Exception {
        ScriptedHypervisor hv = new ScriptedHypervisor();
        MachineConfig cfg = new MachineConfig(32L << 20, 1, MachineConfig.IrqchipMode.USER, null, null, List.of(), null,
                false, 300, null, false, new DebugOptions(null, false, null, dir), null);
        Machine m = MachineBuilder.build(cfg, OutputStream.nullOutputStream(), OutputStream.nullOutputStream(),
                new PrintStream(new ByteArrayOutputStream()), false, hv);
        try {
            assertEquals(ExitStatus.TIMEOUT, m.run());
            assertTrue(hv.cpus.get(0).runs >= 1);
            assertTrue(!m.vcpus().getFirst().thread().isAlive(), "the vCPU thread left its loop");
        } finally {
            m.close();
        }
        assertTrue(hv.closed, "the machine closed its backend");
    }
}
