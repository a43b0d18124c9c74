package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.*;

import dev.vmscope.loader.LinuxEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Debian's kernel (fetched by test.sh) entered by the 64-bit boot protocol and as a host-decompressed vmlinux
 * on real KVM: without a root file system it must get as far as the VFS panic on COM1, then reboot
 * (panic=-1), which shows the entry state, boot_params and the page tables were what it expects.
 */
class DebianKernelEntryOnKvmTest {
    @ParameterizedTest
    @EnumSource(value = LinuxEntry.class, names = {"BOOT64", "VMLINUX"})
    void bootsToTheRootFsPanic(LinuxEntry entry) throws Exception {
        VmHarness.assumeKvm();
        Path vmlinuz = null;
        for (String d : new String[] {System.getenv("VMSCOPE_VMLINUZ_DIR"), "/boot"}) {
            if (d == null || !Files.isDirectory(Path.of(d))) continue;
            try (var s = Files.list(Path.of(d))) {
                vmlinuz = s.filter(f -> f.getFileName().toString().startsWith("vmlinuz-")).sorted().reduce((a, b) -> b).orElse(vmlinuz);
            }
        }
        Assumptions.assumeTrue(vmlinuz != null, "no Debian vmlinuz (test.sh fetches it); skipped");
        MachineConfig b = VmHarness.config(vmlinuz, "console=ttyS0 panic=-1 nokaslr");
        MachineConfig cfg = new MachineConfig(512L << 20, 1, b.irqchip(), vmlinuz, b.append(), List.of(), null, false,
                120_000, null, false, VmHarness.TEST_DEBUG, null).withDisks(List.of(), entry);
        VmHarness.Result r = VmHarness.run(cfg);
        assertTrue(r.console().contains("Linux version "), r.console() + r.diag());
        assertTrue(r.console().contains("Kernel panic - not syncing"), r.console() + r.diag());
        assertNotEquals(dev.vmscope.vcpu.ExitStatus.TIMEOUT, r.status(), r.diag());
    }
}
