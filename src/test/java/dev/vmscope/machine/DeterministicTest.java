package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.hypervisor.BackendUnavailableException;
import dev.vmscope.machine.MachineConfig.Accel;
import dev.vmscope.machine.MachineConfig.IrqchipMode;

import dev.vmscope.debug.DebugOptions;
import dev.vmscope.vcpu.ExitStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * --deterministic on the software CPU: one scheduler thread, guest time from the instruction count. Each
 * guest runs twice and the two --trace outputs (every exit, IPI and injection, with its virtual time) and
 * consoles must be byte-identical; with host time they never are (the T column alone differs).
 */
class DeterministicTest {
    private static MachineConfig det(String guest, String append, int smp, boolean insn) {
        MachineConfig c = VmHarness.traced(VmHarness.config(VmHarness.guest(guest), append, smp, IrqchipMode.USER), true, 120_000)
                .withAccel(Accel.EMU, true);
        return insn ? c.withTraceInstructions(true) : c;
    }

    private static VmHarness.Result[] twice(MachineConfig c) throws InterruptedException {
        VmHarness.Result a = VmHarness.run(c), b = VmHarness.run(c);
        assertEquals(a.console(), b.console(), "console differs between two deterministic runs");
        assertEquals(a.diag(), b.diag(), "--trace differs between two deterministic runs");
        assertEquals(a.status(), b.status());
        return new VmHarness.Result[] {a, b};
    }

    @Test
    void smpBootOnFourVcpusTracesTheSameTwice() throws Exception {
        VmHarness.Result r = twice(det("smp_boot", "cpus=4", 4, false))[0];
        assertTrue(r.console().contains("smp: apic ids 0 1 2 3\n"), r.console() + r.stopMessage());
        assertEquals(1, r.status(), r.stopMessage());
        // Virtual time starts at 0 and the APs' exits are in the trace too.
        String first = r.diag().lines().findFirst().orElse("");
        assertTrue(first.matches(" +0\\.00000\\d vcpu0 .*"), first);
        for (int cpu = 1; cpu < 4; cpu++) assertTrue(r.diag().contains(" vcpu" + cpu + " "), "no exit of vCPU " + cpu);
    }

    @Test
    void ipiGuestOnFourVcpusTracesTheSameTwice() throws Exception {
        VmHarness.Result r = twice(det("ipi", null, 4, false))[0];
        assertTrue(r.console().contains("ipi shorthand-all 1 1 1 1\n"), r.console());
        assertTrue(r.console().contains("timer periodic ok stopped yes\n"), r.console());
        assertTrue(r.console().contains("ipi done\n"), r.console() + r.stopMessage());
        assertTrue(r.diag().contains(" ipi "), "IPIs are traced");
        assertEquals(1, r.status(), r.stopMessage());
    }

    @Test
    void instructionTraceIsTheSameTwice() throws Exception {
        VmHarness.Result r = twice(det("hello", null, 1, true))[0];
        assertTrue(r.console().contains("hello\n"), r.console());
        assertTrue(r.diag().lines().filter(l -> l.contains(" insn ")).count() > 10, r.diag());
    }

    /**
     * Every clock the guest reads (TSC, PM timer, CMOS RTC, PIT channels 0 and 2, LAPIC periodic and
     * TSC-deadline) is printed by the guest, so identical consoles mean none of them followed host time.
     */
    @Test
    void everyGuestClockFollowsTheInstructionCount() throws Exception {
        VmHarness.Result r = twice(det("timers", null, 1, false))[0];
        String out = r.console();
        assertTrue(out.contains("rtc 2025-01-01 00:00:0"), out);   // the fixed epoch, not today's date
        assertTrue(out.contains("irq0 20 "), out);
        assertTrue(out.contains("lapic 20 "), out);
        // The TSC (1 GHz) and the PIT count the same virtual time: a 10 ms PIT delay is at least 10^7 TSC ticks.
        long pit = Long.parseLong(out.lines().filter(l -> l.startsWith("pit-delay ")).findFirst().orElseThrow().substring(10));
        assertTrue(pit >= 10_000_000 && pit < 11_000_000, out);
        long deadline = Long.parseLong(out.lines().filter(l -> l.startsWith("deadline ")).findFirst().orElseThrow().substring(9));
        assertTrue(deadline >= 2_000_000 && deadline < 2_100_000, out);
        assertEquals(1, r.status(), r.stopMessage());
    }

    /** cli; hlt and no timer armed: the scheduler has nothing to run and no deadline to skip to. */
    @Test
    void haltedWithNothingToWakeItStopsTheVm(@TempDir Path dir) throws Exception {
        Path k = dir.resolve("cli-hlt.bin");
        Files.write(k, new byte[] {(byte) 0xfa, (byte) 0xf4});   // cli; hlt
        MachineConfig c = new MachineConfig(32L << 20, 1, IrqchipMode.USER, k, null, List.of(), null, true, 60_000, null,
                false, DebugOptions.NONE, new MachineConfig.FlatLoad(0x100000, 0x100000, "prot32"), Accel.EMU, true);
        VmHarness.Result r = VmHarness.run(c);
        assertEquals(ExitStatus.HALTED_FOREVER, r.status(), r.diag());
        assertTrue(r.stopMessage().contains("every vCPU is halted or waiting for a start-up IPI and no timer is armed"), r.stopMessage());
        assertTrue(r.diag().matches("(?s) +0\\.\\d{6} vcpu0 hlt.*"), r.diag());
    }

    @Test
    void aBackendThatCannotCountInstructionsRefusesDeterministicMode() {
        MachineConfig c = VmHarness.config(VmHarness.guest("hello"), null, 1, IrqchipMode.USER).withAccel(Accel.KVM, true);
        PrintStream diag = new PrintStream(new ByteArrayOutputStream());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> MachineBuilder.build(c,
                OutputStream.nullOutputStream(), OutputStream.nullOutputStream(), diag, false, new ScriptedHypervisor()));
        assertTrue(e.getMessage().startsWith("--deterministic needs the software CPU (--accel emu)"), e.getMessage());
    }
}
