package dev.vmscope.loader;

import java.nio.file.Path;
import java.util.List;

/**
 * The kernel proper (vmlinux) taken out of a bzImage on the host and placed as the kernel's own
 * decompressor would (arch/x86/boot/compressed/misc.c extract_kernel, parse_elf): each PT_LOAD segment at
 * its p_paddr (from LOAD_PHYSICAL_ADDR, CONFIG_PHYSICAL_START, 16 MiB on Debian), entered at e_entry, the
 * physical address of startup_64 (arch/x86/kernel/vmlinux.lds.S: ENTRY(phys_startup_64)).
 *
 * <p>Relocation and KASLR: loading at the link-time physical address with the link-time virtual address
 * needs no relocation, so the vmlinux.relocs table the build appends after the ELF is not applied
 * (handle_relocations only runs for a moved virtual base). Nothing is randomised: loadflags keeps
 * KASLR_FLAG (bit 1) clear, which is how the kernel learns that its base and memory regions were not
 * randomised (kaslr_enabled(), arch/x86/include/asm/setup.h), as after booting with "nokaslr".
 * startup_64 (arch/x86/kernel/head_64.S) computes the physical load delta itself, builds its own page
 * tables and GDT, and reads boot_params from RSI; it needs long mode with the kernel identity-mapped.
 */
final class Vmlinux {
    private Vmlinux() {}

    /** A loaded vmlinux: where it went and where it starts. */
    record Loaded(long entry, List<LoadResult.Region> regions) { }

    static Loaded load(dev.vmscope.memory.GuestMemory memory, Placement placement, KernelFile bzImage, int payloadOffset,
                       int payloadLength) {
        byte[] elfBytes = KernelPayload.decompress(bzImage, payloadOffset, payloadLength);
        KernelFile elfFile = new KernelFile(Path.of(bzImage.path + " (decompressed payload)"), elfBytes);
        ElfKernel elf = ElfKernel.parse(elfFile);
        if (!elf.is64()) throw elfFile.error("the payload is a 32-bit ELF; the 64-bit entry needs an x86-64 vmlinux");
        long entry = elf.physicalEntry();
        boolean inside = elf.segments().stream()
                .anyMatch(s -> Long.compareUnsigned(entry - s.paddr(), s.memsz()) < 0 && s.filesz() > entry - s.paddr());
        if (!inside) throw elfFile.error("the ELF entry 0x" + Long.toHexString(entry) + " is not inside a loaded segment");
        return new Loaded(entry, elf.load(memory, placement));
    }
}
