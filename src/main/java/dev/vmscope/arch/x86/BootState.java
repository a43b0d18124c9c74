package dev.vmscope.arch.x86;

import dev.vmscope.hypervisor.CpuState.Segment;
import dev.vmscope.memory.GuestMemory;

/**
 * The CPU state a guest starts in, independent of KVM (the vCPU code turns it into KVM register state).
 * Factories write what the state refers to into guest memory, at fixed low addresses:
 * <pre>
 *   0x500  .. 0x51f   GDT: 0x08 flat code32, 0x10 flat data, 0x18 code64         ({@link #GDT_BASE})
 *   0x520  .. 0x53f   Linux boot GDT: 0x10 __BOOT_CS, 0x18 __BOOT_DS             ({@link #LINUX_GDT_BASE})
 *   0x1000 .. 0x6fff  long64 identity page tables: PML4 0x1000, PDPT 0x2000,
 *                     4 page directories 0x3000-0x6fff (2 MiB pages, first 4 GiB) ({@link #PAGE_TABLES})
 *   0x8000            initial ESP for multiboot (the spec leaves ESP undefined)    ({@link #MULTIBOOT_STACK})
 *   0x9000 ..         multiboot info area (see dev.vmscope.loader.Multiboot#INFO_AREA)
 * </pre>
 * There is no A20 gate to open: KVM guests always see all address lines.
 */
