package dev.vmscope.loader;

import java.util.List;
import java.util.Optional;

/**
 * What a loader put into guest memory and how the guest is to be entered.
 *
 * @param entry       guest-physical entry point
 * @param infoAddress guest-physical address of the boot information (the multiboot info structure), 0 if none
 * @param protocol    how the CPU must be set up (see {@code arch.x86.BootState} factories)
 * @param regions     every guest-physical range the loader wrote, in load order
 * @param symbols     the kernel's symbol table (ELF .symtab), empty when it has none
 */
public record LoadResult(long entry, long infoAddress, BootProtocol protocol, List<Region> regions,
                         List<Symbol> symbols) {
    public LoadResult {
        regions = List.copyOf(regions);
        symbols = List.copyOf(symbols);
    }

    public enum BootProtocol {
        /** Multiboot v1: 32-bit protected mode, flat segments, paging off, EAX magic, EBX info. */
        MULTIBOOT,
        /** A raw image: the caller chose the address and decides the CPU mode. */
        FLAT,
        /** Linux/x86 32-bit boot protocol: protected mode, __BOOT_CS 0x10 / __BOOT_DS 0x18, ESI = boot_params. */
        LINUX,
        /** Linux/x86 64-bit boot protocol: long mode, identity paging, __BOOT_CS 0x10 (64-bit) / __BOOT_DS 0x18, RSI = boot_params. */
        LINUX64
    }

    /** One guest-physical range written by a loader; {@code what} names it for messages and listings. */
    public record Region(long gpa, long size, String what) {
        public long end() { return gpa + size; }

        boolean overlaps(long otherGpa, long otherSize) {
            return otherGpa < gpa + size && gpa < otherGpa + otherSize;
        }
    }

    /** An ELF symbol: name, value (address) and size; {@code function} for STT_FUNC. */
    public record Symbol(String name, long address, long size, boolean function) { }

    public Optional<Symbol> symbol(String name) {
        return symbols.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
