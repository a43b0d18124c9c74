package dev.vmscope.machine;

import dev.vmscope.arch.x86.BootState;
import dev.vmscope.arch.x86.E820;
import dev.vmscope.arch.x86.acpi.BiosTables;
import dev.vmscope.kvm.DTable;
import dev.vmscope.kvm.Regs;
import dev.vmscope.kvm.Segment;
import dev.vmscope.kvm.Sregs;
import dev.vmscope.kvm.VcpuFd;
import dev.vmscope.loader.FlatBinary;
import dev.vmscope.loader.LinuxBoot;
import dev.vmscope.loader.LoadResult;
import dev.vmscope.loader.Multiboot;
import dev.vmscope.memory.GuestMemory;

import java.nio.file.Path;
import java.util.List;

/**
 * Loads the kernel (the built-in guest by default) and decides the boot CPU's state: multiboot v1 kernels
 * as the specification says, Linux bzImages by the 32-bit boot protocol ({@link LinuxBoot}), flat binaries at a chosen address and mode, with the ACPI and MP tables written
 * into the BIOS area; or, with --bios, the reset vector and nothing in memory. Also publishes what firmware
 * reads from fw_cfg ({@link FirmwareConfig}).
 */
final class Boot {
    private Boot() {}

    /** CPUID.1:EAX the reset state puts in EDX: family 6, as KVM's own reset reports a P6-class CPU. */
    static final long RESET_SIGNATURE = 0x600;

    static BootPlan prepare(Machine m, PcDevices devices) {
        MachineConfig cfg = m.config();
        GuestMemory mem = m.memory();
        List<E820.Entry> map = E820.standard(cfg.ramBytes());
        FirmwareConfig.publish(devices.fwCfg(), devices.platform(), map);
        if (cfg.bios() != null) {
            // Firmware builds its own tables from fw_cfg and starts at the reset vector.
            BootState reset = BootState.reset(RESET_SIGNATURE);
            return bsp -> apply(bsp, reset);
        }
        // No firmware: the tables go where an OS scans for them (RSDP and MP floating pointer in 0xe0000-0xfffff).
        BiosTables.install(mem, devices.platform());
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
            loaded = LinuxBoot.load(mem, kernel, cfg.append(), cfg.modules(), map);
            state = BootState.linux32(mem, loaded);
        } else {
            List<Multiboot.Module> modules = cfg.modules().stream().map(p -> new Multiboot.Module(p, "")).toList();
            loaded = Multiboot.load(mem, kernel, cfg.append(), modules, map);
            state = BootState.multiboot(mem, loaded);
        }
        m.setLoaded(loaded);
        BootState s = state;
        return bsp -> apply(bsp, s);
    }

    static void apply(VcpuFd fd, BootState b) {
        Sregs cur = fd.getSregs();
        fd.setSregs(new Sregs(seg(b.cs()), seg(b.ds()), seg(b.es()), seg(b.fs()), seg(b.gs()), seg(b.ss()),
                seg(b.tr()), seg(b.ldt()), new DTable(b.gdt().base(), b.gdt().limit()),
                new DTable(b.idt().base(), b.idt().limit()), b.cr0(), 0, b.cr3(), b.cr4(), 0, b.efer(),
                cur.apicBase(), cur.interruptBitmap()));
        fd.setRegs(new Regs(b.rax(), b.rbx(), b.rcx(), b.rdx(), b.rsi(), b.rdi(), b.rsp(), b.rbp(),
                0, 0, 0, 0, 0, 0, 0, 0, b.rip(), b.rflags()));
    }

    private static Segment seg(dev.vmscope.arch.x86.Segment s) {
        return new Segment(s.base(), (int) s.limit(), s.selector(), s.type(), s.present(), s.dpl(), s.db(), s.s(),
                s.l(), s.g(), s.avl(), s.unusable());
    }
}