public record BootState(Mode mode, long rip, long rsp, long rflags,
                        long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rbp,
                        long cr0, long cr3, long cr4, long efer,
                        Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss,
                        Segment tr, Segment ldt, DescriptorTable gdt, DescriptorTable idt) {
    public enum Mode { REAL, PROTECTED32, LONG64 }

    public static final long GDT_BASE = 0x500;
    public static final int SEL_CODE32 = 0x08, SEL_DATA = 0x10, SEL_CODE64 = 0x18;
    public static final long PAGE_TABLES = 0x1000;
    public static final long MULTIBOOT_STACK = 0x8000;
    public static final long REAL_STACK = 0x7c00;

    // Control register and EFER bits: Intel SDM Vol. 3A 2.5 "Control Registers", 2.2.1 "EFER".
    public static final long CR0_PE = 1, CR0_ET = 1 << 4, CR0_WP = 1 << 16, CR0_PG = 1L << 31;
    public static final long CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_LA57 = 1 << 12;
    public static final long EFER_LME = 1 << 8, EFER_LMA = 1 << 10, EFER_NXE = 1 << 11;
    /** RFLAGS bit 1 is reserved and always 1; IF and everything else clear. */
    public static final long RFLAGS_RESERVED = 0x2;

    private static final Segment[] GDT = {
        null, Segment.flatCode32(SEL_CODE32), Segment.flatData(SEL_DATA), Segment.code64(SEL_CODE64)};
    /** Bytes of guest memory the boot GDT occupies from {@link #GDT_BASE}. */
    public static final int GDT_SIZE = 8 * GDT.length;

    /**
     * Multiboot v1 entry state (Multiboot Specification 0.6.96, 3.2 "Machine state"): 32-bit protected
     * mode, paging off, EAX = 0x2BADB002, EBX = info structure, CS flat execute/read, DS/ES/FS/GS/SS flat
     * read/write, IF = 0. The GDT is written at {@link #GDT_BASE}; the IDT is empty (limit 0), so any
     * interrupt or exception before the kernel loads its own IDT is a triple fault.
     */
    public static BootState multiboot(GuestMemory memory, long entry, long magic, long infoAddress) {
        return flat32(memory, entry, magic, infoAddress);
    }

    /** Flat 32-bit protected mode at {@code entry} (paging off, IF = 0), as multiboot but without its registers. */
    public static BootState protected32(GuestMemory memory, long entry) { return flat32(memory, entry, 0, 0); }

    private static BootState flat32(GuestMemory memory, long entry, long eax, long ebx) {
        DescriptorTable gdt = writeGdt(memory);
        Segment data = Segment.flatData(SEL_DATA);
        return new BootState(Mode.PROTECTED32, entry, MULTIBOOT_STACK, RFLAGS_RESERVED, eax, ebx, 0, 0, 0, 0, 0,
                CR0_PE | CR0_ET, 0, 0, 0,
                Segment.flatCode32(SEL_CODE32), data, data, data, data, data,
                Segment.bootTr(), Segment.bootLdt(), gdt, new DescriptorTable(0, 0));
    }

    /** The Linux 32-bit boot protocol's selectors: __BOOT_CS and __BOOT_DS (Documentation/arch/x86/boot.rst). */
    public static final int LINUX_BOOT_CS = 0x10, LINUX_BOOT_DS = 0x18;
    public static final long LINUX_GDT_BASE = GDT_BASE + GDT_SIZE;
    public static final int LINUX_GDT_SIZE = 32;

    /**
     * The 32-bit boot protocol's entry state (boot.rst "32-bit Boot Protocol"): protected mode, paging off,
     * a GDT with 4 GiB flat __BOOT_CS (0x10, execute/read) and __BOOT_DS (0x18, read/write), CS = __BOOT_CS,
     * DS/ES/SS = __BOOT_DS, interrupts off, ESI = boot_params, EBP = EDI = EBX = 0.
     */
    public static BootState linux32(GuestMemory memory, long entry, long bootParams) {
        Segment code = Segment.flatCode32(LINUX_BOOT_CS), data = Segment.flatData(LINUX_BOOT_DS);
        writeLinuxGdt(memory, code, data);
        return new BootState(Mode.PROTECTED32, entry, MULTIBOOT_STACK, RFLAGS_RESERVED,
                0, 0, 0, 0, bootParams, 0, 0,
                CR0_PE | CR0_ET, 0, 0, 0,
                code, data, data, data, data, data,
                Segment.bootTr(), Segment.bootLdt(), new DescriptorTable(LINUX_GDT_BASE, LINUX_GDT_SIZE - 1),
                new DescriptorTable(0, 0));
    }

    /** The Linux boot GDT: two null entries, then __BOOT_CS and __BOOT_DS (32- or 64-bit code). */
    private static void writeLinuxGdt(GuestMemory memory, Segment code, Segment data) {
        memory.writeU64(LINUX_GDT_BASE, 0);
        memory.writeU64(LINUX_GDT_BASE + 8, 0);
        memory.writeU64(LINUX_GDT_BASE + LINUX_BOOT_CS, code.descriptor());
        memory.writeU64(LINUX_GDT_BASE + LINUX_BOOT_DS, data.descriptor());
    }

    /**
     * The 64-bit boot protocol's entry state (boot.rst "64-bit Boot Protocol"): long mode with paging, the
     * loaded kernel, zero page and command line identity-mapped (here: the first 4 GiB, 2 MiB pages at
     * {@link #PAGE_TABLES}), a GDT whose __BOOT_CS (0x10) is 64-bit execute/read and __BOOT_DS (0x18) flat
     * read/write, CS = __BOOT_CS, DS/ES/SS = __BOOT_DS, interrupts off, RSI = boot_params. Used both for a
     * bzImage's startup_64 (load address + 0x200) and for a host-decompressed vmlinux's startup_64.
     */
    public static BootState linux64(GuestMemory memory, long entry, long bootParams) {
        IdentityMap.build(memory, PAGE_TABLES);
        Segment code = Segment.code64(LINUX_BOOT_CS), data = Segment.flatData(LINUX_BOOT_DS);
        writeLinuxGdt(memory, code, data);
        return new BootState(Mode.LONG64, entry, MULTIBOOT_STACK, RFLAGS_RESERVED,
                0, 0, 0, 0, bootParams, 0, 0,
                CR0_PE | CR0_ET | CR0_WP | CR0_PG, PAGE_TABLES, CR4_PAE, EFER_LME | EFER_LMA,
                code, data, data, data, data, data,
                Segment.bootTr(), Segment.bootLdt(), new DescriptorTable(LINUX_GDT_BASE, LINUX_GDT_SIZE - 1),
                new DescriptorTable(0, 0));
    }

    /** Real mode at {@code cs:ip}; data segments 0, SP = 0x7c00, IDT = the real-mode IVT at 0. */
    public static BootState real(int cs, int ip) {
        Segment data = Segment.real(0, false);
        return new BootState(Mode.REAL, ip & 0xffff, REAL_STACK, RFLAGS_RESERVED, 0, 0, 0, 0, 0, 0, 0,
                CR0_ET, 0, 0, 0,
                Segment.real(cs, true), data, data, data, data, data,
                Segment.bootTr(), Segment.bootLdt(), new DescriptorTable(0, 0xffff), new DescriptorTable(0, 0x3ff));
    }

    /** 64-bit long mode at {@code entry} with identity page tables built at {@link #PAGE_TABLES}. */
    public static BootState long64(GuestMemory memory, long entry, long stack) {
        return long64(memory, entry, stack, PAGE_TABLES);
    }

    /**
     * 64-bit long mode at {@code entry}: identity map of the first 4 GiB with 2 MiB pages (present,
     * writable, supervisor) built at {@code pageTableRoot} (6 pages: PML4, PDPT, 4 PDs), CS = code64,
     * data segments flat, CR0 PE|ET|WP|PG, CR4 PAE, EFER LME|LMA, IF = 0, IDT empty.
     */
    public static BootState long64(GuestMemory memory, long entry, long stack, long pageTableRoot) {
        if ((pageTableRoot & 0xfff) != 0)
            throw new IllegalArgumentException("page table root 0x" + Long.toHexString(pageTableRoot) + " is not page-aligned");
        IdentityMap.build(memory, pageTableRoot);
        DescriptorTable gdt = writeGdt(memory);
        Segment data = Segment.flatData(SEL_DATA);
        return new BootState(Mode.LONG64, entry, stack, RFLAGS_RESERVED, 0, 0, 0, 0, 0, 0, 0,
                CR0_PE | CR0_ET | CR0_WP | CR0_PG, pageTableRoot, CR4_PAE, EFER_LME | EFER_LMA,
                Segment.code64(SEL_CODE64), data, data, data, data, data,
                Segment.bootTr(), Segment.bootLdt(), gdt, new DescriptorTable(0, 0));
    }

    private static DescriptorTable writeGdt(GuestMemory memory) {
        for (int i = 0; i < GDT.length; i++)
            memory.writeU64(GDT_BASE + 8L * i, GDT[i] == null ? 0 : GDT[i].descriptor());
        return new DescriptorTable(GDT_BASE, GDT_SIZE - 1);
    }
}
