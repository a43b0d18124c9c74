package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmscope.machine.MachineConfig.IrqchipMode;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.vcpu.ExitStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Real firmware: Debian's SeaBIOS (package seabios) from the reset vector to "No bootable device". With
 * fw_cfg "etc/boot-fail-wait" = 0 SeaBIOS reboots at once after that message (src/boot.c boot_fail), and
 * vmscope ends the VM on the reset request, so no test waits for a timeout. Real-mode firmware runs
 * emulated instruction by instruction on hosts without unrestricted guest, hence the generous timeout.
 */
class SeabiosBootTest {
    static final Path BIOS = Path.of("/usr/share/seabios/bios.bin");

    /** {@code fSegmentLocked}: 0xf0000-0xfffff was seen as read-only RAM (make_bios_readonly) during the run. */
    record Boot(VmHarness.Result result, boolean fSegmentLocked, int madtCpus, String rsdpOem) {}

    static Boot boot(int cpus, IrqchipMode mode) throws Exception {
        assumeTrue(Files.isReadable(BIOS), BIOS + " is missing (Debian package seabios); SeaBIOS boot not tested");
        MachineConfig d = MachineConfig.defaults();
        MachineConfig cfg = new MachineConfig(128L << 20, cpus, mode, null, null, List.of(), BIOS, false, 240_000,
                null, false, d.debug(), null);
        AtomicReference<Boot> tables = new AtomicReference<>();
        AtomicBoolean locked = new AtomicBoolean();
        VmHarness.Result r = VmHarness.run(cfg,
                m -> m.devices().fwCfg().addFile(FirmwareConfig.BOOT_FAIL_WAIT, dev.vmscope.devices.legacy.FwCfg.le(0, 4)),
                m -> { },
                (m, line) -> {
                    if (!line.contains("No bootable device")) return;
                    // SeaBIOS prints this with the OS tables linked and the BIOS locked, before its reboot
                    // path (src/fw/shadow.c qemu_reboot) copies the pristine image back over 0xe0000-0xfffff.
                    // The printing vCPU waits for this callback, so the F-segment cannot change under it.
                    tables.set(inspect(m.memory()));
                    Firmware.Kind[] k = m.firmware().layout();
                    locked.set(k[12] == Firmware.Kind.RAM_RO && k[15] == Firmware.Kind.RAM_RO);
                });
        System.err.printf("SeaBIOS --smp %d --irqchip %s: reset request after %.1f s%n", cpus, mode, r.wallNanos() / 1e9);
        Boot t = tables.get();
        return new Boot(r, locked.get(), t == null ? -1 : t.madtCpus(), t == null ? null : t.rsdpOem());
    }

    /** The RSDP SeaBIOS placed in the F-segment through etc/table-loader, and the processors in its MADT. */
    private static Boot inspect(GuestMemory mem) {
        int cpus = -1;
        String oem = null;
        for (long a = 0xe0000; a < 0x100000; a += 16) {
            if (!"RSD PTR ".equals(new String(mem.read(a, 8), StandardCharsets.US_ASCII))) continue;
            byte sum = 0;
            for (byte x : mem.read(a, 20)) sum += x;
            if (sum != 0) continue;   // being written, or a stray string
            oem = new String(mem.read(a + 9, 6), StandardCharsets.US_ASCII);
            long rsdt = mem.readU32(a + 16);
            if (!mem.isRam(rsdt, 36)) continue;
            for (long e = rsdt + 36; e < rsdt + mem.readU32(rsdt + 4); e += 4) {
                long t = mem.readU32(e);
                if (!mem.isRam(t, 44)) continue;
                if (!"APIC".equals(new String(mem.read(t, 4), StandardCharsets.US_ASCII))) continue;
                cpus = 0;
                for (long p = t + 44; p < t + mem.readU32(t + 4); p += mem.readByte(p + 1) & 0xff) {
                    if (mem.readByte(p) == 0 && (mem.readByte(p + 4) & 1) != 0) cpus++;
                    if ((mem.readByte(p + 1) & 0xff) == 0) break;
                }
            }
            break;
        }
        return new Boot(null, false, cpus, oem);
    }

    static void assertBooted(Boot b, int cpus) {
        VmHarness.Result r = b.result();
        String log = r.debugcon();
        assertTrue(log.contains("SeaBIOS (version"), log);
        assertTrue(log.contains("Found QEMU fw_cfg"), log);
        assertTrue(log.contains("Running on QEMU (i440fx)"), log);
        assertTrue(log.contains(String.format("Found %d cpu(s) max supported %d cpu(s)", cpus, cpus)), log);
        assertTrue(log.contains("No bootable device."), log);
        assertTrue(r.console().contains("No bootable device."), "COM1 (SeaBIOS sercon): " + r.console());
        assertEquals(ExitStatus.OK, r.status(), r.stopMessage());
        assertTrue(r.stopMessage().contains("reset"), r.stopMessage());
        // SeaBIOS linked our tables (etc/table-loader) and put the RSDP in the F-segment.
        assertEquals("VMSCPE", b.rsdpOem(), "RSDP OEM ID");
        assertEquals(cpus, b.madtCpus(), "processors in the MADT SeaBIOS installed");
        // make_bios_readonly turned 0xf0000-0xfffff into read-only RAM (PAM0 = 0x10) before booting.
        assertTrue(b.fSegmentLocked(), "F-segment never became read-only RAM");
    }

    @Test void fourCpusWithTheInKernelIrqchip() throws Exception {
        assertBooted(boot(4, IrqchipMode.KERNEL), 4);
    }

    @Test void oneCpuWithTheJavaIrqchip() throws Exception {
        assertBooted(boot(1, IrqchipMode.USER), 1);
    }

    /** SeaBIOS sends INIT and SIPI back to back while the APs wait: CpuRuntime must not keep the INIT pending. */
    @Test void fourCpusWithTheJavaIrqchip() throws Exception {
        assertBooted(boot(4, IrqchipMode.USER), 4);
    }
}
