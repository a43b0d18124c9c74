package dev.vmscope.machine;

import dev.vmscope.arch.x86.E820;
import dev.vmscope.arch.x86.acpi.AcpiLinker;
import dev.vmscope.arch.x86.acpi.PlatformConfig;
import dev.vmscope.devices.legacy.FwCfg;

import java.util.List;
import java.util.Map;

/**
 * What firmware reads from fw_cfg, published as QEMU's pc machine does (hw/i386/fw_cfg.c
 * fw_cfg_arch_create, hw/i386/acpi-build.c) and as SeaBIOS consumes it (src/fw/paravirt.c qemu_cfg_init,
 * qemu_cfg_legacy, qemu_cfg_e820; src/fw/smp.c smp_setup; src/fw/romfile_loader.c):
 * <ul>
 * <li>NB_CPUS and MAX_CPUS (set by {@link FwCfg}); SeaBIOS takes "etc/max-cpus" from MAX_CPUS and the CPUs
 *     it must find with INIT-SIPI-SIPI from "etc/boot-cpus", falling back to CMOS 0x5f + 1 (CmosRtc has it);
 * <li>arch-local IRQ0_OVERRIDE = 1 (the MADT maps ISA IRQ 0 to GSI 2) and NUMA = zero nodes plus one zero
 *     word per possible APIC ID, the sizes QEMU gives them;
 * <li>files "etc/e820" (RAM and reservations), "etc/acpi/tables", "etc/acpi/rsdp" and "etc/table-loader"
 *     ({@link AcpiLinker}: the firmware allocates, links and checksums the tables itself);
 * <li>"etc/sercon-port" = COM1: vmscope has no display, so SeaBIOS's serial console (src/sercon.c
 *     sercon_setup) puts its screen output (banner, boot menu, "No bootable device") on COM1, as QEMU users
 *     get with -fw_cfg name=etc/sercon-port or a machine without graphics.
 * </ul>
 * Not published, as QEMU without those options: "bootorder", "etc/boot-fail-wait" (SeaBIOS then waits
 * 60 s after "No bootable device" before rebooting), "etc/smbios/*" (SeaBIOS builds its own), "genroms/*".
 */
final class FirmwareConfig {
    private FirmwareConfig() {}

    /** Arch-local keys (QEMU include/hw/i386/fw_cfg.h: FW_CFG_ARCH_LOCAL + n). */
    static final int ACPI_TABLES = 0x8000, IRQ0_OVERRIDE = 0x8002;
    static final String BOOT_CPUS = "etc/boot-cpus", E820_FILE = "etc/e820", SERCON_PORT = "etc/sercon-port";
    /** SeaBIOS's wait after "No bootable device" before it reboots, in ms (src/boot.c, default 60 s). */
    public static final String BOOT_FAIL_WAIT = "etc/boot-fail-wait";

    static void publish(FwCfg fw, PlatformConfig platform, List<E820.Entry> map) {
        fw.addFile(E820_FILE, E820.fwCfgBytes(map));
        for (Map.Entry<String, byte[]> f : AcpiLinker.build(platform).entrySet()) fw.addFile(f.getKey(), f.getValue());
        fw.addFile(BOOT_CPUS, FwCfg.le(platform.cpus(), 2));
        fw.addFile(SERCON_PORT, FwCfg.le(PcDevices.COM1_PORT, 2));
        fw.setItem(IRQ0_OVERRIDE, FwCfg.le(1, 4));
        fw.setItem(ACPI_TABLES, FwCfg.le(0, 2));                                  // no -acpitable blobs: count 0
        fw.setItem(FwCfg.NUMA, new byte[8 * (1 + platform.cpus())]);        // 0 nodes; APIC IDs 0..cpus-1
    }
}
