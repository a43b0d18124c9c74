package dev.vmscope.debug;

import dev.vmscope.hypervisor.CpuState;
import dev.vmscope.memory.MemoryRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * ELF core of the whole VM in the layout of QEMU's dump-guest-memory for x86-64 (qemu dump/dump.c,
 * target/i386/arch_dump.c): ELF64 ET_CORE EM_X86_64; program headers PT_NOTE first, then one PT_LOAD per
 * RAM region with p_paddr = guest-physical; the note segment holds one "CORE" NT_PRSTATUS per vCPU and
 * then one "QEMU" note (type 0, QEMUCPUState version 1, 440 bytes) per vCPU; RAM follows the notes. Unlike QEMU we
 * always write the 64-bit form (QEMU switches to EM_386 notes when the first CPU is not in long mode).
 * RAM is streamed from the guest memory segments, never copied into one array.
 */
public final class ElfCoreWriter {
    /** p_vaddr of the PT_LOADs (QEMU memory_mapping.c). */
    public enum VirtualAddresses {
        /** 0, as dump-guest-memory without paging: crash(8)/physical tools only. */
        PHYSICAL_ONLY,
        /** vaddr = paddr, as dump-guest-memory -p produces when no vCPU has paging on; gdb can read it. */
        IDENTITY,
        /** IDENTITY when every vCPU has CR0.PG clear, else PHYSICAL_ONLY (no page walk is done here). */
        AUTO
    }

    static final int EHDR = 64, PHDR = 56, NHDR = 12;
    static final int PT_LOAD = 1, PT_NOTE = 4, ET_CORE = 4, EM_X86_64 = 62, NT_PRSTATUS = 1;
    /** sizeof(struct elf_prstatus) on x86-64: 32 bytes before pr_pid, pr_reg at 112, 27 regs, 8 trailing. */
    static final int PRSTATUS_SIZE = 336, PR_PID = 32, PR_REG = 112;
    /**
     * sizeof(QEMUCPUState) version 1: 2 u32, 18 u64, 10 segments of 24 bytes, cr[5], then kernel_gs_base,
     * which QEMU appended later without a version bump (readers check the size field; see
     * contrib/elf2dmp/qemu_elf.h).
     */
    static final int QEMU_STATE_SIZE = 8 + 18 * 8 + 10 * 24 + 5 * 8 + 8;

    private ElfCoreWriter() {}

    public static void write(DebugTarget target, Path file) throws IOException { write(target, file, VirtualAddresses.AUTO); }

