package dev.vmscope.machine;

import dev.vmscope.bus.Bus;
import dev.vmscope.devices.ConsoleOutput;
import dev.vmscope.devices.IrqLine;
import dev.vmscope.devices.irq.GuestTime;
import dev.vmscope.devices.irq.LocalApic;
import dev.vmscope.devices.irq.SystemTime;
import dev.vmscope.hypervisor.BackendUnavailableException;
import dev.vmscope.devices.virtio.VirtioBlk;
import dev.vmscope.hypervisor.Capabilities;
import dev.vmscope.hypervisor.DebugCapabilities;
import dev.vmscope.hypervisor.Hypervisor;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.hypervisor.VmSpec;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.MemoryRegion;
import dev.vmscope.sys.NativeMemory;
import dev.vmscope.util.Timing;
import dev.vmscope.vcpu.ExitTrace;
import dev.vmscope.vcpu.Vcpu;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The one place that wires a VM, in an order that keeps failures cheap and clear: guest RAM is allocated and the
 * kernel or firmware loaded and checked first; only then is the backend (KVM or the software CPU) opened, the
 * VM created and RAM mapped into it; then interrupt controllers, devices, platform tables, vCPUs, debugging.
 */
public final class MachineBuilder {
    private MachineBuilder() {}

    /** Memory slots: 0 low RAM, 1 RAM above 4 GiB, 2 RAM from 1 MiB (firmware boot); Firmware owns 3 and up. */
    private static final int SLOT_LOW = 0, SLOT_HIGH = 1;

    public static Machine build(MachineConfig cfg, OutputStream console, OutputStream debugcon, PrintStream diag) {
        return build(cfg, console, debugcon, diag, false);
    }

    /** @param interactive feed the terminal's input to COM1 (only when stdin is a terminal) */
    public static Machine build(MachineConfig cfg, OutputStream console, OutputStream debugcon, PrintStream diag,
                                boolean interactive) {
        return build(cfg, console, debugcon, diag, interactive, null);
    }

    /**
     * @param backend the accelerator to use instead of the one {@code --accel} chooses (tests: a scripted backend);
     *                the machine owns it from here on
     */
    public static Machine build(MachineConfig cfg, OutputStream console, OutputStream debugcon, PrintStream diag,
                                boolean interactive, Hypervisor backend) {
        if (cfg.deterministic() && cfg.debug().gdb() != null)
            throw new IllegalArgumentException("--deterministic cannot be combined with --gdb yet (the debugger parks each vCPU on its own thread)");
        Arena ram = Arena.ofShared();
        Hypervisor hv = null;
        VirtualMachine vm = null;
        Machine.Platform platform = null;
        GuestTime time = null;
        List<VirtioBlk> disks = null;
        try {
            long low = MemoryMap.lowRam(cfg.ramBytes()), high = MemoryMap.highRam(cfg.ramBytes());
            MemorySegment lowSeg = NativeMemory.mapAnonymous(low, ram);
            MemorySegment highSeg = high > 0 ? NativeMemory.mapAnonymous(high, ram) : null;
            List<MemoryRegion> regions = new ArrayList<>();
            regions.add(new MemoryRegion(0, lowSeg));
            if (highSeg != null) regions.add(new MemoryRegion(MemoryMap.HIGHMEM_BASE, highSeg));
            GuestMemory memory = new GuestMemory(regions);
            byte[] image = cfg.bios() != null ? Firmware.read(cfg.bios()) : null;
            Boot.Loaded boot = Boot.load(cfg, memory);
            disks = VirtioDisks.open(cfg.drives());   // a bad image is one line before any backend opens
            Timing.mark("RAM allocated, kernel loaded");

            hv = backend != null ? backend : Backends.open(cfg.accel(), cfg.deterministic(), diag);
            Capabilities caps = hv.capabilities();
            if (cfg.deterministic() && !caps.instructionCount())
                throw new BackendUnavailableException("--deterministic needs the software CPU (--accel emu): " + hv.name()
                        + " runs guest code on the host CPU and cannot count instructions", null);
            boolean kernelIrqchip = cfg.irqchip() == MachineConfig.IrqchipMode.KERNEL && caps.kernelIrqchip();
            DebugCapabilities debugCaps = cfg.debug().gdb() != null ? hv.debugCapabilities() : null;
            vm = hv.createVm(new VmSpec(cfg.smp(), kernelIrqchip, MemoryMap.KVM_TSS, MemoryMap.KVM_IDENTITY_MAP,
                    cfg.deterministic()));
            Timing.mark(hv.name() + " VM created");
            Firmware firmware = mapRam(vm, lowSeg, highSeg, image, ram);

            Lifecycle life = new Lifecycle();
            // The one clock every guest-visible time source reads: the host's, or the instruction count's.
            time = cfg.deterministic() ? new InstructionTime() : new SystemTime();
            ExitTrace trace = !cfg.trace() ? null : cfg.deterministic() ? new ExitTrace(diag, time) : new ExitTrace(diag);
            Bus pio = Machine.bus("pio", diag), mmio = Machine.bus("mmio", diag);
            List<Vcpu> vcpus = new ArrayList<>();
            UserIrqchip user = null;
            IntFunction<IrqLine> isaIrq;
            if (kernelIrqchip) {
                VirtualMachine.KernelIrqchip chip = vm.kernelIrqchip().orElseThrow();
                isaIrq = n -> level -> chip.irqLine(n, level);
            } else {
                user = new UserIrqchip(cfg.smp(), pio, mmio, vcpus, trace, diag, time);
                isaIrq = user::isaIrq;
            }
            try {
                PcDevices devices = new PcDevices(pio, mmio, memory, life, cfg.ramBytes(), cfg.smp(), diag,
                        new ConsoleOutput(console), new ConsoleOutput(debugcon), isaIrq, time, false);
                platform = new Machine.Platform(pio, mmio, trace, devices, user, firmware, time);
            } finally {
                if (platform == null && user != null) user.close();
            }
            platform.devices().attachDisks(disks, memory, isaIrq, diag);
            disks = null;   // the devices own them now
            if (firmware != null) firmware.attach(mmio, platform.devices().i440fx());
            Boot.publish(cfg, memory, platform.devices());
            Timing.mark("irqchip, devices and tables");

            // The Java local APIC serves x2APIC and the TSC-deadline timer only where their MSRs reach it.
            boolean apicMsrs = kernelIrqchip || caps.userApicMsrs();
            VirtualMachine.CpuidSpec cpuid = new VirtualMachine.CpuidSpec(cfg.smp(), apicMsrs, apicMsrs);
            List<CpuRuntime> runtimes = new ArrayList<>();
            for (int i = 0; i < cfg.smp(); i++) {
                Vcpu v = new Vcpu(vm.createVcpu(i, cpuid), pio, mmio, life, trace);
                vcpus.add(v);
                life.kickOnStop(v::kick);
                CpuRuntime rt = new CpuRuntime(life, diag, trace, v, user, i != 0, cfg.deterministic());
                if (cfg.deterministic() && !v.cpu().useClock(time))
                    throw new BackendUnavailableException("--deterministic: " + hv.name() + " cannot run its TSC from a virtual clock", null);
                if (user != null) rt.setLapic(user.createLapic(i, rt, apicMsrs ? tscDeadline(v) : LocalApic.Options.defaults()));
                v.setHooks(rt);
                runtimes.add(rt);
                if (i == 0) v.cpu().setState(boot.bsp());
            }
            if (cfg.traceInstructions()) {
                var disasm = dev.vmscope.disasm.Disassembler.capstone();
                for (Vcpu v : vcpus) {
                    if (!v.cpu().observeInstructions(new InstructionTrace(v, trace, disasm))) {
                        diag.println("vmscope: note: --trace insn needs the software CPU (--accel emu); " + hv.name()
                                + " runs guest code on the host CPU and shows exits only");
                        break;
                    }
                }
            }
            if (cfg.trace() && Machine.ipiVisibilityNote(user != null, cfg.smp()) != null)
                diag.println("vmscope: note: " + Machine.ipiVisibilityNote(user != null, cfg.smp()));
            Machine m = new Machine(cfg, diag, hv, vm, ram, memory, life, platform, vcpus, runtimes, boot.result(),
                    debugCaps != null ? debugCaps : DebugCapabilities.KVM_NO_SW_BP, debugCaps != null ? hv.debugEvidence() : "");
            Timing.mark("vCPUs created");
            if (System.console() != null && interactive) ConsoleInput.start(System.in, platform.devices().com1());
            return m;
        } catch (RuntimeException e) {
            if (disks != null) VirtioDisks.closeImages(disks);
            if (platform != null) {
                if (platform.userIrqchip() != null) platform.userIrqchip().close();
                platform.devices().close();
            }
            if (time != null) time.close();
            if (vm != null) vm.close();
            if (hv != null) hv.close();
            else if (backend != null) backend.close();
            ram.close();
            throw e;
        }
    }

    /**
     * Maps guest RAM: slot 0 from 0, slot 1 from 4 GiB. With firmware (--bios) the low block is split around
     * 0xc0000-0xfffff (slot 0 below, slot 2 from 1 MiB) and {@link Firmware} maps that window as PAM says, plus
     * the ROM. GuestMemory always sees the whole low block as RAM: device DMA reaches the shadow RAM behind the
     * window as on the i440FX, where PAM governs only CPU-side decoding of that range. Returns the firmware's
     * mapping, or null for direct boot.
     */
    private static Firmware mapRam(VirtualMachine vm, MemorySegment lowSeg, MemorySegment highSeg, byte[] image, Arena ram) {
        Firmware f = null;
        if (image == null) {
            vm.mapMemory(SLOT_LOW, 0, lowSeg, false);
        } else {
            vm.mapMemory(SLOT_LOW, 0, lowSeg.asSlice(0, MemoryMap.SHADOW_START), false);
            vm.mapMemory(Firmware.SLOT_ABOVE_1M, MemoryMap.SHADOW_END, lowSeg.asSlice(MemoryMap.SHADOW_END), false);
            f = new Firmware(image, NativeMemory.mapAnonymous(image.length, ram),
                    lowSeg.asSlice(MemoryMap.SHADOW_START, MemoryMap.SHADOW_END - MemoryMap.SHADOW_START));
            f.map(vm);
        }
        if (highSeg != null) vm.mapMemory(SLOT_HIGH, MemoryMap.HIGHMEM_BASE, highSeg, false);
        return f;
    }
    /** TSC-deadline mode for a Java local APIC: needs the guest TSC and its frequency from the backend. */
    private static LocalApic.Options tscDeadline(Vcpu v) {
        long hz = v.cpu().tscHz();
        if (hz <= 0) return LocalApic.Options.defaults();
        return LocalApic.Options.defaults().withTscDeadline(v.cpu()::guestTsc, hz);
    }
}
