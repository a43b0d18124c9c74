package dev.vmscope.emu;

import dev.vmscope.hypervisor.VcpuExit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random instruction streams in real mode, 32-bit protected mode and 64-bit mode: run() always returns an exit
 * (never throws, never hangs: a watchdog kicks the vCPU every millisecond, and each program has an
 * instruction budget) and Java exceptions never surface
 * as "emulator error" failures. Size from {@code -Demu.fuzz.programs=N} (default 2000 per mode).
 */
class EmuFuzzTest {
    private static final int PROGRAMS = Integer.getInteger("emu.fuzz.programs", 2000);
    private static final int EXITS_PER_PROGRAM = 40;

    @ParameterizedTest
    @ValueSource(strings = {"real", "prot32", "long64"})
    void randomCodeNeverEscapesTheVcpu(String mode) throws Exception {
        Random rnd = new Random(mode.hashCode());
        AtomicReference<EmuTestVm> current = new AtomicReference<>();
        ScheduledExecutorService dog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fuzz-watchdog");
            t.setDaemon(true);
            return t;
        });
        dog.scheduleAtFixedRate(() -> {
            EmuTestVm vm = current.get();
            if (vm != null) vm.cpu.kick();
        }, 1, 1, TimeUnit.MILLISECONDS);
        int exits = 0;
        try (EmuTestVm vm = new EmuTestVm()) {
            EmuCpu cpu = (EmuCpu) vm.cpu;
            for (int p = 0; p < PROGRAMS; p++) {
                vm.ram.asSlice(0, 0x100000).fill((byte) 0);
                byte[] code = new byte[64];
                rnd.nextBytes(code);
                vm.load(0x1000, code);
                switch (mode) {
                    case "real" -> vm.real(0x1000);
                    case "prot32" -> vm.prot32(0x1000);
                    default -> vm.long64(0x1000);
                }
                cpu.restart(vm.state());
                cpu.stopAt = cpu.counters().get("instructions") + 2_000;
                current.set(vm);
                exits += runProgram(vm, code);
            }
        } finally {
            dog.shutdownNow();
        }
        assertTrue(exits > 0);
    }

    private static int runProgram(EmuTestVm vm, byte[] code) {
        for (int k = 0; k < EXITS_PER_PROGRAM; k++) {
            VcpuExit e = vm.cpu.run();
            switch (e) {
                case VcpuExit.Interrupted i -> {
                    if (vm.cpu.counters().get("instructions") >= ((EmuCpu) vm.cpu).stopAt) return k + 1;
                }
                case VcpuExit.IoIn in -> vm.cpu.completeIn(new byte[in.size() * in.count()]);
                case VcpuExit.MmioRead r -> vm.cpu.completeMmioRead(0);
                case VcpuExit.RdMsr r -> vm.cpu.completeMsr(true, 0);
                case VcpuExit.WrMsr w -> vm.cpu.completeMsr(true, 0);
                case VcpuExit.InternalError ie -> {
                    String why = ((EmuCpu) vm.cpu).failureMessage();
                    if (why.startsWith("emulator error")) fail(why + " on " + java.util.HexFormat.of().formatHex(code));
                    return k + 1;
                }
                case VcpuExit.Shutdown s -> { return k + 1; }
                default -> { }
            }
        }
        return EXITS_PER_PROGRAM;
    }
}
