# hello: prints "hello\n" on COM1 and exits through isa-debug-exit with value 0x21 (process status 0x43).
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.globl _start
_start:
    mov $stack_top, %esp
    mov $msg, %esi
    call puts
    mov $0x21, %al
    jmp debug_exit

.section .rodata
msg: .asciz "hello\n"
