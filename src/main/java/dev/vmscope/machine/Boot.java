package dev.vmscope.machine;

import dev.vmscope.arch.x86.BootState;
import dev.vmscope.arch.x86.E820;
import dev.vmscope.arch.x86.acpi.BiosTables;
import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.loader.FlatBinary;
import dev.vmscope.loader.LinuxBoot;
import dev.vmscope.loader.LoadResult;
import dev.vmscope.loader.Multiboot;
import dev.vmscope.memory.GuestMemory;

import java.nio.file.Path;
import java.util.List;

/**
 * Loads the kernel (the built-in guest by default) and decides the boot CPU's state: multiboot v1 kernels
 * as the specification says, Linux bzImages by the 32-bit boot protocol ({@link LinuxBoot}), flat binaries at
 * a chosen address and mode; or, with --bios, the reset vector and nothing in memory. Loading needs only RAM,
 * so it runs before any backend is opened: a bad kernel is reported without touching /dev/kvm.
 * {@link #publish} then writes what firmware and OSes read: fw_cfg ({@link FirmwareConfig}) and, for direct
 * boot, the ACPI and MP tables in the BIOS area.
 */
final class Boot {
    private Boot() {}

    /** CPUID.1:EAX the reset state puts in EDX: family 6, as KVM's own reset reports a P6-class CPU. */
    static final long RESET_SIGNATURE = 0x600;

    /** What was loaded (null with firmware) and the boot CPU's first state. */
    record Loaded(LoadResult result, CpuState bsp) {}

    static Loaded load(MachineConfig cfg, GuestMemory mem) {
        if (cfg.bios() != null) return new Loaded(null, CpuState.reset(RESET_SIGNATURE));
        List<E820.Entry> map = E820.standard(cfg.ramBytes());
        Path kernel = cfg.kernel() != null ? cfg.kernel() : BuiltinGuests.extract("builtin");
        BootState state;
        LoadResult loaded;
        if (cfg.flat() != null) {
            MachineConfig.FlatLoad f = cfg.flat();
            loaded = FlatBinary.load(mem, kernel, f.loadAddress(), f.entry());
            state = switch (f.mode()) {
                case "real" -> f.entry() < 0x10000 ? BootState.real(0, (int) f.entry())
                        : BootState.real((int) (f.entry() >>> 4) & 0xffff, (int) (f.entry() & 0xf));
                case "long64" -> BootState.long64(mem, f.entry(), BootState.MULTIBOOT_STACK);
                default -> BootState.protected32(mem, f.entry());
            };
        } else if (LinuxBoot.isBzImage(kernel)) {
            loaded = LinuxBoot.load(mem, kernel, cfg.append(), cfg.modules(), map, cfg.linuxEntry());
            state = loaded.protocol() == LoadResult.BootProtocol.LINUX64
                    ? BootState.linux64(mem, loaded.entry(), loaded.infoAddress())
                    : BootState.linux32(mem, loaded.entry(), loaded.infoAddress());
        } else {
            List<Multiboot.Module> modules = cfg.modules().stream().map(p -> new Multiboot.Module(p, "")).toList();
            loaded = Multiboot.load(mem, kernel, cfg.append(), modules, map);
            state = BootState.multiboot(mem, loaded.entry(), Multiboot.BOOTLOADER_MAGIC, loaded.infoAddress());
        }
        return new Loaded(loaded, cpuState(state));
    }

    /** fw_cfg for firmware and loaders; without firmware, the ACPI and MP tables where an OS scans (0xe0000-0xfffff). */
    static void publish(MachineConfig cfg, GuestMemory mem, PcDevices devices) {
        FirmwareConfig.publish(devices.fwCfg(), devices.platform(), E820.standard(cfg.ramBytes()));
        if (cfg.bios() == null) BiosTables.install(mem, devices.platform());
        if (cfg.bios() == null && devices.disks() != null) devices.disks().assignForDirectBoot();
    }

    /** A loader's boot state as the backend-neutral CPU state (the rest as after reset). */
    static CpuState cpuState(BootState b) {
        CpuState r = CpuState.reset();
        long[] g = {b.rax(), b.rbx(), b.rcx(), b.rdx(), b.rsi(), b.rdi(), b.rbp(), b.rsp(), 0, 0, 0, 0, 0, 0, 0, 0};
        return r.withGprs(g, b.rip(), b.rflags())
                .withSegments(b.cs(), b.ds(), b.es(), b.fs(), b.gs(), b.ss())
                .withTables(new CpuState.Table(b.gdt().base(), b.gdt().limit()), new CpuState.Table(b.idt().base(), b.idt().limit()),
                        b.tr(), b.ldt())
                .withSystem(b.cr0(), 0, b.cr3(), b.cr4(), 0, b.efer(), 0);
    }
}
