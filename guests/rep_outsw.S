# rep_outsw: "rep outsw" of 8 words to port 0x5000, the test port of vmscope's integration tests
# (no device there in QEMU, so QEMU drops the data). The words, in order:
#   0x1001 0x2002 0x3003 0x4004 0x5005 0x6006 0x7007 0x8008
# A test device on port 0x5000 must see eight 2-byte writes with exactly these values. Afterwards the
# guest checks ECX = 0 and ESI advanced by 16, prints
#   rep_outsw sent 8 words to port 5000 ecx 00000000 esi +00000010
#   rep_outsw ok
# and exits through isa-debug-exit value 0 (status 1); on a register mismatch "rep_outsw FAILED", value 1.
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.globl _start
_start:
    mov $stack_top, %esp
    mov $0x5000, %dx
    mov $words, %esi
    mov $8, %ecx
    cld
    rep outsw
    mov %ecx, saved_ecx
    sub $words, %esi
    mov %esi, saved_advance

    mov $m_sent, %esi
    call puts
    mov saved_ecx, %eax
    call puthex32
    mov $m_esi, %esi
    call puts
    mov saved_advance, %eax
    call puthex32
    mov $'\n', %al
    outb %al, %dx
    cmpl $16, saved_advance
    jne fail
    cmpl $0, saved_ecx
    jne fail
    mov $m_ok, %esi
    call puts
    mov $0, %al
    jmp debug_exit
fail:
    mov $m_fail, %esi
    call puts
    mov $1, %al
    jmp debug_exit

.section .rodata
.balign 2
words:  .word 0x1001, 0x2002, 0x3003, 0x4004, 0x5005, 0x6006, 0x7007, 0x8008
m_sent: .asciz "rep_outsw sent 8 words to port 5000 ecx "
m_esi:  .asciz " esi +"
m_ok:   .asciz "rep_outsw ok\n"
m_fail: .asciz "rep_outsw FAILED\n"
.section .bss
.balign 4
saved_ecx:     .skip 4
saved_advance: .skip 4
