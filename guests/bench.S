# bench: the exit-cost benchmark guest. Entered in 32-bit protected mode (multiboot v1), it
#   1. reads "iters=N" (default 200000) and "reps=R" (default 5) from the multiboot command line;
#   2. identity-maps the first 4 GiB with 2 MiB pages, all user-accessible (PML4, PDPT, 4 PDs in .bss),
#      enables PAE, EFER.LME and paging, loads a GDT with 64-bit ring-0 and ring-3 segments and a TSS,
#      and far-jumps to 64-bit code;
#   3. iretq's to ring 3, so the rest needs no ring-0 code at all: on the paravirtual host KVM ring-0
#      code is emulated instruction by instruction, ring 3 runs natively. Ring 3 may use every port:
#      RFLAGS.IOPL=3 and, because that host keeps IOPL at 0 (seen under QEMU: the #GP on the first
#      outb from ring 3), also an all-zero I/O permission bitmap in the TSS.
# Ring 3 measures, with rdtsc (CR4.TSD=0), N iterations of each operation, R times:
#   io     outl to port 0xe0 (pc-testdev scratch register: a userspace device in vmscope and QEMU)
#   mmio   movl to 0xff000000 (pc-testdev 64 KiB MMIO window: an exit to userspace)
#   cpuid  leaf 0 (answered inside KVM)
# and prints on COM1 (port I/O from ring 3 is allowed by IOPL=3), in decimal:
#   bench iters=<N> reps=<R>
#   bench <op> <repeat 1..R> <cycles per operation> <total cycles>      (3*R lines: io, mmio, cpuid)
#   bench done
# then exits through isa-debug-exit value 0 (status 1).
# GDT selectors: 0x08 kernel code64, 0x10 kernel data, 0x18 user data, 0x20 user code64, 0x28 TSS.
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.set DEFAULT_ITERS, 200000
.set DEFAULT_REPS, 5
.set TESTDEV_PORT, 0xe0
.set TESTDEV_MMIO, 0xff000000
.set PTE_P_RW_US, 0x7                # present, writable, user (Intel SDM Vol. 3A 4.5, tables 4-15..4-19)
.set PTE_PS, 0x80                    # page size: a 2 MiB page in a PD entry
.set CR4_PAE, 1 << 5
.set CR4_TSD, 1 << 2
.set EFER_MSR, 0xc0000080
.set EFER_LME, 1 << 8
.set CR0_PG, 1 << 31

.code32
.globl _start
_start:
    mov $stack_top, %esp
    mov %ebx, mbi
    mov $w_iters, %edi
    call cmdline_has
    jc 1f
    call parse_dec
    test %eax, %eax
    jz 1f
    mov %eax, iters
1:  mov mbi, %ebx
    mov $w_reps, %edi
    call cmdline_has
    jc 2f
    call parse_dec
    test %eax, %eax
    jz 2f
    mov %eax, reps

2:  # 2048 PD entries of 2 MiB cover 4 GiB; the upper dwords stay 0 (.bss is zeroed by the loader).
    mov $pd, %edi
    mov $(PTE_P_RW_US | PTE_PS), %eax
    mov $2048, %ecx
3:  mov %eax, (%edi)
    add $8, %edi
    add $0x200000, %eax
    loop 3b
    mov $(pd + PTE_P_RW_US), %eax
    xor %ecx, %ecx
4:  mov %eax, pdpt(,%ecx,8)
    add $0x1000, %eax
    inc %ecx
    cmp $4, %ecx
    jb 4b
    movl $(pdpt + PTE_P_RW_US), pml4

    # TSS descriptor base (Intel SDM Vol. 3A, "TSS Descriptor in 64-bit mode"): bits 15:0 at +2,
    # 23:16 at +4, 31:24 at +7; the linker-chosen address can only be split at run time.
    mov $tss, %eax
    mov %ax, gdt_tss + 2
    shr $16, %eax
    mov %al, gdt_tss + 4
    mov %ah, gdt_tss + 7
    movl $stack_top, tss + 4         # RSP0, should anything ever enter ring 0 again
    # I/O permission bitmap right after the 104-byte TSS: 8192 zero bytes allow all 65536 ports, and the
    # byte after it must be 0xff (Intel SDM Vol. 1, "I/O Permission Bit Map").
    movw $104, tss + 102
    movb $0xff, tss + 104 + 8192

    mov %cr4, %eax
    or $CR4_PAE, %eax
    and $~CR4_TSD, %eax
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $EFER_MSR, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $CR0_PG, %eax
    mov %eax, %cr0
    lgdt gdt_ptr
    ljmp $0x08, $long_entry

.code64
long_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x28, %ax
    ltr %ax
    pushq $0x1b                      # SS: user data, RPL 3
    pushq $user_stack_top
    pushq $0x3002                    # RFLAGS: IOPL 3, IF 0, reserved bit 1
    pushq $0x23                      # CS: user code64, RPL 3
    pushq $user_main
    iretq

