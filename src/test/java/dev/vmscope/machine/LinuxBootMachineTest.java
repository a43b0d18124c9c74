package dev.vmscope.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * guests/linux_stub.bzImage booted by the Linux/x86 32-bit boot protocol on real KVM, with `--append`
 * and `--initrd` as QEMU spells them: the stub reports the entry state and the zero page from the guest's
 * side (Documentation/arch/x86/boot.rst "32-bit Boot Protocol").
 */
class LinuxBootMachineTest {
    @Test void theStubSeesTheProtocolsEntryStateAndItsZeroPage(@TempDir Path dir) throws Exception {
        VmHarness.assumeBackend();
        Path kernel = Path.of(System.getProperty("vmscope.guests", "target/classes/guests"), "linux_stub.bzImage");
        Path initrd = Files.write(dir.resolve("initrd"), "INITRD-DATA".getBytes());
        MachineConfig b = VmHarness.config(kernel, "console=ttyS0 root=/dev/vda quiet");
        MachineConfig cfg = new MachineConfig(b.ramBytes(), 1, b.irqchip(), kernel, b.append(), List.of(initrd), null, false,
                60_000, null, false, VmHarness.TEST_DEBUG, null);
        VmHarness.Result r = VmHarness.run(cfg);
        long usableFrom1M = b.ramBytes() - 0x100000;   // E820.standard: RAM from 1 MiB to the end
        assertEquals(String.join("\n",
                "linux-stub: cs 00000010 ds 00000018 ss 00000018 es 00000018 bp 00010000 ebx|edi|ebp 00000000 if 0",
                "linux-stub: loader 000000ff version 0000020f code32_start 00100000",
                "linux-stub: cmdline 'console=ttyS0 root=/dev/vda quiet'",
                "linux-stub: initrd size 0000000b page-aligned 1 first 54494e49",   // "INIT" little-endian
                String.format("linux-stub: e820 00000004 usable-at-1M %08x", usableFrom1M), ""), r.console(), r.diag());
        assertEquals(1, r.status(), r.diag());
    }
}
