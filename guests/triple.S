# triple: prints "triple: faulting\n" on COM1, loads an empty IDT (limit 0) and executes ud2. The #UD
# cannot be delivered (vector outside the IDT -> #GP -> #DF, also undeliverable), so the CPU shuts down:
# a triple fault (KVM_EXIT_SHUTDOWN). Under QEMU with -no-reboot the process then exits with status 0.
# No int3/int $n: those end in a KVM internal error on the paravirtual host KVM.
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.globl _start
_start:
    mov $stack_top, %esp
    mov $msg, %esi
    call puts
    lidt empty_idt
    ud2
    mov $after, %esi                 # not reached
    call puts
    mov $1, %al
    jmp debug_exit

.section .rodata
msg:   .asciz "triple: faulting\n"
after: .asciz "triple: NOT REACHED\n"
.balign 8
empty_idt: .word 0
           .long 0
