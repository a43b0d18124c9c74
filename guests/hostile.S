# hostile: a guest that behaves like hostile input. Seeded from the multiboot command line ("seed" word
# position is not needed: the seed is the sum of the command-line bytes, so "seed=1", "seed=2" differ),
# it performs OPS random accesses with a xorshift32 generator:
#   in/out of size 1, 2 or 4 at any port; rep ins/outs of any size with a count of 1..256;
#   MMIO reads and writes of size 1, 2 or 4 anywhere in [0x10000000, 0xffffffff] (no RAM there with the
#   test's 32 MiB, so each is an MMIO exit: the IOAPIC, LAPIC, pc-testdev window, PCI BARs, nothing).
# Ports and writes whose whole purpose is to end the VM (isa-debug-exit 0xf4-0xf7, Bochs shutdown 0x8900,
# i8042 command 0x64, port 0x92, PCI reset control 0xcf9, ACPI PM1a control 0x604) are skipped so that a
# run covers many accesses; everything else is fair game, fw_cfg DMA included. It prints
#   hostile seed XXXXXXXX
#   hostile done
# and exits through isa-debug-exit value 0 (status 1). The VMM may also stop it earlier for a reason the
# guest caused (a triple fault after DMA or an INIT overwrote it): what it must never do is fail itself.
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.set OPS, 4000
.set BUF, 0x200000                  # string-I/O buffer: 1 KiB at 2 MiB, away from code and stack

.globl _start
_start:
    mov $stack_top, %esp
    # seed = 0x9e3779b9 + sum of the command-line bytes
    mov $0x9e3779b9, %edi
    testl $MBI_FLAGS_CMDLINE, (%ebx)
    jz 2f
    mov 16(%ebx), %esi
1:  movzbl (%esi), %eax
    test %eax, %eax
    jz 2f
    imul $31, %edi
    add %eax, %edi
    inc %esi
    jmp 1b
2:  mov %edi, seed
    mov $m_seed, %esi
    call puts
    mov seed, %eax
    call puthex32
    mov $m_nl, %esi
    call puts
    movl $OPS, remaining

next:
    decl remaining
    js done
    call rand
    mov %eax, %ebp                  # ebp: this op's random word
    call rand
    mov %eax, %edx
    shr $16, %edx                   # dx: port
    call skip_port                  # CF=1: a VM-ending port, skip this op
    jc next
    mov %ebp, %ecx
    and $7, %ecx
    jmp *ops(,%ecx,4)

op_in:
    test $0x100, %ebp
    jnz 1f
    inb %dx, %al
    jmp next
1:  test $0x200, %ebp
    jnz 2f
    inw %dx, %ax
    jmp next
2:  inl %dx, %eax
    jmp next

op_out:
    mov %ebp, %eax
    rol $13, %eax
    test $0x100, %ebp
    jnz 1f
    outb %al, %dx
    jmp next
1:  test $0x200, %ebp
    jnz 2f
    outw %ax, %dx
    jmp next
2:  outl %eax, %dx
    jmp next

op_rep_in:
    call string_setup
    test $0x100, %ebp
    jnz 1f
    rep insb
    jmp next
1:  test $0x200, %ebp
    jnz 2f
    rep insw
    jmp next
2:  rep insl
    jmp next

op_rep_out:
    call string_setup
    test $0x100, %ebp
    jnz 1f
    rep outsb
    jmp next
1:  test $0x200, %ebp
    jnz 2f
    rep outsw
    jmp next
2:  rep outsl
    jmp next

op_mmio_read:
    call mmio_addr
    test $0x100, %ebp
    jnz 1f
    movb (%edi), %al
    jmp next
1:  test $0x200, %ebp
    jnz 2f
    movw (%edi), %ax
    jmp next
2:  movl (%edi), %eax
    jmp next

op_mmio_write:
    call mmio_addr
    mov %ebp, %eax
    rol $7, %eax
    test $0x100, %ebp
    jnz 1f
    movb %al, (%edi)
    jmp next
1:  test $0x200, %ebp
    jnz 2f
    movw %ax, (%edi)
    jmp next
2:  movl %eax, (%edi)
    jmp next

done:
    mov $m_done, %esi
    call puts
    xor %al, %al
    jmp debug_exit

# rand: xorshift32 (Marsaglia 2003) on `seed`; returns it in %eax. Clobbers nothing else.
rand:
    push %ecx
    mov seed, %eax
    mov %eax, %ecx
    shl $13, %ecx
    xor %ecx, %eax
    mov %eax, %ecx
    shr $17, %ecx
    xor %ecx, %eax
    mov %eax, %ecx
    shl $5, %ecx
    xor %ecx, %eax
    mov %eax, seed
    pop %ecx
    ret

# string_setup: ECX = 1..256 elements, ESI = EDI = BUF, DF = 0.
string_setup:
    mov %ebp, %ecx
    shr $24, %ecx
    inc %ecx
    mov $BUF, %esi
    mov $BUF, %edi
    cld
    ret

# mmio_addr: EDI = random address in [0x10000000, 0xffffffff], aligned to 4.
mmio_addr:
    call rand
    or $0x10000000, %eax
    and $~3, %eax
    mov %eax, %edi
    ret

# skip_port: CF=1 when %dx is a port whose purpose is to end the VM.
skip_port:
    cmp $0xf4, %dx
    jb 1f
    cmp $0xf7, %dx
    jbe 9f
1:  cmp $0x8900, %dx
    je 9f
    cmp $0x64, %dx
    je 9f
    cmp $0x92, %dx
    je 9f
    cmp $0xcf9, %dx
    je 9f
    cmp $0xcf8, %dx                 # a dword at 0xcf8 covers 0xcf9 too
    je 9f
    cmp $0x604, %dx
    je 9f
    cmp $0x601, %dx                 # wider accesses reaching 0x604
    jb 2f
    cmp $0x603, %dx
    jbe 9f
2:  cmp $0xf1, %dx                  # wider accesses reaching 0xf4
    jb 3f
    cmp $0xf3, %dx
    jbe 9f
3:  cmp $0x88fd, %dx                # wider accesses reaching 0x8900
    jb 4f
    cmp $0x88ff, %dx
    jbe 9f
4:  cmp $0x61, %dx                  # wider accesses reaching 0x64 / 0x92
    jb 5f
    cmp $0x63, %dx
    jbe 9f
5:  cmp $0x8f, %dx
    jb 6f
    cmp $0x91, %dx
    jbe 9f
6:  clc
    ret
9:  stc
    ret

.section .rodata
.balign 4
ops: .long op_in, op_out, op_rep_in, op_rep_out, op_mmio_read, op_mmio_write, op_in, op_out
m_seed: .asciz "hostile seed "
m_nl:   .asciz "\n"
m_done: .asciz "hostile done\n"

.section .data
.balign 4
seed:      .long 0
remaining: .long 0