    /** Writes atomically; the target must be paused. */
    public static void write(DebugTarget target, Path file, VirtualAddresses mode) throws IOException {
        int n = target.vcpuCount();
        CpuState[] cpus = new CpuState[n];
        boolean paging = false;
        for (int i = 0; i < n; i++) {
            cpus[i] = target.state(i);
            paging |= cpus[i].pagingEnabled();
        }
        boolean identity = mode == VirtualAddresses.IDENTITY || mode == VirtualAddresses.AUTO && !paging;
        List<MemoryRegion> regions = target.memory().regions();
        if (regions.size() + 1 >= 0xffff) throw new IOException("too many RAM regions for e_phnum");
        int phnum = 1 + regions.size();
        ByteBuffer notes = notes(cpus);
        long noteOff = EHDR + (long) PHDR * phnum;
        long memOff = noteOff + notes.remaining();

        ByteBuffer head = le(EHDR + PHDR * phnum);
        head.put(new byte[] {0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */, 0});
        head.put(new byte[8]);
        head.putShort((short) ET_CORE).putShort((short) EM_X86_64).putInt(1).putLong(0).putLong(EHDR).putLong(0)
                .putInt(0).putShort((short) EHDR).putShort((short) PHDR).putShort((short) phnum)
                .putShort((short) 64).putShort((short) 0).putShort((short) 0);
        phdr(head, PT_NOTE, noteOff, 0, 0, notes.remaining());
        long off = memOff;
        for (MemoryRegion r : regions) {
            phdr(head, PT_LOAD, off, identity ? r.gpa() : 0, r.gpa(), r.size());
            off += r.size();
        }
        head.flip();
        AtomicFiles.write(file, ch -> {
            writeFully(ch, head);
            writeFully(ch, notes);
            for (MemoryRegion r : regions) {
                long size = r.size();
                for (long pos = 0; pos < size; pos += 1 << 20)
                    writeFully(ch, r.segment().asSlice(pos, Math.min(1 << 20, size - pos)).asByteBuffer());
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static ByteBuffer le(int size) { return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN); }

    /** Elf64_Phdr: type, flags, offset, vaddr, paddr, filesz, memsz, align. QEMU leaves flags and align 0. */
    private static void phdr(ByteBuffer b, int type, long offset, long vaddr, long paddr, long size) {
        b.putInt(type).putInt(0).putLong(offset).putLong(vaddr).putLong(paddr).putLong(size).putLong(size).putLong(0);
    }

    static int noteSize(int desc) { return NHDR + 8 /* "CORE\0" / "QEMU\0" padded to 4 */ + (desc + 3 & ~3); }

    private static ByteBuffer notes(CpuState[] cpus) {
        ByteBuffer b = le(cpus.length * (noteSize(PRSTATUS_SIZE) + noteSize(QEMU_STATE_SIZE)));
        for (int i = 0; i < cpus.length; i++) {
            noteHeader(b, "CORE", PRSTATUS_SIZE, NT_PRSTATUS);
            int start = b.position();
            b.position(start + PR_PID).putInt(i + 1); // QEMU: cpu_index + 1
            b.position(start + PR_REG);
            prstatusRegs(b, cpus[i]);
            b.position(start + PRSTATUS_SIZE);
        }
        for (CpuState s : cpus) {
            noteHeader(b, "QEMU", QEMU_STATE_SIZE, 0);
            qemuCpuState(b, s);
        }
        return b.flip();
    }

    private static void noteHeader(ByteBuffer b, String name, int desc, int type) {
        b.putInt(5).putInt(desc).putInt(type).put(name.getBytes(StandardCharsets.US_ASCII)).put(new byte[4]);
    }

    /** struct user_regs_struct order (linux arch/x86/include/asm/user_64.h); orig_rax 0 as QEMU writes it. */
    private static void prstatusRegs(ByteBuffer b, CpuState s) {
        b.putLong(s.r15()).putLong(s.r14()).putLong(s.r13()).putLong(s.r12()).putLong(s.rbp()).putLong(s.rbx())
                .putLong(s.r11()).putLong(s.r10()).putLong(s.r9()).putLong(s.r8()).putLong(s.rax()).putLong(s.rcx())
                .putLong(s.rdx()).putLong(s.rsi()).putLong(s.rdi()).putLong(0).putLong(s.rip()).putLong(s.cs().selector())
                .putLong(s.rflags()).putLong(s.rsp()).putLong(s.ss().selector()).putLong(s.fs().base()).putLong(s.gs().base())
                .putLong(s.ds().selector()).putLong(s.es().selector()).putLong(s.fs().selector()).putLong(s.gs().selector());
    }

    /** QEMUCPUState (target/i386/arch_dump.c); segment flags in QEMU's descriptor-dword form. */
    private static void qemuCpuState(ByteBuffer b, CpuState s) {
        b.putInt(1).putInt(QEMU_STATE_SIZE);
        b.putLong(s.rax()).putLong(s.rbx()).putLong(s.rcx()).putLong(s.rdx()).putLong(s.rsi()).putLong(s.rdi())
                .putLong(s.rsp()).putLong(s.rbp());
        for (int i = 8; i < 16; i++) b.putLong(s.gpr(i));
        b.putLong(s.rip()).putLong(s.rflags());
        for (CpuState.Segment g : new CpuState.Segment[] {s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.ldt(), s.tr()})
            b.putInt(g.selector()).putInt((int) g.limit()).putInt(g.qemuFlags()).putInt(0).putLong(g.base());
        for (CpuState.Table t : new CpuState.Table[] {s.gdt(), s.idt()})
            b.putInt(0).putInt(t.limit()).putInt(0).putInt(0).putLong(t.base());
        b.putLong(s.cr0()).putLong(0).putLong(s.cr2()).putLong(s.cr3()).putLong(s.cr4());
        b.putLong(s.kernelGsBase());
    }
}
