# init_bsp: the BSP sends INIT to itself (physical destination 0). A BSP does not wait for a SIPI after
# INIT: it restarts in real mode at the reset vector, CS 0xf000 (base 0xffff0000), IP 0xfff0 (SDM vol. 3
# 9.4 and table 9-1). No firmware is mapped there, so what happens next is the same with KVM's irqchip
# and with vmscope's: the VM stops on the first instruction fetch at 0xfffffff0. Prints
# "init-bsp: sending\n" first, and "init-bsp: NOT REACHED\n" if the INIT was lost.
.include "mb.inc"
.include "smp.inc"
MULTIBOOT_HEADER
GUEST_STACK
.globl _start
_start:
    mov $stack_top, %esp
    mov $msg, %esi
    call puts
    movl $(SVR_ENABLE | 0xff), APIC_SVR
    movl $0, APIC_ICR_HI
    movl $(ICR_ASSERT | ICR_INIT), APIC_ICR_LO
    mov $100, %ebx                   # the INIT is taken at an instruction boundary soon after
1:  outb %al, $0x80                  # an exit to the VMM per round, so a pending INIT is looked at
    dec %ebx
    jnz 1b
    mov $after, %esi
    call puts
    mov $1, %al
    jmp debug_exit

ap_main:                             # smp.inc wants one; no AP is started here
    ret

.section .rodata
msg:   .asciz "init-bsp: sending\n"
after: .asciz "init-bsp: NOT REACHED\n"
