package dev.vmscope.emu;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.CpuState.Segment;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.hypervisor.VirtualMachine;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A spinlock as SeaBIOS takes SMPLock, on two vCPU threads: acquire with LOCK BTS, a plain increment inside,
 * release with a plain MOV. A locked read-modify-write that is atomic only against other locked ones loses a
 * concurrent plain release (the lock then stays taken for ever) and the count comes out short.
 */
class LockedRmwTest {
    static final int N = Integer.getInteger("emu.lock.iterations", 20_000);

    @Test void aSpinlockTakenWithLockBtsAndReleasedByAPlainStoreNeverLosesAnUpdate() throws Exception {
        try (EmuTestVm vm = new EmuTestVm()) {
            vm.load(0x1000, EmuTestVm.hex(
                    "f0 0f ba 2d 00200000 00"     // spin: lock bts dword [0x2000], 0
                    + "72 f5"                     //       jc spin
                    + "ff 05 08200000"            //       inc dword [0x2008]      (plain, inside the lock)
                    + "c7 05 00200000 00000000"   //       mov dword [0x2000], 0   (plain release)
                    + "49"                        //       dec ecx
                    + "75 e2"                     //       jnz spin
                    + "f4"));                     //       hlt
            VirtualCpu second = vm.vm.createVcpu(1, new VirtualMachine.CpuidSpec(2, true, true));
            vm.prot32(0x1000);
            CpuState s = vm.state();
            long[] g = s.gprs();
            g[2] = N;   // ECX (CpuState order: rax, rbx, rcx, ...)
            vm.cpu.setState(s.withGprs(g, 0x1000, 2));
            second.setState(s.withGprs(g, 0x1000, 2));
            AtomicReference<VcpuExit> a = new AtomicReference<>(), b = new AtomicReference<>();
            Thread ta = Thread.ofPlatform().start(() -> a.set(runToHalt(vm.cpu)));
            Thread tb = Thread.ofPlatform().start(() -> b.set(runToHalt(second)));
            ta.join(120_000);
            tb.join(120_000);
            if (ta.isAlive() || tb.isAlive()) {
                vm.cpu.kick();
                second.kick();
            }
            assertInstanceOf(VcpuExit.Hlt.class, a.get(), "vCPU 0 finished (not stuck on a lost release)");
            assertInstanceOf(VcpuExit.Hlt.class, b.get(), "vCPU 1 finished");
            assertEquals(2L * N, vm.read32(0x2008), "every increment inside the lock counted");
            assertEquals(0, vm.read32(0x2000), "the lock is free");
        }
    }

    private static VcpuExit runToHalt(VirtualCpu cpu) {
        long deadline = System.nanoTime() + 100_000_000_000L;
        VcpuExit e;
        do e = cpu.run(); while (e instanceof VcpuExit.Interrupted && System.nanoTime() < deadline);
        return e;
    }
}
