# emufail: prints "emufail: xgetbv\n" on COM1 and executes XGETBV (0f 01 d0) in ring 0. On the paravirtual
# host KVM these tests run on, ring-0 code is emulated and KVM's emulator cannot do XGETBV, so KVM_RUN
# ends in KVM_EXIT_INTERNAL_ERROR, suberror 1 (emulation failure), with the instruction bytes; on hardware
# virtualization it would raise #UD (CR4.OSXSAVE is clear) and, with no IDT, triple fault. Either way the
# guest never reaches the debug exit. Used by the crash-report tests.
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.globl _start
_start:
    mov $stack_top, %esp
    mov $msg, %esi
    call puts
    xor %ecx, %ecx
    xgetbv
    mov $after, %esi                 # not reached
    call puts
    mov $1, %al
    jmp debug_exit

.section .rodata
msg:   .asciz "emufail: xgetbv\n"
after: .asciz "emufail: NOT REACHED\n"
