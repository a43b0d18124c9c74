# rep_insb: selects fw_cfg item 0 (signature) by outw 0 to port 0x510, sets EAX to the sentinel
# 0xdeadbeef, then "rep insb" 4 bytes from the fw_cfg data port 0x511 into a buffer. Prints
#   rep_insb buf 51454d55 eax deadbeef ecx 00000000 edi +4
# (buf as the 4 bytes in memory order, "QEMU" = 51 45 4d 55) followed by "rep_insb ok" and exits through
# isa-debug-exit value 0 (status 1) if buf == "QEMU", EAX is unchanged, ECX is 0 and EDI advanced by 4;
# otherwise prints "rep_insb FAILED" and exits with value 1 (status 3).
# fw_cfg ports: QEMU docs/specs/fw_cfg.rst (selector 0x510 16-bit, data 0x511).
.include "mb.inc"
MULTIBOOT_HEADER
GUEST_STACK
.globl _start
_start:
    mov $stack_top, %esp
    xor %eax, %eax
    mov $0x510, %dx
    outw %ax, %dx
    inc %dx
    mov $buf, %edi
    mov $4, %ecx
    mov $0xdeadbeef, %eax
    cld
    rep insb
    mov %eax, saved_eax
    mov %ecx, saved_ecx
    sub $buf, %edi
    mov %edi, saved_advance

    mov $m_buf, %esi
    call puts
    mov buf, %eax
    bswap %eax                       # print the bytes in memory order
    call puthex32
    mov $m_eax, %esi
    call puts
    mov saved_eax, %eax
    call puthex32
    mov $m_ecx, %esi
    call puts
    mov saved_ecx, %eax
    call puthex32
    mov $m_edi, %esi
    call puts
    mov saved_advance, %eax
    add $'0', %al
    outb %al, %dx
    mov $'\n', %al
    outb %al, %dx

    cmpl $0x554d4551, buf            # "QEMU" read as a little-endian dword
    jne fail
    cmpl $0xdeadbeef, saved_eax
    jne fail
    cmpl $0, saved_ecx
    jne fail
    cmpl $4, saved_advance
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
m_buf:  .asciz "rep_insb buf "
m_eax:  .asciz " eax "
m_ecx:  .asciz " ecx "
m_edi:  .asciz " edi +"
m_ok:   .asciz "rep_insb ok\n"
m_fail: .asciz "rep_insb FAILED\n"
.section .bss
.balign 4
buf:           .skip 4
saved_eax:     .skip 4
saved_ecx:     .skip 4
saved_advance: .skip 4
