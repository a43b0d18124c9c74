package dev.vmscope.kvm;

import dev.vmscope.hypervisor.CpuState.Segment;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.sys.SyscallException;
import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.sys.SyscallException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Runs a few real-mode instructions on real KVM: OUT, IN with completion, HLT. */
class KvmSmokeTest {
    static boolean kvmAvailable() { return Files.isReadable(Path.of(Kvm.DEVICE)) && Files.isWritable(Path.of(Kvm.DEVICE)); }

    @Test
    void realModeOutInHlt() {
        org.junit.jupiter.api.Assumptions.assumeTrue(kvmAvailable(), "/dev/kvm not available");
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) {
            MemorySegment ram = vm.mapRam(0x10000);
            vm.setUserMemoryRegion(0, 0, 0, ram);
            // mov dx,0x3f8; mov al,'A'; out dx,al; in al,dx; mov [0x500],al; hlt
            byte[] code = {(byte) 0xba, (byte) 0xf8, 0x03, (byte) 0xb0, 'A', (byte) 0xee, (byte) 0xec,
                    (byte) 0xa2, 0x00, 0x05, (byte) 0xf4};
            MemorySegment.copy(code, 0, ram, ValueLayout.JAVA_BYTE, 0x1000, code.length);
            VcpuFd cpu = vm.createVcpu(0);
            Sregs s = cpu.getSregs();
            cpu.setSregs(s.withSegments(Segment.real(0, true), Segment.real(0, false), Segment.real(0, false),
                    Segment.real(0, false), Segment.real(0, false), Segment.real(0, false)));
            cpu.setRegs(Regs.zero().withRip(0x1000));
            VcpuExit e = cpu.run();
            VcpuExit.IoOut out = assertInstanceOf(VcpuExit.IoOut.class, e);
            assertEquals(0x3f8, out.port());
            assertEquals('A', out.value(0));
            VcpuExit.IoIn in = assertInstanceOf(VcpuExit.IoIn.class, cpu.run());
            assertEquals(1, in.size());
            cpu.completeIn(new byte[] {0x5a});
            assertInstanceOf(VcpuExit.Hlt.class, cpu.run());
            assertEquals(0x5a, ram.get(ValueLayout.JAVA_BYTE, 0x500));
            assertEquals(0x100b, cpu.getRegs().rip());
        }
    }

    @Test
    void failingIoctlNamesTheIoctlAndErrno() {
        org.junit.jupiter.api.Assumptions.assumeTrue(kvmAvailable(), "/dev/kvm not available");
        try (Kvm kvm = Kvm.open(); VmFd vm = kvm.createVm()) {
            VcpuFd cpu = vm.createVcpu(0);
            SyscallException e = assertThrows(SyscallException.class, () -> cpu.setCpuid2(
                    java.util.Collections.nCopies(100_000, new CpuidEntry(0, 0, 0, 0, 0, 0, 0))));
            assertTrue(e.getMessage().startsWith("KVM_SET_CPUID2: E"), e.getMessage());
        }
    }
}
