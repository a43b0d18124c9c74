package dev.vmscope.emu;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.hypervisor.CpuState.Segment;
import dev.vmscope.hypervisor.VcpuExit;
import dev.vmscope.hypervisor.VirtualCpu;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.hypervisor.VmSpec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

/**
 * A VM on the software CPU driven through the backend contract only: RAM at 0, code loaded at an address,
 * the vCPU started in real mode, flat 32-bit protected mode or 64-bit mode with identity paging.
 */
final class EmuTestVm implements AutoCloseable {
    static final long RAM = 4L << 20;
    final Arena arena = Arena.ofShared();
    final MemorySegment ram = arena.allocate(RAM, 4096);
    final EmuHypervisor hv = new EmuHypervisor();
    final VirtualMachine vm = hv.createVm(new VmSpec(1, false, 0, 0, false));
    final VirtualCpu cpu;

    EmuTestVm() {
        vm.mapMemory(0, 0, ram, false);
        cpu = vm.createVcpu(0, new VirtualMachine.CpuidSpec(1, true, true));
    }

    static byte[] hex(String s) { return HexFormat.of().parseHex(s.replace(" ", "")); }

    void load(long addr, byte[] code) { MemorySegment.copy(code, 0, ram, ValueLayout.JAVA_BYTE, addr, code.length); }

    void load(long addr, String hexCode) { load(addr, hex(hexCode)); }

    long read32(long addr) { return ram.get(ValueLayout.JAVA_INT_UNALIGNED, addr) & 0xffffffffL; }

    long read64(long addr) { return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, addr); }

    void write64(long addr, long v) { ram.set(ValueLayout.JAVA_LONG_UNALIGNED, addr, v); }

    /** Real mode at 0000:ip, SP 0x7000. */
    EmuTestVm real(long ip) {
        CpuState s = CpuState.reset();
        Segment cs = new Segment(0, 0, 0xffff, 0x9b), ds = new Segment(0, 0, 0xffff, 0x93);
        s = s.withSegments(cs, ds, ds, ds, ds, ds).withRip(ip);
        long[] g = s.gprs();
        g[7] = 0x7000;
        cpu.setState(s.withGprs(g, ip, 2));
        return this;
    }

    /** Flat 32-bit ring-0 protected mode (as multiboot enters), ESP 0x80000, paging off. */
    EmuTestVm prot32(long eip) {
        CpuState s = CpuState.reset();
        Segment cs = new Segment(0x08, 0, 0xffffffffL, 0xc09b), ds = new Segment(0x10, 0, 0xffffffffL, 0xc093);
        s = s.withSegments(cs, ds, ds, ds, ds, ds).withSystem(0x11, 0, 0, 0, 0, 0, 0);
        long[] g = s.gprs();
        g[7] = 0x80000;
        cpu.setState(s.withGprs(g, eip, 2));
        return this;
    }

    /** 64-bit ring 0 with the first 1 GiB identity-mapped by a 1 GiB page at 0x10000 (PML4) / 0x11000 (PDPT). */
    EmuTestVm long64(long rip) {
        write64(0x10000, 0x11000 | 3);
        write64(0x11000, 0x83);
        CpuState s = CpuState.reset();
        Segment cs = new Segment(0x08, 0, 0xffffffffL, 0xa09b), ds = new Segment(0x10, 0, 0xffffffffL, 0xc093);
        s = s.withSegments(cs, ds, ds, ds, ds, ds).withSystem(0x80000011L, 0, 0x10000, 0x20, 0, 0x500, 0);
        long[] g = s.gprs();
        g[7] = 0x80000;
        cpu.setState(s.withGprs(g, rip, 2));
        return this;
    }

    /** Runs until an exit that is not an Interrupted one. */
    VcpuExit run() {
        VcpuExit e;
        do e = cpu.run(); while (e instanceof VcpuExit.Interrupted);
        return e;
    }

    CpuState state() { return cpu.state(); }

    @Override public void close() {
        vm.close();
        hv.close();
        arena.close();
    }
}
