package dev.vmscope.machine;

import dev.vmscope.bus.Bus;
import dev.vmscope.bus.BusDevice;
import dev.vmscope.bus.BusRange;
import dev.vmscope.devices.pci.I440fxHost;
import dev.vmscope.hypervisor.VirtualMachine;
import dev.vmscope.memory.GuestMemory;
import dev.vmscope.memory.MemoryRegion;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongToIntFunction;

/**
 * A firmware image (--bios) the way QEMU's "pc" machine maps it (hw/i386/x86-common.c x86_bios_rom_init):
 * read-only at the top of 4 GiB, its last 128 KiB also at 0xe0000-0xfffff ("isa-bios"), and behind
 * 0xc0000-0xfffff RAM that the i440FX PAM registers switch in and out (see {@link I440fxHost}).
 *
 * <p>SeaBIOS starts from the ROM, then (src/fw/shadow.c make_bios_writable) runs its shadowing routine from
 * the high copy, sets PAM to read/write DRAM, copies itself into RAM at 0xe0000/0xf0000 and later makes
 * 0xf0000 read-only again. This class models that faithfully: every 16 KiB segment of the window is, by its
 * PAM field, RAM (read/write, or read-only: KVM_MEM_READONLY, so writes exit and are dropped), the ROM alias
 * (also read-only) or nothing (0xc0000-0xdffff with RE clear: PCI space, reads all ones). The KVM memory
 * slots are only an accelerator: the same rules are implemented for accesses that exit as MMIO (writes to
 * read-only slots, or accesses racing a remap), so a write to a segment whose WE bit is set always reaches
 * RAM even while reads come from ROM.
 *
 * <p>Without KVM_CAP_READONLY_MEM the ROM and read-only segments are mapped writable (a note is printed):
 * guest writes then change vmscope's private copy of the image, never the file.
 */
final class Firmware {
    /** KVM slots: 0 low RAM, 1 RAM above 4 GiB, 2 RAM from 1 MiB (firmware boot), 3 the ROM, 4.. the window. */
    static final int SLOT_ABOVE_1M = 2, SLOT_ROM = 3, SLOT_WINDOW = 4;
    /** QEMU's isa-bios alias is at most 128 KiB. */
    static final long ISA_BIOS_MAX = 128 << 10;
    private static final long WINDOW = I440fxHost.PAM_START, SEG = I440fxHost.PAM_SEGMENT;
    private static final int SEGMENTS = (int) ((I440fxHost.PAM_END - WINDOW) / SEG);

    enum Kind { NONE, ROM, RAM_RO, RAM_RW }

    private VirtualMachine vm;
    private final MemorySegment rom;        // the image, host copy
    private final MemorySegment shadowRam;  // guest RAM 0xc0000-0xfffff
    private final long romBase, aliasBase;
    private final Kind[] kinds = new Kind[SEGMENTS];
    private final int[] attrs = new int[SEGMENTS];
    private int slotsInUse;
    private LongToIntFunction pam = a -> 0;
    private long droppedWrites;

    /** Reads the image; I/O and size problems become IllegalArgumentException naming the file. */
    static byte[] read(Path file) {
        try {
            long size = Files.size(file);
            String p = MemoryMap.biosSizeProblem(size);
            if (p != null) throw new IllegalArgumentException(file + ": " + p);
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the firmware image: " + e.getMessage(), e);
        }
    }

    /**
     * @param rom       host memory for the image (its size), owned by the machine
     * @param shadowRam the guest RAM behind 0xc0000-0xfffff (not mapped into the VM by the caller)
     */
    Firmware(byte[] image, MemorySegment rom, MemorySegment shadowRam) {
        if (MemoryMap.biosSizeProblem(image.length) != null) throw new IllegalArgumentException(MemoryMap.biosSizeProblem(image.length));
        if (shadowRam.byteSize() != SEGMENTS * SEG) throw new IllegalArgumentException("shadow RAM must be 256 KiB");
        if (rom.byteSize() != image.length) throw new IllegalArgumentException("ROM memory must be the image's size");
        this.shadowRam = shadowRam;
        this.rom = rom;
        MemorySegment.copy(image, 0, rom, ValueLayout.JAVA_BYTE, 0, image.length);
        this.romBase = MemoryMap.BIOS_TOP - image.length;
        this.aliasBase = I440fxHost.PAM_END - Math.min(image.length, ISA_BIOS_MAX);
    }

    /** Maps the ROM and the initial (reset) window into the VM: PAM all zero, so 0xe0000-0xfffff reads the ROM. */
    synchronized void map(VirtualMachine vm) {
        this.vm = vm;
        vm.mapMemory(SLOT_ROM, romBase, rom, true);
        remap();
    }

    long romBase() { return romBase; }

    long romSize() { return rom.byteSize(); }

    /** Registers the MMIO side (window and ROM) and follows the host bridge's PAM registers from now on. */
    void attach(Bus mmio, I440fxHost host) {
        mmio.register(new BusRange(WINDOW, I440fxHost.PAM_END - WINDOW), new Window(), "bios-shadow (PAM)");
        mmio.register(new BusRange(romBase, rom.byteSize()), new Rom(), "bios-rom");
        synchronized (this) { pam = host::pamAttribute; }
        host.setPamListener(this::remap);
    }

