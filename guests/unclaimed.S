# unclaimed: reads port 0x5555 (claimed by no device in vmscope or QEMU) with inb, inw and inl, each with
# EAX preloaded to 0x12345678, and prints the whole EAX after each as hex on COM1, then exits through
# isa-debug-exit value 0 (status 1). Expected output: an unclaimed read returns all ones in the accessed
# width and leaves the rest of EAX alone:
#   unclaimed inb 123456ff
#   unclaimed inw 1234ffff
#   unclaimed inl ffffffff
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.set PORT, 0x5555
.globl _start
_start:
    mov $stack_top, %esp
    mov $PORT, %dx
    mov $0x12345678, %eax
    inb %dx, %al
    mov %eax, values
    mov $0x12345678, %eax
    inw %dx, %ax
    mov %eax, values + 4
    mov $0x12345678, %eax
    inl %dx, %eax
    mov %eax, values + 8
    xor %edi, %edi
1:  mov names(,%edi,4), %esi
    call puts
    mov values(,%edi,4), %eax
    call puthex32
    mov $'\n', %al
    outb %al, %dx                    # %dx is still COM1 after puthex32
    inc %edi
    cmp $3, %edi
    jb 1b
    mov $0, %al
    jmp debug_exit

.section .rodata
n_b: .asciz "unclaimed inb "
n_w: .asciz "unclaimed inw "
n_l: .asciz "unclaimed inl "
.balign 4
names: .long n_b, n_w, n_l
.section .bss
values: .skip 12
