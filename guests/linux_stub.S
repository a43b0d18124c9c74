# linux_stub: the smallest bzImage vmscope's Linux loader can take, to check the 32-bit boot protocol
# (Documentation/arch/x86/boot.rst) from the guest's side. The build turns linux_stub.elf into
# linux_stub.bzImage (objcopy -O binary): a boot sector and one setup sector holding the setup header
# (file offsets 0 - 0x3ff), then the protected-mode "kernel" linked at 1 MiB.
# At entry it prints, on COM1:
#   linux-stub: cs 00000010 ds 00000018 ss 00000018 es 00000018 bp 00010000 ebx|edi|ebp 00000000 if 0
#   linux-stub: loader 000000ff version 0000020f code32_start 00100000
#   linux-stub: cmdline '<the command line>'
#   linux-stub: initrd size <hex> page-aligned <0|1> first <first 4 bytes, little-endian hex>   (or "initrd none")
#   linux-stub: e820 <entries, hex> usable-at-1M <length of the usable entry starting at 1 MiB, hex>
# and exits through isa-debug-exit 0 (status 1).
.include "mb.inc"
GUEST_STACK

.set CMDLINE_SIZE, 2047

    .section .setup, "a"
    .org 0x1f1
setup_sects:      .byte 1                 # the boot sector plus 1 setup sector: the kernel starts at 0x400
root_flags:       .word 0
syssize:          .long 0
ram_size:         .word 0
vid_mode:         .word 0
root_dev:         .word 0
boot_flag:        .word 0xaa55
jump:             .byte 0xeb, hdr_end - 0x202   # "jmp short": its offset byte tells where the header ends
header:           .ascii "HdrS"
version:          .word 0x020f
realmode_swtch:   .long 0
start_sys_seg:    .word 0
kernel_version:   .word 0
type_of_loader:   .byte 0
loadflags:        .byte 0x01              # LOADED_HIGH: a bzImage, protected-mode part at 1 MiB
setup_move_size:  .word 0
code32_start:     .long 0x100000
ramdisk_image:    .long 0
ramdisk_size:     .long 0
bootsect_kludge:  .long 0
heap_end_ptr:     .word 0
ext_loader_ver:   .byte 0
ext_loader_type:  .byte 0
cmd_line_ptr:     .long 0
initrd_addr_max:  .long 0x7fffffff
kernel_alignment: .long 0x200000
relocatable:      .byte 0
min_alignment:    .byte 0
xloadflags:       .word 0
cmdline_size:     .long CMDLINE_SIZE
hardware_subarch: .long 0
hardware_subarch_data: .quad 0
payload_offset:   .long 0
payload_length:   .long 0
setup_data:       .quad 0
pref_address:     .quad 0x100000
init_size:        .long 0x10000
handover_offset:  .long 0
kernel_info_offset: .long 0
hdr_end:
    .org 0x400

    # The 32-bit protocol enters at the first byte of the protected-mode part: linux_stub.ld puts
    # .text.startup_32 before mb.inc's helpers.
    .section .text.startup_32, "ax"
    .code32
.globl startup_32
startup_32:
    mov %esi, bp                     # boot_params
    or %ebx, %edi
    or %ebp, %edi
    mov %edi, saved_zero             # EBX | EDI | EBP as they came in: the protocol wants them zero
    pushf
    pop %eax
    shr $9, %eax
    and $1, %eax
    mov %eax, saved_if
    mov $stack_top, %esp
    mov $m_cs, %esi
    call puts
    mov %cs, %eax
    call puthex32
    mov $m_ds, %esi
    call puts
    mov %ds, %eax
    call puthex32
    mov $m_ss, %esi
    call puts
    mov %ss, %eax
    call puthex32
    mov $m_es, %esi
    call puts
    mov %es, %eax
    call puthex32
    mov $m_bp, %esi
    call puts
    mov bp, %eax
    call puthex32
    mov $m_zero, %esi
    call puts
    mov saved_zero, %eax
    call puthex32
    mov $m_if, %esi
    call puts
    mov saved_if, %eax
    add $'0', %al
    call putc
    mov $'\n', %al
    call putc
    # the header fields the loader fills in or keeps
    mov bp, %ebx
    mov $m_loader, %esi
    call puts
    movzbl 0x210(%ebx), %eax
    call puthex32
    mov $m_version, %esi
    call puts
    movzwl 0x206(%ebx), %eax
    call puthex32
    mov $m_code32, %esi
    call puts
    mov 0x214(%ebx), %eax
    call puthex32
    mov $'\n', %al
    call putc
    # the command line
    mov $m_cmdline, %esi
    call puts
    mov bp, %ebx
    mov 0x228(%ebx), %esi
    call puts
    mov $m_quote_nl, %esi
    call puts
    # the initrd
    mov bp, %ebx
    mov 0x21c(%ebx), %eax
    test %eax, %eax
    jnz 1f
    mov $m_initrd_none, %esi
    call puts
    jmp 2f
1:  mov $m_initrd, %esi
    call puts
    mov bp, %ebx
    mov 0x21c(%ebx), %eax
    call puthex32
    mov $m_aligned, %esi
    call puts
    mov bp, %ebx
    mov 0x218(%ebx), %eax
    test $0xfff, %eax
    setz %al
    add $'0', %al
    call putc
    mov $m_first, %esi
    call puts
    mov bp, %ebx
    mov 0x218(%ebx), %eax
    mov (%eax), %eax
    call puthex32
    mov $'\n', %al
    call putc
2:  # the E820 map: entry count, and the usable entry at 1 MiB
    mov $m_e820, %esi
    call puts
    mov bp, %ebx
    movzbl 0x1e8(%ebx), %eax
    mov %eax, %edi                   # entries left
    call puthex32
    mov $m_usable, %esi
    call puts
    mov bp, %ebx
    lea 0x2d0(%ebx), %ebx
    xor %eax, %eax
3:  test %edi, %edi
    jz 4f
    cmpl $0x100000, (%ebx)           # addr low
    jne 5f
    cmpl $0, 4(%ebx)                 # addr high
    jne 5f
    cmpl $1, 16(%ebx)                # type 1: usable
    jne 5f
    mov 8(%ebx), %eax                # length (low 32 bits)
    jmp 4f
5:  add $20, %ebx
    dec %edi
    jmp 3b
4:  call puthex32
    mov $'\n', %al
    call putc
    xor %al, %al
    jmp debug_exit

# putc: %al to COM1. Clobbers nothing else.
putc:
    push %edx
    mov $COM1, %dx
    outb %al, %dx
    pop %edx
    ret

.section .rodata
m_cs:          .asciz "linux-stub: cs "
m_ds:          .asciz " ds "
m_ss:          .asciz " ss "
m_es:          .asciz " es "
m_bp:          .asciz " bp "
m_zero:        .asciz " ebx|edi|ebp "
m_if:          .asciz " if "
m_loader:      .asciz "linux-stub: loader "
m_version:     .asciz " version "
m_code32:      .asciz " code32_start "
m_cmdline:     .asciz "linux-stub: cmdline '"
m_quote_nl:    .asciz "'\n"
m_initrd_none: .asciz "linux-stub: initrd none\n"
m_initrd:      .asciz "linux-stub: initrd size "
m_aligned:     .asciz " page-aligned "
m_first:       .asciz " first "
m_e820:        .asciz "linux-stub: e820 "
m_usable:      .asciz " usable-at-1M "

.section .data
.balign 4
bp:            .long 0
saved_zero:    .long 0
saved_if:      .long 0