    private Kind kindOf(int seg, int attr) {
        if ((attr & I440fxHost.PAM_RE) != 0) return (attr & I440fxHost.PAM_WE) != 0 ? Kind.RAM_RW : Kind.RAM_RO;
        return WINDOW + seg * SEG >= aliasBase ? Kind.ROM : Kind.NONE;
    }

    /** Recomputes every segment from PAM and replaces the window's KVM slots if anything changed. */
    synchronized void remap() {
        Kind[] next = new Kind[SEGMENTS];
        for (int i = 0; i < SEGMENTS; i++) {
            attrs[i] = pam.applyAsInt(WINDOW + i * SEG);
            next[i] = kindOf(i, attrs[i]);
        }
        if (Arrays.equals(next, kinds) || vm == null) return;
        for (int s = 0; s < slotsInUse; s++) vm.unmapMemory(SLOT_WINDOW + s);
        System.arraycopy(next, 0, kinds, 0, SEGMENTS);
        slotsInUse = 0;
        for (int i = 0; i < SEGMENTS; ) {
            int j = i + 1;
            while (j < SEGMENTS && kinds[j] == kinds[i]) j++;
            if (kinds[i] != Kind.NONE) {
                long gpa = WINDOW + i * SEG, len = (j - i) * SEG;
                MemorySegment host = kinds[i] == Kind.ROM ? rom.asSlice(rom.byteSize() - (I440fxHost.PAM_END - gpa), len)
                        : shadowRam.asSlice(gpa - WINDOW, len);
                vm.mapMemory(SLOT_WINDOW + slotsInUse++, gpa, host, kinds[i] != Kind.RAM_RW);
            }
            i = j;
        }
    }

    /**
     * Guest-physical memory as the CPU sees it now, for the debugger, crash reports and cores: {@code ram}
     * with 0xc0000-0xfffff replaced by what PAM selects there (shadow RAM, the ROM alias, or nothing), plus
     * the ROM below 4 GiB. Without this a debugger stepping firmware at CS 0xf000 would read shadow RAM,
     * not the ROM bytes being executed, and could not read the reset vector at all.
     */
    synchronized GuestMemory view(GuestMemory ram) {
        List<MemoryRegion> out = new ArrayList<>();
        for (MemoryRegion r : ram.regions()) {
            long lo = r.gpa(), hi = r.end();
            if (hi <= WINDOW || lo >= I440fxHost.PAM_END) { out.add(r); continue; }
            if (lo < WINDOW) out.add(new MemoryRegion(lo, r.segment().asSlice(0, WINDOW - lo)));
            if (hi > I440fxHost.PAM_END)
                out.add(new MemoryRegion(I440fxHost.PAM_END, r.segment().asSlice(I440fxHost.PAM_END - lo)));
        }
        for (int i = 0; i < SEGMENTS; i++) {
            long gpa = WINDOW + i * SEG;
            switch (kinds[i]) {
                case ROM -> out.add(new MemoryRegion(gpa, rom.asSlice(rom.byteSize() - (I440fxHost.PAM_END - gpa), SEG), MemoryRegion.Kind.ROM));
                case RAM_RO, RAM_RW -> out.add(new MemoryRegion(gpa, shadowRam.asSlice(gpa - WINDOW, SEG)));
                case NONE -> { }
            }
        }
        out.add(new MemoryRegion(romBase, rom, MemoryRegion.Kind.ROM));
        return new GuestMemory(out);
    }

    /** What each 16 KiB segment of 0xc0000-0xfffff currently is (for tests and `monitor` output). */
    synchronized Kind[] layout() { return kinds.clone(); }

    synchronized long droppedWrites() { return droppedWrites; }

    /** Accesses to the window that exit: reads by the current segment kind, writes to RAM when WE is set. */
    private final class Window implements BusDevice {
        @Override public long read(long offset, int size) {
            synchronized (Firmware.this) {
                long v = 0;
                for (int i = 0; i < size && offset + i < shadowRam.byteSize(); i++) {
                    long a = offset + i;
                    int b = switch (kinds[(int) (a / SEG)]) {
                        case NONE -> 0xff;
                        case ROM -> rom.get(ValueLayout.JAVA_BYTE, rom.byteSize() - (shadowRam.byteSize() - a)) & 0xff;
                        case RAM_RO, RAM_RW -> shadowRam.get(ValueLayout.JAVA_BYTE, a) & 0xff;
                    };
                    v |= (long) b << (8 * i);
                }
                return v;
            }
        }

        @Override public void write(long offset, int size, long value) {
            synchronized (Firmware.this) {
                for (int i = 0; i < size && offset + i < shadowRam.byteSize(); i++) {
                    long a = offset + i;
                    if ((attrs[(int) (a / SEG)] & I440fxHost.PAM_WE) != 0) shadowRam.set(ValueLayout.JAVA_BYTE, a, (byte) (value >>> (8 * i)));
                    else droppedWrites++;
                }
            }
        }
    }

    /** The ROM at the top of 4 GiB: reads (only if they exit) return the image, writes are dropped. */
    private final class Rom implements BusDevice {
        @Override public long read(long offset, int size) {
            long v = 0;
            for (int i = 0; i < size && offset + i < rom.byteSize(); i++)
                v |= (long) (rom.get(ValueLayout.JAVA_BYTE, offset + i) & 0xff) << (8 * i);
            return v;
        }

        @Override public void write(long offset, int size, long value) {
            synchronized (Firmware.this) { droppedWrites++; }
        }
    }
}
