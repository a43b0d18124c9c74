package dev.vmscope.arch.x86;

import dev.vmscope.memory.GuestMemory;

/**
 * Builds 4-level identity page tables for the first 4 GiB with 2 MiB pages (Intel SDM Vol. 3A 4.5,
 * tables 4-15 PML4E, 4-17 PDPTE, 4-18 PDE mapping a 2 MiB page): PML4 at root, PDPT at root + 4 KiB,
 * four page directories after it. All entries present and writable, supervisor only.
 */
final class IdentityMap {
    static final long P = 1, RW = 1 << 1, PS = 1 << 7;
    static final int PAGES = 6;

    private IdentityMap() { }

    static void build(GuestMemory memory, long root) {
        memory.fill(root, PAGES * 4096L, (byte) 0);
        long pdpt = root + 0x1000;
        memory.writeU64(root, pdpt | P | RW);
        for (int d = 0; d < 4; d++) {
            long pd = root + 0x2000 + 0x1000L * d;
            memory.writeU64(pdpt + 8L * d, pd | P | RW);
            for (int i = 0; i < 512; i++) {
                long phys = ((long) d << 30) | ((long) i << 21);
                memory.writeU64(pd + 8L * i, phys | P | RW | PS);
            }
        }
    }
}