# ---- ring 3 from here on ----
user_main:
    mov $m_head, %rsi
    call puts64
    mov iters, %eax
    call putdec64
    mov $m_reps, %rsi
    call puts64
    mov reps, %eax
    call putdec64
    mov $'\n', %al
    call putc64

    mov $1, %r14d                    # repeat number
repeat:
    call tsc
    mov %rax, %r12
    mov iters, %ecx
    mov $TESTDEV_PORT, %edx
    mov %r14d, %eax
1:  outl %eax, %dx
    dec %ecx
    jnz 1b
    mov $n_io, %rsi
    call report

    call tsc
    mov %rax, %r12
    mov iters, %ecx
    mov $TESTDEV_MMIO, %ebx
    mov %r14d, %eax
1:  movl %eax, (%rbx)
    dec %ecx
    jnz 1b
    mov $n_mmio, %rsi
    call report

    call tsc
    mov %rax, %r12
    mov iters, %r8d
1:  xor %eax, %eax
    cpuid
    dec %r8d
    jnz 1b
    mov $n_cpuid, %rsi
    call report

    inc %r14d
    cmp reps, %r14d
    jbe repeat

    mov $m_done, %rsi
    call puts64
    mov $0, %al
    outb %al, $DEBUG_EXIT
1:  pause
    jmp 1b

# tsc: %rax = time-stamp counter, after earlier instructions completed. Clobbers %rdx.
tsc:
    lfence
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    ret

# report: print "bench <name at %rsi> <repeat %r14> <(tsc - %r12) / iters> <tsc - %r12>\n".
report:
    call tsc
    sub %r12, %rax
    mov %rax, %r13
    push %rsi
    mov $m_bench, %rsi
    call puts64
    pop %rsi
    call puts64
    mov $' ', %al
    call putc64
    mov %r14d, %eax
    call putdec64
    mov $' ', %al
    call putc64
    mov %r13, %rax
    xor %edx, %edx
    mov iters, %ecx
    div %rcx
    call putdec64
    mov $' ', %al
    call putc64
    mov %r13, %rax
    call putdec64
    mov $'\n', %al
    jmp putc64

putc64:
    mov $COM1, %dx
    outb %al, %dx
    ret

# puts64: NUL-terminated string at %rsi. Clobbers %rax, %rdx, %rsi.
puts64:
    lodsb
    test %al, %al
    jz 1f
    call putc64
    jmp puts64
1:  ret

# putdec64: %rax in decimal. Clobbers %rax, %rcx, %rdx, %rdi.
putdec64:
    mov $digits_end, %edi
    mov $10, %ecx
1:  xor %edx, %edx
    div %rcx
    add $'0', %dl
    dec %rdi
    mov %dl, (%rdi)
    test %rax, %rax
    jnz 1b
2:  mov (%rdi), %al
    call putc64
    inc %rdi
    cmp $digits_end, %rdi
    jb 2b
    ret

.section .rodata
w_iters: .asciz "iters="
w_reps:  .asciz "reps="
m_head:  .asciz "bench iters="
m_reps:  .asciz " reps="
m_bench: .asciz "bench "
m_done:  .asciz "bench done\n"
n_io:    .asciz "io"
n_mmio:  .asciz "mmio"
n_cpuid: .asciz "cpuid"

.section .data
.balign 8
# Flat 64-bit segments (Intel SDM Vol. 3A 3.4.5 "Segment Descriptors"; L bit 53 for code).
gdt:     .quad 0
         .quad 0x00209a0000000000    # 0x08 ring-0 code: P, DPL 0, S, execute/read, L
         .quad 0x0000920000000000    # 0x10 ring-0 data: P, DPL 0, S, read/write
         .quad 0x0000f20000000000    # 0x18 ring-3 data: P, DPL 3, S, read/write
         .quad 0x0020fa0000000000    # 0x20 ring-3 code: P, DPL 3, S, execute/read, L
gdt_tss: .word 104 + 8192, 0        # 0x28 TSS with I/O bitmap: limit, base filled in at run time
         .byte 0, 0x89, 0, 0         #      P, type 9 = available 64-bit TSS
         .long 0, 0
gdt_end:
gdt_ptr: .word gdt_end - gdt - 1
         .long gdt
iters:   .long DEFAULT_ITERS
reps:    .long DEFAULT_REPS

.section .bss
.balign 4096
pml4:    .skip 4096
pdpt:    .skip 4096
pd:      .skip 4 * 4096
.balign 16
tss:     .skip 104 + 8192 + 1
mbi:     .skip 4
digits:  .skip 24
digits_end:
.balign 16
         .skip 4096
user_stack_top:
