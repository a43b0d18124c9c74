package dev.vmscope.machine;

/**
 * The guest-physical layout of the PC machine vmscope builds (a subset of QEMU's "pc"):
 * RAM from 0 up to the 32-bit hole at {@link #LOWMEM_LIMIT}, the rest of RAM from 4 GiB; MMIO devices
 * in the hole. The only home of these addresses.
 */
public final class MemoryMap {
    private MemoryMap() {}

    /** RAM below 4 GiB ends here at most; [3.5 GiB, 4 GiB) is for MMIO (QEMU pc uses the same limit). */
    public static final long LOWMEM_LIMIT = 0xe000_0000L;
    public static final long HIGHMEM_BASE = 0x1_0000_0000L;

    /** Three pages KVM on Intel needs for real-mode emulation (KVM_SET_TSS_ADDR), as QEMU places them. */
    public static final long KVM_TSS = 0xfeff_d000L;
    public static final long KVM_IDENTITY_MAP = 0xfeff_c000L;

    public static final long IOAPIC = 0xfec0_0000L;
    public static final long LAPIC = 0xfee0_0000L;
    /** QEMU pc-testdev's 64 KiB RAM-like MMIO region ("pc-testdev" iomem). */
    public static final long PC_TESTDEV_MMIO = 0xff00_0000L;
    /**
     * The legacy BIOS window: option ROMs and the BIOS below 1 MiB, decoded by the i440FX PAM registers when
     * firmware runs (--bios); plain RAM for direct kernel boot.
     */
    public static final long SHADOW_START = 0xc0000, SHADOW_END = 0x100000;
    /** Firmware is mapped at the top of the 4 GiB space. */
    public static final long BIOS_TOP = 0x1_0000_0000L;

    /** Firmware images: a multiple of 64 KiB (QEMU x86_bios_rom_init), at most 8 MiB (clear of pc-testdev's page). */
    public static final long BIOS_SIZE_UNIT = 64 << 10, BIOS_MAX_SIZE = 8 << 20;

    /** Why a firmware image of {@code size} bytes cannot be mapped, or null. */
    public static String biosSizeProblem(long size) {
        if (size <= 0 || size % BIOS_SIZE_UNIT != 0 || size > BIOS_MAX_SIZE)
            return "a firmware image must be a non-empty multiple of 64 KiB of at most 8 MiB (this one is " + size + " bytes)";
        return null;
    }

    public static long lowRam(long ram) { return Math.min(ram, LOWMEM_LIMIT); }

    public static long highRam(long ram) { return Math.max(0, ram - LOWMEM_LIMIT); }
}
