/* cmb entry: multiboot v1 header and the 32-bit entry point. Sets up a stack and calls
 * kmain(magic, info) with the registers the boot loader left in EAX and EBX. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    mov $stack_top, %esp
    push %ebx
    push %eax
    call kmain
1:  cli
    hlt
    jmp 1b

    .section .bss
    .balign 16
    .skip 8192
stack_top:
